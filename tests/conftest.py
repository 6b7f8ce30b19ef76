"""Shared test fixtures: images the tests make themselves (no dataset files in the repo)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image


def scene(seed: int, height: int = 256, width: int = 384) -> np.ndarray:
    """A photo-like RGB image: smooth gradients, textured shapes and sensor-like noise."""
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
