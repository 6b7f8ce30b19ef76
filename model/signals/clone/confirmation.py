"""Confirmation: a group's transform checked densely, pixel by pixel.

Corners alone cannot tell a copy from a look-alike (twin windows, a repeated edge), so the
pixels around a group's corners must agree, window by window, with the places its
transform maps them from, down to detail look-alikes lack. The check also outlines the
copy for the mask, including stretches too faint to hold a corner.
"""

from __future__ import annotations

import cv2
import numpy as np

from model.config import CloneConfig


def copied(
    fine: np.ndarray, target: np.ndarray, transform: np.ndarray, config: CloneConfig
) -> tuple[int, float, tuple[np.ndarray, ...]]:
    """Pixels (work scale) around a group's ``target`` corners that its ``transform`` (2x3,
    from the source corners to the target ones) confirms,
    their share of the textured pixels amid the corners, and the outlines of where they
    lie: windows nearly identical to the source window the transform maps there, joined to
    a corner.

    A copy repeats its source down to the detail and noise one JPEG save leaves, over its
    whole area; look-alikes (twin windows, letters, a straight edge) agree on a few corners
    and their broad shape, rarely on the fine texture of a patch of pixels around them.
    The search starts near the corners and widens while the copied pixels reach its edge."""
    height, width = fine.shape
    for margin in config.check_margins:
        low = np.maximum(np.floor(target.min(axis=0)) - margin, 0).astype(int)
        high = np.minimum(np.ceil(target.max(axis=0)) + margin, [width, height]).astype(int)
        confirmed, outline, share = _confirmed(fine, target, transform, (low, high), config)
        edges = [outline[:, 0], outline[:, -1], outline[0], outline[-1]]
        open_sides = [low[0] > 0, high[0] < width, low[1] > 0, high[1] < height]
        if not any(e.any() for e, side in zip(edges, open_sides) if side):
            break
    window = np.ones((config.check_window,) * 2, np.uint8)
    closed = cv2.morphologyEx(outline, cv2.MORPH_CLOSE, window)
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outlines = tuple(c.reshape(-1, 2).astype(np.float32) + low for c in contours)
    return int(confirmed.sum()), share, outlines


def _confirmed(
    fine: np.ndarray,
    target: np.ndarray,
    transform: np.ndarray,
    box: tuple[np.ndarray, np.ndarray],
    config: CloneConfig,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Two uint8 maps of the ``box`` from low to high (x, y), over the pieces holding a
    corner where windows correlate with those the transform maps there: the strictly alike
    textured pixels that confirm the copy, and the loosely alike ones that outline it
    (flat, noisy stretches of a copy differ by their JPEG blocks, but not much). Also the
    share of the textured pixels amid the corners that are strictly alike: nearly all in a
    copy, a few in look-alikes, which share strong edges but not the texture between."""
    low, high = box
    size = (int(high[0] - low[0]), int(high[1] - low[1]))
    shifted = transform - np.hstack([np.zeros((2, 2)), low[:, None]])
    here = fine[low[1] : high[1], low[0] : high[0]]
    there = cv2.warpAffine(fine, shifted, size, flags=cv2.INTER_LINEAR, borderValue=-1.0)
    window = np.ones((config.check_window,) * 2, np.uint8)
    inside = cv2.erode(there, window) >= 0
    alike, contrast, means = _window_correlation(here, there, config.check_window)
    loose = (alike > config.outline_correlation) & (contrast > config.outline_contrast) & inside
    _, labels = cv2.connectedComponents(loose.astype(np.uint8), connectivity=8)
    corners = np.round(target - low).astype(int)
    corners = np.minimum(corners, [size[0] - 1, size[1] - 1])
    hit = np.unique(labels[corners[:, 1], corners[:, 0]])
    pieces = np.isin(labels, hit[hit > 0])
    textured = (contrast > config.check_contrast) & inside
    candidates = pieces & (alike > config.check_correlation) & textured
    strict = candidates & _same_tones(*means, candidates, config)
    hull = np.zeros(labels.shape, np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(corners.astype(np.int32)), 1)
    hull = cv2.dilate(hull, window) > 0
    share = float((strict & hull).sum() / max((textured & hull).sum(), 1))
    return strict.astype(np.uint8), pieces.astype(np.uint8), share


def _same_tones(
    here: np.ndarray, there: np.ndarray, candidates: np.ndarray, config: CloneConfig
) -> np.ndarray:
    """Where a window's mean (``here``) is its source's (``there``) moved by the copy's
    one brightness shift, fitted over the candidate windows within ``max_tone_shift``."""
    if not candidates.any():
        return candidates
    most = config.max_tone_shift
    shift = np.clip(np.median(here[candidates] - there[candidates]), -most, most)
    return np.abs(here - there - shift) < config.check_level


def _window_correlation(
    first: np.ndarray, second: np.ndarray, side: int
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Per pixel: correlation of the two images over the ``side`` x ``side`` window around
    it, the lower of their RMS contrasts there, and both images' means."""

    def mean(image: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(image, -1, (side, side))

    first_mean, second_mean = mean(first), mean(second)
    first_var = mean(first * first) - first_mean**2
    second_var = mean(second * second) - second_mean**2
    covariance = mean(first * second) - first_mean * second_mean
    correlation = covariance / np.sqrt(np.maximum(first_var * second_var, 1e-6))
    contrast = np.sqrt(np.maximum(np.minimum(first_var, second_var), 0.0))
    return correlation, contrast, (first_mean, second_mean)
