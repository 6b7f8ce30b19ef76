"""Labelled images for training and evaluation, made from the dataset manifests.

Two sources: dataset images (CASIA) with their masks, and forgeries we make ourselves
from untouched camera photos (``tamper``), whose masks we know exactly. Both classes go
through the same resizing and re-compression, so neither JPEG quality nor size can tell
them apart; only the evidence of an edit can.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from model.training import tamper
from model.training.config import TrainConfig
from model.training.manifest import Row

# Camera photos are kept in memory at this size; examples are made smaller still.
PHOTO_SIDE = 1024
# Long side of the images made from camera photos.
SYNTHETIC_SIDE = (256, 768)


@dataclass(frozen=True)
class Example:
    data: bytes  # the file the detector sees
    label: int
    kind: str  # "real", "splice", "copymove", "retouch" or the manifest's kind
    mask: np.ndarray | None = None  # float32 (H, W), 1 where manipulated; None if unknown


def read_mask(path: Path | None, shape: tuple[int, int]) -> np.ndarray | None:
    """A dataset mask as float32 0/1 (any channel above 127), or None if absent or mismatched."""
    if path is None or not path.exists():
        return None
    mask = np.asarray(Image.open(path))
    if mask.ndim == 3:
        mask = mask.max(axis=2)
    return (mask > 127).astype(np.float32) if mask.shape == shape else None


def _decode_rgb(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


class Sources:
    """The images of one split, held in memory so examples can be made quickly."""

    def __init__(self, rows: list[Row]):
        self.dataset: list[tuple[Row, bytes]] = []
        self.photos: list[np.ndarray] = []
        for row in rows:
            if row.label == 0 and row.kind == "unknown" and _is_camera_photo(row):
                image = Image.open(row.path).convert("RGB")
                image.thumbnail((PHOTO_SIDE, PHOTO_SIDE), Image.Resampling.LANCZOS)
                self.photos.append(np.asarray(image))
            else:
                self.dataset.append((row, row.path.read_bytes()))

    def dataset_example(self, index: int) -> Example:
        row, data = self.dataset[index]
        mask = None
        if row.label:
            mask = read_mask(row.mask, _decode_rgb(data).shape[:2])
        return Example(data, row.label, row.kind if row.label else "real", mask)


def _is_camera_photo(row: Row) -> bool:
    """Photos big enough to cut forgeries from (CASIA's 384x256 stock photos are not)."""
    with Image.open(row.path) as image:
        return min(image.size) >= 480


def synthesize(
    rng: np.random.Generator,
    photos: list[np.ndarray],
    index: int,
    kind: str,
    config: TrainConfig,
    history_share: float = 0.7,
) -> Example:
    """An image made from camera photo ``index``: untouched ("real") or forged by ``kind``.

    The photo is scaled, given an earlier JPEG history for ``history_share`` of draws (as
    photos on the web have), edited, then saved once more; the untouched class goes
    through the same. With ``history_share=0`` the only save is the last one, so nothing
    but the edit itself (not its compression history) can give a forgery away.
    """
    photo = photos[index]
    side = rng.uniform(*SYNTHETIC_SIDE)
    base = tamper.resize(photo, min(1.0, side / max(photo.shape[:2])))
    low, high = config.recompress_quality
    if rng.random() < history_share:
        base = tamper.jpeg_roundtrip(base, int(rng.integers(low, 99)))
    mask = None
    if kind == "splice":
        donor_index = (index + 1 + int(rng.integers(len(photos) - 1))) % len(photos)
        donor = tamper.resize(photos[donor_index], rng.uniform(0.3, 1.0))
        donor = tamper.jpeg_roundtrip(donor, int(rng.integers(low, 99)))
        base, mask = tamper.splice(rng, base, donor)
    elif kind != "real":
        base, mask = tamper.KINDS[kind](rng, base)
    return Example(
        tamper.jpeg_bytes(base, int(rng.integers(low, high + 1))), int(kind != "real"), kind, mask
    )


def transformed(example: Example, scale: float, quality: int) -> Example:
    """The example resized by ``scale`` (1 = not resized) and re-saved at ``quality``."""
    rgb = _decode_rgb(example.data)
    mask = example.mask
    if scale != 1.0:
        rgb = tamper.resize(rgb, scale)
        if mask is not None:
            mask = np.asarray(
                Image.fromarray(mask).resize(
                    (rgb.shape[1], rgb.shape[0]), Image.Resampling.BILINEAR
                )
            )
    return Example(tamper.jpeg_bytes(rgb, quality), example.label, example.kind, mask)


def augmented(rng: np.random.Generator, example: Example, config: TrainConfig) -> Example:
    """A dataset image as the web might pass it on: sometimes resized, re-saved at a random
    quality; kept as it is for ``keep_original_share`` of draws."""
    if rng.random() < config.keep_original_share:
        return example
    scale = rng.uniform(*config.resize_range) if rng.random() < 0.5 else 1.0
    return transformed(
        example,
        scale,
        int(rng.integers(config.recompress_quality[0], config.recompress_quality[1] + 1)),
    )


FORGERY_KINDS = ("splice", "copymove", "retouch")


def training_example(rng: np.random.Generator, sources: Sources, config: TrainConfig) -> Example:
    if sources.photos and rng.random() < config.synthetic_share:
        kind = "real" if rng.random() < 0.5 else FORGERY_KINDS[int(rng.integers(3))]
        return synthesize(rng, sources.photos, int(rng.integers(len(sources.photos))), kind, config)
    example = sources.dataset_example(int(rng.integers(len(sources.dataset))))
    return augmented(rng, example, config)
