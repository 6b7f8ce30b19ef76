"""Where the tests find the shared datasets, and which of their camera photos no network of
the detector trained on. The few tests that read them name them here; the rest make their
own pictures (``tests/images.py``)."""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

from model.training.config import DATASETS, TrainConfig, train_manifests
from model.training.manifest import read_manifest, split_by_source

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
