"""Keypoints of the copy-move search: the corners of the work image, spread over it, and a
descriptor of the patch around each.

SIFT would be the textbook descriptor, but OpenCV's takes 60-200 ms per megapixel here
against a budget of about 15 ms, so corners come from ORB's detector (FAST, Harris-ranked,
with an orientation) and the descriptor is the patch around each corner, turned to that
orientation and whitened per image so that distances weigh detail rather than smooth
gradients. Measured on synthetic copy-moves from camera photos, it finds as many copies.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

from model.config import CloneConfig


def work_image(rgb: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """Grayscale copy with its longer side at most ``max_side``, and its scale.

    Halvings by 2x2 averages first (OpenCV's fast path: a 12 MP photo in about 1 ms where
    other factors take 5-15 ms), then a linear step of at most another half. A sliver of
    image (1 x 20000) is never halved to nothing: it keeps a row, and holds no corner."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    scale = 1.0
    while max(gray.shape) // 2 >= max_side and min(gray.shape) >= 2:
        height, width = gray.shape
        even = gray[: height // 2 * 2, : width // 2 * 2]
        gray = cv2.resize(even, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
        scale /= 2
    rest = min(1.0, max_side / max(gray.shape))
    if rest < 1.0:
        size = (max(1, round(gray.shape[1] * rest)), max(1, round(gray.shape[0] * rest)))
        gray = cv2.resize(gray, size, interpolation=cv2.INTER_LINEAR)
    return gray, scale * rest


def corners(gray: np.ndarray, config: CloneConfig) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``max_keypoints`` corners as (n, 2) points, and their orientations in radians, spread
    over the image: at most a share of them per cell of a grid, strongest first.

    Ranked over the whole image, the strongest corners crowd into the busiest texture
    (foliage, gravel) and a copied region of faint texture gets none of its own."""
    limit, cells_across = config.max_keypoints, config.spread_cells
    orb = cv2.ORB_create(
        nfeatures=config.candidates_per_corner * limit,
        nlevels=1,
        edgeThreshold=config.border,
        fastThreshold=config.fast_threshold,
    )
    keypoints = orb.detect(gray, None)
    points = np.array(cv2.KeyPoint_convert(keypoints), np.float32).reshape(-1, 2)
    # Each attribute read from a keypoint costs Python time: all strengths are needed for
    # the ranking, only the kept corners' angles (1.8 ms -> 0.5 ms for 8000 at 1 MP).
    strength = np.array([k.response for k in keypoints], np.float32)
    cell_side = max(gray.shape) / cells_across
    cells = (points[:, 1] // cell_side) * (cells_across + 1) + points[:, 0] // cell_side
    order = np.lexsort((-strength, cells))
    sorted_cells = cells[order]
    starts = np.searchsorted(sorted_cells, sorted_cells)
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order)) - starts
    cap = max(1, 2 * limit // cells_across**2)
    kept = np.flatnonzero(rank < cap)
    kept = kept[np.argsort(-strength[kept], kind="stable")[:limit]]
    angles = np.array([keypoints[i].angle for i in kept], np.float32)
    return points[kept], np.radians(angles)


def describe(
    smooth: np.ndarray, points: np.ndarray, angles: np.ndarray, config: CloneConfig
) -> tuple[list[np.ndarray], np.ndarray]:
    """Two sets of whitened unit-length patch descriptors, upright and turned to each
    corner's orientation, and which points got them (flat patches say nothing, dropped).

    The orientation (an intensity centroid) is unsteady on weak corners: it differs by more
    than 20 degrees between a corner and its exact copy for about two pairs in five, so the
    upright patch catches the copies that were not turned and the oriented one those that were.
    Patches are projected on the lowest-frequency cosines (the principal components of
    natural image patches, near enough) and each scaled by its spread in this image. A fixed
    basis also keeps LAPACK out: its threads stall behind OpenCV's, up to 50 ms here."""
    cos, sin = np.cos(angles), np.sin(angles)
    turns = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], axis=1)
    upright, contrast = patches(smooth, points, np.eye(2, dtype=np.float32), config)
    oriented, _ = patches(smooth, points, turns, config)
    described = contrast > config.min_patch_contrast
    return [_whitened(p[described], config) for p in (upright, oriented)], described


def _whitened(patches: np.ndarray, config: CloneConfig) -> np.ndarray:
    """Unit-length projections of patches on the cosines, each scaled by its spread."""
    if not len(patches):  # cv2.gemm answers None for no rows
        return np.zeros((0, config.descriptor_dims), np.float32)
    cosines = _cosines(config.patch_grid, config.descriptor_dims)
    components = cv2.gemm(patches, cosines, 1.0, None, 0.0)
    variances = np.mean(components**2, axis=0)
    components /= np.sqrt(variances + config.whiten_floor * variances.mean())
    components /= np.maximum(np.linalg.norm(components, axis=1, keepdims=True), 1e-6)
    return components


@cache
def _cosines(grid: int, dims: int) -> np.ndarray:
    """(grid², dims): the dims lowest-frequency 2-D DCT-II functions on the patch grid,
    constant excluded (patches have zero mean)."""
    n = np.arange(grid)
    waves = np.cos(np.pi * (2 * n[None, :] + 1) * n[:, None] / (2 * grid))
    waves /= np.linalg.norm(waves, axis=1, keepdims=True)
    order = sorted(((u, v) for u in n for v in n), key=lambda f: (f[0] + f[1], f[0]))
    chosen = order[1 : dims + 1]
    return np.stack([np.outer(waves[v], waves[u]).ravel() for u, v in chosen], axis=1).astype(
        np.float32
    )


def patches(
    smooth: np.ndarray, centres: np.ndarray, linear: np.ndarray, config: CloneConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Zero-mean unit-length patches (n, patch_grid²) sampled around ``centres`` on the grid
    mapped by ``linear`` ((2, 2), or (n, 2, 2) per centre), and their RMS contrast."""
    grid_side = config.patch_grid
    offsets = (np.arange(grid_side, dtype=np.float32) - (grid_side - 1) / 2) * config.patch_step
    grid = np.stack(np.meshgrid(offsets, offsets), axis=-1).reshape(-1, 2)
    where = (centres[:, None, :] + grid @ np.swapaxes(linear, -1, -2)).astype(np.float32)
    patches = cv2.remap(
        smooth, where[..., 0], where[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    ).astype(np.float32)
    patches -= patches.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(patches, axis=1)
    return patches / np.maximum(norms, 1e-6)[:, None], norms / grid_side
