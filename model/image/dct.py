"""The 8x8 block DCT of JPEG and its quantisation tables.

JPEG stores each 8x8 block of luma as DCT coefficients divided by a quantisation table;
every JPEG-history signal here (ELA features, quality estimate, double compression) reads
that same lattice, so the transform lives in one place.
"""

from __future__ import annotations

import functools

import numpy as np

BLOCK = 8

# The example luminance and chrominance tables of the JPEG standard (Annex K), row-major;
# libjpeg (and so Pillow) scales them by quality.
_LUMA_BASE = np.array(
    [
        [16, 11, 10, 16, 24, 40, 51, 61],
        [12, 12, 14, 19, 26, 58, 60, 55],
        [14, 13, 16, 24, 40, 57, 69, 56],
        [14, 17, 22, 29, 51, 87, 80, 62],
        [18, 22, 37, 56, 68, 109, 103, 77],
        [24, 35, 55, 64, 81, 104, 113, 92],
        [49, 64, 78, 87, 103, 121, 120, 101],
        [72, 92, 95, 98, 112, 100, 103, 99],
    ],
    dtype=np.float64,
)
_CHROMA_BASE = np.array(
    [
        [17, 18, 24, 47, 99, 99, 99, 99],
        [18, 21, 26, 66, 99, 99, 99, 99],
        [24, 26, 56, 99, 99, 99, 99, 99],
        [47, 66, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
    ],
    dtype=np.float64,
)


def _dct_matrix() -> np.ndarray:
    k = np.arange(BLOCK)[:, None]
    n = np.arange(BLOCK)[None, :]
    m = np.cos(np.pi * (2 * n + 1) * k / (2 * BLOCK)) * np.sqrt(2 / BLOCK)
    m[0] /= np.sqrt(2)
    return m.astype(np.float32)


DCT_MATRIX = _dct_matrix()


def quant_table(quality: int, chroma: bool = False) -> np.ndarray:
    """The (8, 8) table libjpeg uses at ``quality`` (1..100), row-major."""
    if not 1 <= quality <= 100:
        raise ValueError(f"JPEG quality must be 1..100, got {quality}")
    scale = 5000 / quality if quality < 50 else 200 - 2 * quality
    base = _CHROMA_BASE if chroma else _LUMA_BASE
    return np.clip(np.floor((base * scale + 50) / 100), 1, 255).astype(np.float32)


def luma(rgb: np.ndarray) -> np.ndarray:
    """JPEG's Y channel (ITU-R BT.601) of an (H, W, 3) uint8 image, as float32."""
    rgb = rgb.astype(np.float32)
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def to_blocks(plane: np.ndarray) -> np.ndarray:
    """(H, W) -> (H//8, W//8, 8, 8): the blocks of the grid anchored at the top-left
    corner, where an uncropped JPEG's grid lies; a partial edge row/column is dropped."""
    return to_blocks_batched(plane)


def to_blocks_batched(planes):
    """``to_blocks`` for (..., H, W) arrays of numpy or JAX: (..., H//8, W//8, 8, 8)."""
    *lead, height, width = planes.shape
    bh, bw = height // BLOCK, width // BLOCK
    cropped = planes[..., : bh * BLOCK, : bw * BLOCK]
    blocks = cropped.reshape(*lead, bh, BLOCK, bw, BLOCK)
    n = len(lead)
    return blocks.transpose(*range(n), n, n + 2, n + 1, n + 3)


def from_blocks_batched(blocks):
    """Inverse of ``to_blocks_batched``: (..., bh, bw, 8, 8) -> (..., bh*8, bw*8)."""
    *lead, bh, bw, _, _ = blocks.shape
    n = len(lead)
    planes = blocks.transpose(*range(n), n, n + 2, n + 1, n + 3)
    return planes.reshape(*lead, bh * BLOCK, bw * BLOCK)


def from_blocks(blocks: np.ndarray) -> np.ndarray:
    """Inverse of ``to_blocks``: (bh, bw, 8, 8) -> (bh*8, bw*8)."""
    return from_blocks_batched(blocks)


def block_dct(blocks: np.ndarray) -> np.ndarray:
    """Orthonormal 2-D DCT-II of (..., 8, 8) pixel blocks, level-shifted by 128 as JPEG does."""
    return DCT_MATRIX @ (blocks - 128.0) @ DCT_MATRIX.T


@functools.cache
def block_dct_rows(positions: tuple[int, ...]) -> np.ndarray:
    """(len(positions), 64): the rows of ``block_dct`` for the given row-major coefficient
    positions, applied to flattened blocks. A few coefficients of thousands of blocks cost
    one matrix product this way: 0.4 ms for 14 coefficients of 4,096 blocks, 2.4 ms for all 64."""
    return np.kron(DCT_MATRIX, DCT_MATRIX)[list(positions)]


def block_idct(coefficients: np.ndarray) -> np.ndarray:
    """Inverse of ``block_dct`` without the level shift (use it on residuals)."""
    return DCT_MATRIX.T @ coefficients @ DCT_MATRIX
