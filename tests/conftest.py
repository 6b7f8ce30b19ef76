"""Shared test fixtures: images the tests make themselves (no dataset files in the repo),
and a real service on 127.0.0.1 with a real SQLite store in tmp_path. The detector loads
once per session and is handed to every app (loading takes seconds); each test starts the
services it needs through ``start_service``."""

from __future__ import annotations

import functools
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from aiohttp.abc import AbstractResolver
from PIL import Image

from model import Detector
from model.training.config import DATASETS, TrainConfig, train_manifests
from model.training.manifest import read_manifest, split_by_source
from service.app import create_app
from service.config import ServiceConfig, load_config
from tests.service.harness import ThreadedServer, wait_until_loaded

# The throw-away PostgreSQL cluster, one per session, and the backends' parametrised store_url.
pytest_plugins = ["tests.postgres"]

# Debian's Chromium, driven by Playwright (its own browser download has no network here).
CHROMIUM = "/usr/bin/chromium"
# Flags for a machine with no network beyond loopback (see the Makefile's chromium target).
CHROMIUM_QUIET = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path("var/screenshots")
ROOT = Path(__file__).resolve().parents[1]


def shared_datasets() -> Path:
    """The shared datasets a few tests read: ``$FAKECHECK_DATASETS``, else ``../shared/datasets``
    beside this checkout, else beside the checkout this one was cloned from (a clone made in
    a temporary folder has nothing beside it)."""
    if os.environ.get("FAKECHECK_DATASETS"):
        return Path(os.environ["FAKECHECK_DATASETS"])
    beside = DATASETS
    origin = subprocess.run(
        ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
        check=False,  # no git or no origin: the path beside this checkout is all there is
    ).stdout.strip()
    if beside.is_dir() or not origin or "://" in origin:
        return beside
    return Path(origin).resolve().parent / "shared" / "datasets"


@functools.cache
def held_out_camera_photos() -> list[Path]:
    """The camera originals no network of the detector trained on: those of the ELA-CNN's
    test split, which the picture probe's photos follow too."""
    train = TrainConfig()
    rows = [
        row for manifest in train_manifests(shared_datasets()) for row in read_manifest(manifest)
    ]
    test = split_by_source(rows, train.val_share, train.test_share, train.seed)["test"]
    return sorted(row.path for row in test if row.path.parent.parent.name == "camera-originals")


def camera_photo(seed: int, height: int = 480, width: int = 640) -> np.ndarray:
    """A real photo as a test's untouched picture: a crop at its own resolution of a held-out
    camera original, chosen and placed by ``seed``. Drawn pictures (``scene``) are
    computer-made, and the AI signals rightly take them for generated."""
    photos = held_out_camera_photos()
    assert photos, "no camera originals: set FAKECHECK_DATASETS to the shared datasets"
    pixels = np.asarray(Image.open(photos[seed % len(photos)]).convert("RGB"))
    rng = np.random.default_rng(seed)
    top = int(rng.integers(0, pixels.shape[0] - height + 1))
    left = int(rng.integers(0, pixels.shape[1] - width + 1))
    return pixels[top : top + height, left : left + width].copy()


def scene(seed: int, height: int = 256, width: int = 384) -> np.ndarray:
    """A drawn RGB picture: smooth gradients, textured shapes and sensor-like noise. Made by
    a program, so the AI signals may call it generated; ``camera_photo`` is a photo."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack(
        [120 + 60 * np.sin(x / (37 + 5 * c) + c) * np.cos(y / (29 + 3 * c)) for c in range(3)],
        axis=-1,
    )
    for _ in range(12):
        cy, cx = rng.integers(0, height), rng.integers(0, width)
        r = rng.integers(10, 50)
        inside = (y - cy) ** 2 + (x - cx) ** 2 < r**2
        base[inside] = rng.uniform(30, 220, 3) + rng.normal(0, 18, (int(inside.sum()), 3))
    base += rng.normal(0, 4, base.shape)
    return np.clip(base, 0, 255).astype(np.uint8)


def jpeg(rgb: np.ndarray, quality: int, **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality, **options)
    return buffer.getvalue()


def png(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def decoded(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


@pytest.fixture
def photo() -> np.ndarray:
    return scene(0)


def copy_moved(seed: int = 13) -> bytes:
    """A photo with a block pasted elsewhere in it: the detector calls it likely edited.
    (Seeds whose photo is flat where the block is cut give copies nothing can find.)"""
    rgb = decoded(jpeg(camera_photo(seed), 95)).copy()
    rgb[300:396, 420:548] = rgb[60:156, 80:208]
    return jpeg(rgb, 92)


def untouched(seed: int = 31) -> bytes:
    """A photo as it came from its camera, re-saved once."""
    return jpeg(camera_photo(seed), 90)


def verdict_in_new_process(image: Path, cache: Path) -> subprocess.CompletedProcess:
    """A fresh Python process that imports the detector, loads it with ``cache`` as its
    compile cache and prints its score for ``image``: a cold start, as users meet it."""
    code = (
        "import sys; from dataclasses import replace; from pathlib import Path; "
        "from model import Detector; from model.config import get_config; "
        "config = replace(get_config(), compile_cache_dir=Path(sys.argv[2])); "
        "print(Detector.load(config).analyze(Path(sys.argv[1]).read_bytes()).score)"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(image), str(cache)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


@pytest.fixture(scope="session")
def detector() -> Detector:
    return Detector.load()


@pytest.fixture
def service_config(tmp_path) -> Callable[..., ServiceConfig]:
    """The test config: store in tmp_path, no rate limit, unless a test says otherwise."""

    def make(**overrides) -> ServiceConfig:
        settings = {"data_dir": tmp_path / "var", "rate_per_second": 0.0, "port": 0}
        return load_config(None, {}, **{**settings, **overrides})

    return make


@pytest.fixture
def start_service(detector, service_config) -> Iterator[Callable[..., ThreadedServer]]:
    """Starts a service (more than one may run, e.g. to restart on the same store)."""
    servers: list[ThreadedServer] = []

    def start(
        resolver: AbstractResolver | None = None, load_detector=None, wait: bool = True, **settings
    ) -> ThreadedServer:
        app = create_app(
            service_config(**settings),
            load_detector=load_detector or (lambda: detector),
            resolver=resolver,
        )
        server = ThreadedServer(app)
        servers.append(server)
        if wait:
            wait_until_loaded(server.url)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def service(start_service) -> ThreadedServer:
    return start_service()
