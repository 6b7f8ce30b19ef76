"""Runs the network on many images at once.

Images have different grid sizes; XLA compiles one program per input shape, so grids are
padded up to a few bucket sizes and batches to powers of two. That bounds the number of
compilations while one forward pass serves a whole batch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from model.image import dct
from model.nets.compiled import Frozen, frozen_jit
from model.nets.network import ElaNet
from model.signals import ela

# Grid sides are rounded up to a multiple of this many cells.
BUCKET_CELLS = 16


@dataclass(frozen=True)
class Output:
    cells: np.ndarray  # (grid_h, grid_w) cell logits
    logit: float  # image logit
    error: np.ndarray  # (grid_h*8, grid_w*8) |re-save error| at the display quality


@frozen_jit(static_argnames=("quality",))
def _forward(model: ElaNet, rgb: jnp.ndarray, valid: jnp.ndarray, quality: int):
    cells, image = model(rgb, valid)
    error = jnp.abs(dct.from_blocks_batched(dct.block_idct(ela.residuals(dct.luma(rgb), quality))))
    return cells, image, error


def _bucket(cells: int) -> int:
    return max(BUCKET_CELLS, math.ceil(cells / BUCKET_CELLS) * BUCKET_CELLS)


@dataclass(frozen=True)
class Pending:
    """A forward pass in flight. JAX dispatches it to XLA's own threads and returns at
    once, so the caller can compute the other signals while the network runs."""

    mosaics: list[ela.Mosaic]
    arrays: tuple[jnp.ndarray, ...]

    def outputs(self) -> list[Output]:
        """Waits for the pass and returns each mosaic's outputs, in order."""
        if not self.mosaics:
            return []
        cells, image, error = (np.asarray(x) for x in self.arrays)
        return [
            Output(
                cells[i, : m.grid[0], : m.grid[1]],
                float(image[i]),
                error[i, : m.pixels.shape[0], : m.pixels.shape[1]],
            )
            for i, m in enumerate(self.mosaics)
        ]


def start(network: Frozen, mosaics: list[ela.Mosaic], quality: int = 90) -> Pending:
    """Starts the network and the ELA error at ``quality`` on every mosaic."""
    if not mosaics:
        return Pending([], ())
    cells_h = _bucket(max(m.grid[0] for m in mosaics))
    cells_w = _bucket(max(m.grid[1] for m in mosaics))
    batch = 2 ** math.ceil(math.log2(len(mosaics)))
    rgb = np.full((batch, cells_h * 8, cells_w * 8, 3), 128.0, np.float32)
    valid = np.zeros((batch, cells_h, cells_w), np.float32)
    for i, mosaic in enumerate(mosaics):
        rgb[i], valid[i] = ela.padded(mosaic, cells_h, cells_w)
    arrays = _forward(network, jnp.asarray(rgb), jnp.asarray(valid), quality=quality)
    return Pending(list(mosaics), tuple(arrays))


def run(network: Frozen, mosaics: list[ela.Mosaic], quality: int = 90) -> list[Output]:
    """The network's outputs and the ELA error at ``quality`` for every mosaic, in order."""
    return start(network, mosaics, quality).outputs()
