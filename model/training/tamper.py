"""Synthetic tampering of real photos, with the exact mask of what changed.

Training needs forgeries whose extent is known (to supervise the heatmap) and that look
like the web's: a region spliced in from another photo, a region copied and moved inside
the same photo, or a local retouch (blur, inpainting, tone change). Every function takes a
``numpy.random.Generator`` so the same seed makes the same forgery.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image

Forgery = tuple[np.ndarray, np.ndarray]  # (rgb uint8 image, float32 mask in [0, 1])


def jpeg_bytes(rgb: np.ndarray, quality: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=int(quality))
    return buffer.getvalue()


def jpeg_roundtrip(rgb: np.ndarray, quality: int) -> np.ndarray:
    """The pixels a JPEG save at ``quality`` leaves behind."""
    return np.asarray(Image.open(io.BytesIO(jpeg_bytes(rgb, quality))).convert("RGB"))


def resize(rgb: np.ndarray, scale: float) -> np.ndarray:
    height, width = rgb.shape[:2]
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))


def region_mask(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A random region (ellipse, polygon or box) of 1-12 % of the area, as uint8 0/1."""
    mask = np.zeros((height, width), np.uint8)
    area = rng.uniform(0.01, 0.12) * height * width
    aspect = rng.uniform(0.5, 2.0)
    rh = int(np.clip(np.sqrt(area / aspect), 4, height * 0.45))
    rw = int(np.clip(area / max(rh, 1), 4, width * 0.45))
    cy = int(rng.integers(rh, max(rh + 1, height - rh)))
    cx = int(rng.integers(rw, max(rw + 1, width - rw)))
    shape = rng.integers(3)
    if shape == 0:
        cv2.ellipse(mask, (cx, cy), (rw // 2, rh // 2), float(rng.uniform(0, 180)), 0, 360, 1, -1)
    elif shape == 1:
        angles = np.sort(rng.uniform(0, 2 * np.pi, int(rng.integers(5, 10))))
        radii = rng.uniform(0.5, 1.0, angles.size)
        points = np.stack(
            [cx + radii * np.cos(angles) * rw / 2, cy + radii * np.sin(angles) * rh / 2], axis=1
        )
        cv2.fillPoly(mask, [points.astype(np.int32)], 1)
    else:
        mask[cy - rh // 2 : cy + rh // 2, cx - rw // 2 : cx + rw // 2] = 1
    if mask.sum() < 16:
        mask[cy - 4 : cy + 4, cx - 4 : cx + 4] = 1
    return mask


def _shift_region(mask: np.ndarray, rng: np.random.Generator) -> tuple[int, int]:
    """An offset that moves the region's bounding box to another place inside the image."""
    ys, xs = np.nonzero(mask)
    height, width = mask.shape
    top, left, bottom, right = ys.min(), xs.min(), ys.max(), xs.max()
    for _ in range(20):
        dy = int(rng.integers(-top, height - bottom))
        dx = int(rng.integers(-left, width - right))
        if abs(dy) > (bottom - top) // 2 or abs(dx) > (right - left) // 2:
            return dy, dx
    return dy, dx


def _blend(base: np.ndarray, patch: np.ndarray, mask: np.ndarray, rng) -> Forgery:
    """Paste ``patch`` where ``mask`` is set, sometimes with a feathered edge as editors do."""
    soft = mask.astype(np.float32)
    if rng.random() < 0.5:
        radius = int(rng.integers(1, 4)) * 2 + 1
        soft = cv2.GaussianBlur(soft, (radius, radius), 0)
    alpha = soft[..., None]
    out = base.astype(np.float32) * (1 - alpha) + patch.astype(np.float32) * alpha
    return np.clip(out + 0.5, 0, 255).astype(np.uint8), soft


def splice(rng: np.random.Generator, base: np.ndarray, donor: np.ndarray) -> Forgery:
    """A region of ``donor`` (another photo, with its own compression history) pasted in."""
    height, width = base.shape[:2]
    mask = region_mask(rng, height, width)
    if donor.shape[0] < height or donor.shape[1] < width:
        donor = cv2.resize(donor, (width, height), interpolation=cv2.INTER_LINEAR)
    oy = int(rng.integers(0, donor.shape[0] - height + 1))
    ox = int(rng.integers(0, donor.shape[1] - width + 1))
    return _blend(base, donor[oy : oy + height, ox : ox + width], mask, rng)


def copy_move(rng: np.random.Generator, base: np.ndarray) -> Forgery:
    """A region of the photo copied elsewhere in it, sometimes slightly rotated or scaled."""
    height, width = base.shape[:2]
    source = region_mask(rng, height, width)
    dy, dx = _shift_region(source, rng)
    ys, xs = np.nonzero(source)
    center = (float(xs.mean()), float(ys.mean()))
    angle = float(rng.uniform(-15, 15)) if rng.random() < 0.4 else 0.0
    scale = float(rng.uniform(0.9, 1.1)) if rng.random() < 0.4 else 1.0
    matrix = cv2.getRotationMatrix2D(center, angle, scale)
    matrix[:, 2] += (dx, dy)
    moved = cv2.warpAffine(base, matrix, (width, height), flags=cv2.INTER_LINEAR)
    target = cv2.warpAffine(source, matrix, (width, height), flags=cv2.INTER_NEAREST)
    return _blend(base, moved, target, rng)


def retouch(rng: np.random.Generator, base: np.ndarray) -> Forgery:
    """A local edit: object removal by inpainting, blur, sharpening, tone or added noise."""
    height, width = base.shape[:2]
    mask = region_mask(rng, height, width)
    kind = rng.integers(5)
    if kind == 0:
        edited = cv2.inpaint(base, mask, 3, cv2.INPAINT_TELEA)
    elif kind == 1:
        radius = int(rng.integers(2, 6)) * 2 + 1
        edited = cv2.GaussianBlur(base, (radius, radius), 0)
    elif kind == 2:
        blurred = cv2.GaussianBlur(base, (0, 0), 2.0).astype(np.float32)
        edited = np.clip(base * 2.0 - blurred, 0, 255).astype(np.uint8)
    elif kind == 3:
        gain, offset = rng.uniform(0.75, 1.3), rng.uniform(-25, 25)
        edited = np.clip(base.astype(np.float32) * gain + offset, 0, 255).astype(np.uint8)
    else:
        noise = rng.normal(0, rng.uniform(3, 8), base.shape)
        edited = np.clip(base + noise, 0, 255).astype(np.uint8)
    return _blend(base, edited, mask, rng)


KINDS: dict[str, Callable[..., Forgery]] = {
    "splice": splice,
    "copymove": copy_move,
    "retouch": retouch,
}
