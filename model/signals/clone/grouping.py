"""Grouping: matched pairs that one similarity transform explains (RANSAC), kept when they
look like a pasted region rather than a repeated texture and the dense check
(``confirmation``) finds their pixels copied."""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from model.config import CloneConfig
from model.signals.clone.confirmation import copied
from model.signals.clone.keypoints import patches


@dataclass(frozen=True)
class Group:
    """Matched corners one similarity maps onto each other, at work scale."""

    source: np.ndarray  # (n, 2) points
    target: np.ndarray  # (n, 2) points, target[i] is the copy of source[i]
    transform: np.ndarray  # 2x3 similarity from source to target
    outlines: tuple[np.ndarray, ...] = ()  # (k, 2) contours of the pixels confirmed copied


def groups(
    smooth: np.ndarray,
    fine: np.ndarray,
    points: np.ndarray,
    pairs: np.ndarray,
    config: CloneConfig,
) -> list[Group]:
    """Groups of pairs one similarity explains (RANSAC), strongest first, each checked.

    Pairs are unordered, so each goes in both ways; the fit takes one direction and its
    inliers leave the pool before the next search (several copies, or the copy of a copy)."""
    groups = []
    link = config.link * max(smooth.shape)
    for _ in range(config.max_groups):
        if len(pairs) < 3:
            break
        first, second = pairs[:, 0], pairs[:, 1]
        transform, inliers = cv2.estimateAffinePartial2D(
            np.concatenate([points[first], points[second]]),
            np.concatenate([points[second], points[first]]),
            method=cv2.RANSAC,
            ransacReprojThreshold=config.ransac_threshold,
            maxIters=config.ransac_iterations,
            confidence=config.ransac_confidence,
        )
        if transform is None:
            break
        forward, backward = np.split(inliers.ravel().astype(bool), 2)
        used = forward | backward
        if used.sum() < 3:
            break
        source = points[np.where(forward, first, second)[used]]
        target = points[np.where(forward, second, first)[used]]
        pairs = pairs[~used]
        piece = _largest_piece(source, link)
        group = Group(source[piece], target[piece], transform)
        if not _plausible(smooth, group, config):
            continue
        area, share, outlines = copied(fine, group.target, group.transform, config)
        if area >= config.min_area and share >= config.min_share:
            groups.append(replace(group, outlines=outlines))
    return groups


def _largest_piece(points: np.ndarray, link: float) -> np.ndarray:
    """The biggest set of points joined by steps shorter than ``link``: a pasted region is
    one piece, while look-alikes (letters, windows) sharing a shift lie scattered."""
    x, y = points[:, :1], points[:, 1:]
    near = (x - x.T) ** 2 + (y - y.T) ** 2 < link**2
    label = np.arange(len(points))
    while True:
        lowest = np.where(near, label[None, :], len(points)).min(axis=1)
        lowest = lowest[lowest]  # jump along chains
        if np.array_equal(lowest, label):
            return label == np.bincount(label).argmax()
        label = lowest


def _plausible(smooth: np.ndarray, group: Group, config: CloneConfig) -> bool:
    """Whether a group looks like a pasted region rather than a repeated texture.

    Rows of windows, tiles and text also match themselves under a shift, but their two
    point clouds overlap, and one step further (or back) along the shift finds the same
    texture again; a pasted region stands apart and resembles only its copy."""
    scale = float(np.hypot(group.transform[0, 0], group.transform[1, 0]))
    most = config.max_scale_change
    if len(group.source) < 3 or not 1 / most <= scale <= most:
        return False
    return (
        _overlap(group.source, group.target) <= config.max_overlap
        and _repetition(smooth, group, config) <= config.max_repetition
    )


def _repetition(smooth: np.ndarray, group: Group, config: CloneConfig) -> float:
    """How alike the source looks to the places one more step along the transform, and
    one step back (median patch correlation; the better of the two). A copy resembles
    only its copy; a periodic texture resembles every step."""
    full = np.vstack([group.transform, [0.0, 0.0, 1.0]])
    height, width = smooth.shape
    margin = config.patch_grid * config.patch_step
    here, _ = patches(smooth, group.source, np.eye(2), config)
    best = 0.0
    for step in (full @ full, np.linalg.inv(full)):
        there = group.source @ step[:2, :2].T + step[:2, 2]
        inside = np.all((there >= margin) & (there < [width - margin, height - margin]), axis=1)
        if inside.sum() >= 3:
            alike, contrast = patches(smooth, there[inside], step[:2, :2], config)
            # A flat patch normalised to unit length is a faint gradient that matches any
            # smooth patch: a copied face's skin "repeated" on a bare wall one step on.
            textured = contrast > config.check_contrast
            correlation = np.where(textured, np.sum(here[inside] * alike, 1), 0)
            best = max(best, float(np.median(correlation)))
    return best


def _overlap(first: np.ndarray, second: np.ndarray) -> float:
    """Shared area of the two points' convex hulls, as a share of the smaller hull."""
    hulls = [cv2.convexHull(p.astype(np.float32)) for p in (first, second)]
    smaller = min(cv2.contourArea(h) for h in hulls)
    if smaller <= 1.0:
        return 0.0
    shared, _ = cv2.intersectConvexConvex(*hulls)
    return float(shared) / smaller
