"""The pictures the tests make themselves (no dataset files in the repo), and their encoders:
plain functions every test folder and the benchmarks import. No fixtures here."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from tests.datasets import held_out_camera_photos


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


def copy_moved(seed: int = 13) -> bytes:
    """A photo with a block pasted elsewhere in it: the detector calls it likely edited.
    (Seeds whose photo is flat where the block is cut give copies nothing can find.)"""
    rgb = decoded(jpeg(camera_photo(seed), 95)).copy()
    rgb[300:396, 420:548] = rgb[60:156, 80:208]
    return jpeg(rgb, 92)


def untouched(seed: int = 31) -> bytes:
    """A photo as it came from its camera, re-saved once."""
    return jpeg(camera_photo(seed), 90)
