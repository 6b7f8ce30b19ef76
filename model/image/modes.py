"""Decoded pictures of any mode (palette, grey, alpha, 16-bit, float) to the 8-bit RGB every
analyser reads."""

from __future__ import annotations

import numpy as np
from PIL import Image

# Grey deeper than 8 bits: Pillow's own conversion clips it, so numpy scales it instead.
_HIGH_DEPTH = {"I;16", "I;16L", "I;16B", "I;16N", "I", "F"}
_ALPHA = {"RGBA", "RGBa", "LA", "PA"}


def normalised(image: Image.Image) -> Image.Image:
    """The image in RGB, RGBA, or a high-depth grey mode left for numpy to scale."""
    if image.mode in _HIGH_DEPTH:
        return image
    if image.mode in _ALPHA or "transparency" in image.info:
        return image.convert("RGBA")
    return image if image.mode == "RGB" else image.convert("RGB")


def rgb8(array: np.ndarray) -> np.ndarray:
    """A ``normalised`` picture's array in 8-bit RGB, transparent areas on white."""
    if array.dtype != np.uint8:
        array = _scale_to_uint8(array)
    if array.ndim == 2:
        return np.repeat(array[:, :, None], 3, axis=2)
    if array.shape[2] == 4:  # transparent areas as most viewers show them: on white
        alpha = array[:, :, 3:].astype(np.uint16)
        rgb = array[:, :, :3].astype(np.uint16)
        return ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)
    return array


def _scale_to_uint8(values: np.ndarray) -> np.ndarray:
    """Deep grey to 0..255 by its nominal range (16 bits or [0, 1]), else by its own range."""
    with np.errstate(invalid="ignore"):  # hostile floats may hold signalling NaNs
        floats = np.nan_to_num(values.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    low, high = float(floats.min()), float(floats.max())
    nominal = 1.0 if values.dtype.kind == "f" else 65535.0
    if low >= 0 and high <= nominal:
        low, high = 0.0, nominal
    scale = 255.0 / (high - low) if high > low else 0.0
    return np.rint((floats - low) * scale).clip(0, 255).astype(np.uint8)
