"""What the probes are trained and measured on: crops of each picture as the encoder sees
them, clean or changed the way pictures shared online are.

Both classes are changed alike, so framing, size and JPEG quality cannot give the label
away. Whole pictures are changed before the crop is cut at their own resolution, as
``model.signals.ai_generated`` cuts them; faces are re-framed, shrunk and re-saved at their
own scale, then scaled to the encoder's input, as ``model.signals.faces.crop`` scales them.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from model.nets.backbone import SIDE
from model.signals.ai_generated import crops
from model.signals.faces import resized
from model.training.config import ProbeTrainConfig

Rng = np.random.Generator
# The origin given to camera and CASIA photos, real negatives beside the collection's.
PHOTOS = "photos"
COLLECTED_SIDE, COLLECTED_QUALITY = 256, 90


def jpeg_again(pixels: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB"))


def scaled(pixels: np.ndarray, factor: float) -> np.ndarray:
    height, width = pixels.shape[:2]
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BILINEAR))


def shared_copy(pixels: np.ndarray, factor: float, quality: int) -> np.ndarray:
    """Downscaled by ``factor`` and re-saved, as a picture shared online would be."""
    return jpeg_again(scaled(pixels, factor), quality)


def collected(pixels: np.ndarray) -> np.ndarray:
    """A photo brought to the form of the ai-generated collection's pictures: its centre
    256x256 at its own resolution, re-saved at q90. Photos of other sizes and qualities
    would otherwise teach the probe that size and quality tell the classes apart."""
    height, width = pixels.shape[:2]
    side = min(COLLECTED_SIDE, height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return jpeg_again(
        np.ascontiguousarray(pixels[top : top + side, left : left + side]), COLLECTED_QUALITY
    )


def picture(pixels: np.ndarray) -> np.ndarray:
    """The crop the signal reads from a picture this size (one: training pictures are small)."""
    return crops(pixels, 1)[0]


def picture_changed(pixels: np.ndarray, rng: Rng, config: ProbeTrainConfig) -> np.ndarray:
    """A shifted, maybe mirrored, shrunk and re-saved copy, then its crop."""
    height, width = pixels.shape[:2]
    top = int(rng.integers(0, max(0, height - SIDE) + 1))
    left = int(rng.integers(0, max(0, width - SIDE) + 1))
    out = pixels[top:, left:]
    if rng.random() < 0.5:
        out = out[:, ::-1]
    if rng.random() < config.resize_share:
        out = scaled(np.ascontiguousarray(out), rng.uniform(*config.resize_range))
    if rng.random() < config.recompress_share:
        out = jpeg_again(np.ascontiguousarray(out), int(rng.integers(*config.recompress_quality)))
    return picture(np.ascontiguousarray(out))


def face_changed(pixels: np.ndarray, rng: Rng, config: ProbeTrainConfig) -> np.ndarray:
    """A re-framed, mirrored, shrunk and maybe re-saved copy of a face crop, at the encoder's
    input side."""
    height = pixels.shape[0]
    keep = round(height * rng.uniform(*config.face_crop_range))
    top, left = rng.integers(0, height - keep + 1, 2)
    out = pixels[top : top + keep, left : left + keep]
    if rng.random() < 0.5:
        out = out[:, ::-1]
    out = scaled(np.ascontiguousarray(out), rng.uniform(*config.face_resize_range))
    if rng.random() < config.recompress_share:
        out = jpeg_again(out, int(rng.integers(*config.recompress_quality)))
    return resized(out, SIDE)
