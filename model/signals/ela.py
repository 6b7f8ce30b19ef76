"""Error Level Analysis on the JPEG block grid.

Classic ELA re-saves an image as JPEG and looks at what changed. Re-saving changes exactly
the part of each 8x8 block's DCT coefficients that does not sit on the new quantisation
lattice, so we compute that residual directly in the DCT domain: no encoder round trip,
several qualities for the price of one transform, and the same numbers for the network
and for the picture people see.

Large images are not resized (that would erase the block grid); instead every cell of a
bounded working grid contributes one of its own blocks, untouched. The sampled blocks
form a "mosaic" whose 8x8 grid is still the file's grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from model.image import dct
from model.image.dct import BLOCK


@dataclass(frozen=True)
class Mosaic:
    """Sampled blocks of one image, laid side by side on the working grid.

    ``pixels`` is (grid_h*8, grid_w*8, 3) uint8 RGB; ``factor`` is how many blocks per side
    one cell stands for (1 = every block is present); ``rows``/``cols`` are the pixel rows
    and columns of the source image each mosaic row/column came from.
    """

    pixels: np.ndarray
    factor: int
    rows: np.ndarray
    cols: np.ndarray

    @property
    def grid(self) -> tuple[int, int]:
        return self.pixels.shape[0] // BLOCK, self.pixels.shape[1] // BLOCK

    def sample(self, plane: np.ndarray) -> np.ndarray:
        """The same pixels of any (H, W, ...) array aligned with the source image."""
        return plane[np.ix_(self.rows, self.cols)]

    def cell_mean(self, plane: np.ndarray) -> np.ndarray:
        """Per-cell mean of an (H, W) map over the sampled pixels: masks onto the grid."""
        return dct.to_blocks(self.sample(plane).astype(np.float32)).mean(axis=(2, 3))


def _sampled_pixels(n_blocks: int, factor: int) -> np.ndarray:
    """Pixel indices of the middle block of each run of ``factor`` blocks."""
    cells = n_blocks // factor
    starts = (np.arange(cells) * factor + factor // 2) * BLOCK
    return (starts[:, None] + np.arange(BLOCK)[None, :]).reshape(-1)


def grid_factor(height: int, width: int, max_cells: int) -> int:
    return max(1, math.ceil(max(height // BLOCK, width // BLOCK) / max_cells))


def make_mosaic(rgb: np.ndarray, max_cells: int) -> Mosaic:
    """Sample one block per cell from an (H, W, 3) uint8 image in stored orientation."""
    height, width = rgb.shape[:2]
    factor = grid_factor(height, width, max_cells)
    rows = _sampled_pixels(height // BLOCK, factor)
    cols = _sampled_pixels(width // BLOCK, factor)
    return Mosaic(rgb[np.ix_(rows, cols)], factor, rows, cols)


def residuals(luma: jnp.ndarray, quality: int) -> jnp.ndarray:
    """DCT coefficients a re-save at ``quality`` would remove: (..., gh, gw, 8, 8)."""
    coefficients = dct.block_dct(dct.to_blocks_batched(jnp.asarray(luma)))
    table = jnp.asarray(dct.quant_table(quality))
    return coefficients - table * jnp.round(coefficients / table)


def features(luma: jnp.ndarray, qualities: tuple[int, ...]) -> jnp.ndarray:
    """Per-block error levels the network reads: (..., H, W) luma -> (..., gh, gw, C).

    Per quality: log energy of the re-save error (the ELA brightness of the block) and
    how far the block's non-zero coefficients sit off that quality's lattice (0 when the
    block was last saved at this quality: a "JPEG ghost"). Plus the block's texture, so
    the network can tell a smooth block (small error, no evidence) from a clean one.
    """
    coefficients = dct.block_dct(dct.to_blocks_batched(jnp.asarray(luma)))
    ac = coefficients.at[..., 0, 0].set(0.0)
    texture = jnp.log1p(jnp.mean(ac**2, axis=(-2, -1)))
    # All qualities at once: (..., gh, gw, Q, 8, 8).
    tables = np.stack([dct.quant_table(quality) for quality in qualities])
    scaled = coefficients[..., None, :, :] / tables
    off = jnp.abs(scaled - jnp.round(scaled))
    energy = jnp.log1p(jnp.mean((off * tables) ** 2, axis=(-2, -1)))
    coded = jnp.abs(scaled) >= 0.5
    ghost = jnp.sum(jnp.where(coded, off, 0.0), axis=(-2, -1)) / (
        jnp.sum(jnp.where(coded, 1.0, 0.0), axis=(-2, -1)) + 1.0
    )
    # Channels in the order texture, then (energy, ghost) per quality.
    per_quality = jnp.stack([energy, ghost], axis=-1).reshape(*energy.shape[:-1], -1)
    return jnp.concatenate([texture[..., None], per_quality], axis=-1)


def feature_count(qualities: tuple[int, ...]) -> int:
    return 1 + 2 * len(qualities)


def error_picture(error: np.ndarray) -> np.ndarray:
    """The ELA picture for people: |re-save error| scaled to 0..255 (uint8).

    Scaled by a high percentile rather than the maximum so one hot pixel cannot make the
    whole picture dark; brightness compares regions within one image, not across images.
    """
    top = max(float(np.percentile(error, 99.5)), 1.0)
    return np.clip(error * (255.0 / top), 0, 255).astype(np.uint8)


def padded(mosaic: Mosaic, cells_h: int, cells_w: int) -> tuple[np.ndarray, np.ndarray]:
    """The mosaic's pixels on a (cells_h, cells_w) grid, padded with flat grey, and the
    mask of cells that hold real blocks (padding must not count as evidence either way)."""
    grid_h, grid_w = mosaic.grid
    pixels = np.full((cells_h * BLOCK, cells_w * BLOCK, 3), 128.0, np.float32)
    pixels[: grid_h * BLOCK, : grid_w * BLOCK] = mosaic.pixels
    valid = np.zeros((cells_h, cells_w), np.float32)
    valid[:grid_h, :grid_w] = 1.0
    return pixels, valid
