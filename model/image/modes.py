"""Decoded pictures of any mode (palette, grey, alpha, 16-bit, float) to the 8-bit RGB every
analyser reads, a tile at a time.

Converting a whole picture at once made copies of it in every intermediate type: a
7745 x 7745 RGBA PNG (60 M pixels) took 1.8 GB to become 180 MB of RGB, a float TIFF of that
size 1.9 GB. Tile by tile, only the output and one tile's intermediates are held."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from PIL import Image

# Grey deeper than 8 bits: Pillow's own conversion clips it, so numpy scales it instead.
_HIGH_DEPTH = {"I;16", "I;16L", "I;16B", "I;16N", "I", "F"}
_ALPHA = {"RGBA", "RGBa", "LA", "PA"}

Box = tuple[int, int, int, int]


def rgb8(image: Image.Image, tile_pixels: int) -> np.ndarray:
    """A loaded picture as an (H, W, 3) uint8 array, transparent areas on white, converted
    ``tile_pixels`` (or one row, if longer) at a time."""
    width, height = image.size
    pixels = np.empty((height, width, 3), np.uint8)
    span = _value_span(image, tile_pixels) if image.mode in _HIGH_DEPTH else None
    for left, top, right, bottom in _tiles(width, height, tile_pixels):
        tile = image.crop((left, top, right, bottom))
        pixels[top:bottom, left:right] = _tile_rgb8(tile, span)
    return pixels


def _tiles(width: int, height: int, tile_pixels: int) -> Iterator[Box]:
    """Boxes covering the picture: whole rows where a row fits, else pieces of a row."""
    columns = min(width, tile_pixels)
    rows = max(1, tile_pixels // width)
    for top in range(0, height, rows):
        for left in range(0, width, columns):
            yield left, top, min(width, left + columns), min(height, top + rows)


def _tile_rgb8(tile: Image.Image, span: tuple[float, float] | None) -> np.ndarray:
    if span is not None:
        grey = _scale_to_uint8(np.asarray(tile), span)
        return np.repeat(grey[:, :, None], 3, axis=2)
    if tile.mode in _ALPHA or "transparency" in tile.info:
        array = np.asarray(tile.convert("RGBA"))
        # Transparent areas as most viewers show them: on white.
        alpha = array[:, :, 3:].astype(np.uint16)
        rgb = array[:, :, :3].astype(np.uint16)
        return ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)
    return np.asarray(tile if tile.mode == "RGB" else tile.convert("RGB"))


def _finite(values: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):  # hostile floats may hold signalling NaNs
        return np.nan_to_num(values.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)


def _value_span(image: Image.Image, tile_pixels: int) -> tuple[float, float]:
    """Deep grey's range to map onto 0..255: its nominal one (16 bits, or [0, 1] for floats)
    when every value lies inside it, else the values' own (NaN and infinities count as 0)."""
    low, high = np.inf, -np.inf
    for box in _tiles(*image.size, tile_pixels):
        values = _finite(np.asarray(image.crop(box)))
        low, high = min(low, float(values.min())), max(high, float(values.max()))
    nominal = 1.0 if image.mode == "F" else 65535.0
    return (0.0, nominal) if low >= 0 and high <= nominal else (low, high)


def _scale_to_uint8(values: np.ndarray, span: tuple[float, float]) -> np.ndarray:
    low, high = span
    scale = 255.0 / (high - low) if high > low else 0.0
    return np.rint((_finite(values) - low) * scale).clip(0, 255).astype(np.uint8)
