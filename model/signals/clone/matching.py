"""Matching: the pairs of corners whose patches look like copies of each other."""

from __future__ import annotations

import numpy as np

from model.config import CloneConfig


def match(points: np.ndarray, descriptors: list[np.ndarray], config: CloneConfig) -> np.ndarray:
    """Unordered index pairs (m, 2) of corners whose patches look like copies in any of the
    descriptor sets (the best similarity counts).

    Only rows whose nearest neighbour lies within ``max_distance`` can match, so only
    those are ranked; neighbours at the same spot (closer than ``min_shift``) are the same
    structure, not a copy, and are ignored.

    The table is made a block of rows at a time, keeping only the rows that can match: the
    whole (n, n) table (16 MB at 2000 corners) never fits in cache, and the blocks took
    8 ms where the table took 17 here."""
    close = 1.0 - config.max_distance**2 / 2  # unit vectors: squared distance = 2 - 2 cos
    kept_rows, kept_tables = [], []
    for start in range(0, len(points), config.match_block):
        block = np.arange(start, min(len(points), start + config.match_block))
        table = _similarity(descriptors, block)
        near = table.max(axis=1) > close
        kept_rows.append(block[near])
        kept_tables.append(table[near])
    rows, similarity = np.concatenate(kept_rows), np.concatenate(kept_tables)
    candidates = similarity.copy()
    near_row, near_col = _same_spot(points, rows, config.min_shift)
    candidates[near_row, near_col] = -1.0
    matched = candidates.max(axis=1) > close
    rows, similarity, candidates = rows[matched], similarity[matched], candidates[matched]
    ranked = np.empty((len(rows), config.neighbours), np.int64)
    everyone = np.arange(len(rows))
    for k in range(config.neighbours):
        ranked[:, k] = candidates.argmax(axis=1)
        candidates[everyone, ranked[:, k]] = -2.0
    distance = np.sqrt(np.maximum(2.0 - 2.0 * np.take_along_axis(similarity, ranked, 1), 0.0))
    keep = _generalized_2nn(distance, config.ratio, config.max_distance)
    first, second = np.broadcast_to(rows[:, None], ranked.shape)[keep], ranked[keep]
    pairs = np.stack([np.minimum(first, second), np.maximum(first, second)], axis=1)
    return np.unique(pairs, axis=0)


def _similarity(descriptors: list[np.ndarray], rows: np.ndarray) -> np.ndarray:
    """(len(rows), n): how alike each row's corner is to every corner, the best over the
    descriptor sets, and -1 with itself."""
    upright, oriented = descriptors
    similarity = np.maximum(upright[rows] @ upright.T, oriented[rows] @ oriented.T)
    similarity[np.arange(len(rows)), rows] = -1.0
    return similarity


def _same_spot(
    points: np.ndarray, rows: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """(index into rows, point index) of every point within ``radius`` of each row's point,
    itself included. Keyed by (band of y, x), each row's neighbourhood is three contiguous
    slices of the sorted keys, so the search never compares all pairs."""
    band = np.floor(points[:, 1] / radius)
    span = float(points[:, 0].max()) + 2 * radius + 1  # keys of two bands never interleave
    key = band * span + points[:, 0]
    order = np.argsort(key)
    ordered = key[order]
    found_row, found_col = [], []
    for step in (-1.0, 0.0, 1.0):
        centre = (band[rows] + step) * span + points[rows, 0]
        low = np.searchsorted(ordered, centre - radius)
        counts = np.searchsorted(ordered, centre + radius, side="right") - low
        found_row.append(np.repeat(np.arange(len(rows)), counts))
        starts = np.repeat(np.cumsum(counts) - counts - low, counts)
        found_col.append(order[np.arange(counts.sum()) - starts])
    row, col = np.concatenate(found_row), np.concatenate(found_col)
    offset = points[col] - points[rows[row]]
    near = offset[:, 0] ** 2 + offset[:, 1] ** 2 < radius**2
    return row[near], col[near]


def _generalized_2nn(distance: np.ndarray, ratio: float, max_distance: float) -> np.ndarray:
    """Which of each row's nearest neighbours (sorted, (r, k)) pass the generalized 2NN test
    (Amerini et al. 2011): neighbours are accepted up to the first one clearly nearer than
    the next (d_m < ratio * d_m+1), so a region copied twice keeps both copies; a row with
    no such gap among its k neighbours is ambiguous (texture) and keeps none."""
    gap = distance[:, :-1] < ratio * distance[:, 1:]
    first_gap = np.where(gap.any(axis=1), gap.argmax(axis=1), -1)
    position = np.arange(distance.shape[1])
    return (position[None, :] <= first_gap[:, None]) & (distance < max_distance)
