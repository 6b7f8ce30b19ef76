"""The fixed validation and test sets, written to disk as manifests ``evaluate`` reads.

For one split (``val`` or ``test``) it writes:
- ``<split>.csv``: the split's dataset images as they are, plus forgeries and untouched
  copies made from its camera photos;
- ``<split>_resized.csv``: every image of the first set scaled by 0.75 and re-saved at 85,
  as social media pass pictures on;
- ``<split>_shortcut.csv``: the untouched images re-saved at the JPEG qualities of the
  split's forgeries; a model that learnt "low quality means fake" fails here;
- ``<split>_copymove.csv``: copy-moves made from camera photos and saved once (no
  compression trace to find), with untouched photos saved the same way.
Seeds are fixed, so the sets are the same on every run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model.config import DecodeConfig
from model.image import decode as decoding
from model.image.jpeg_quality import estimate_quality
from model.training.config import TrainConfig
from model.training.examples import FORGERY_KINDS, Example, Sources, synthesize, transformed
from model.training.manifest import Row, write_manifest

RESIZE_SCALE = 0.75
RESIZE_QUALITY = 85


def _store(directory: Path, name: str, example: Example, source: str) -> Row:
    path = directory / f"{name}.jpg"
    path.write_bytes(example.data)
    return Row(path, example.label, example.kind, None, source)


def _quality(data: bytes) -> int | None:
    estimate = estimate_quality(decoding.decode(data, DecodeConfig()).quantization)
    return estimate.quality if estimate else None


def write_sets(
    rows: list[Row], split: str, directory: Path, config: TrainConfig
) -> dict[str, Path]:
    """Write the four sets of one split under ``directory``; returns their manifest paths."""
    rng = np.random.default_rng([config.seed, sum(map(ord, split))])
    sources = Sources(rows)
    images = directory / split
    images.mkdir(parents=True, exist_ok=True)
    plain: list[tuple[Row, Example]] = []
    for index in range(len(sources.dataset)):
        row, _ = sources.dataset[index]
        plain.append((row, sources.dataset_example(index)))
    copymove: list[Row] = []
    per_photo = config.synthetic_eval_per_photo
    for index in range(len(sources.photos)):
        for n in range(per_photo):
            for kind in ("real", FORGERY_KINDS[n % len(FORGERY_KINDS)]):
                example = synthesize(rng, sources.photos, index, kind, config)
                plain.append(
                    (_store(images, f"photo{index}_{n}_{kind}", example, f"photo{index}"), example)
                )
            for kind in ("real", "copymove"):
                example = synthesize(rng, sources.photos, index, kind, config, history_share=0.0)
                copymove.append(
                    _store(images, f"photo{index}_{n}_single_{kind}", example, f"photo{index}")
                )

    resized = [
        _store(images, f"resized_{i}", transformed(ex, RESIZE_SCALE, RESIZE_QUALITY), row.source)
        for i, (row, ex) in enumerate(plain)
    ]
    fake_qualities = sorted(
        {q for row, ex in plain if ex.label and (q := _quality(ex.data)) is not None}
    )
    shortcut = [
        _store(
            images,
            f"shortcut_{i}",
            transformed(ex, 1.0, fake_qualities[i % len(fake_qualities)]),
            row.source,
        )
        for i, (row, ex) in enumerate((r, e) for r, e in plain if not e.label)
    ]
    manifests = {
        split: [row for row, _ in plain],
        f"{split}_resized": resized,
        f"{split}_shortcut": shortcut,
        f"{split}_copymove": copymove,
    }
    paths = {}
    for name, set_rows in manifests.items():
        paths[name] = directory / f"{name}.csv"
        write_manifest(paths[name], set_rows)
    return paths
