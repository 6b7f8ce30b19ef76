"""The ``clone`` signal: finds a region of a photo pasted elsewhere in the same photo.

A copy keeps its pixels, so the same corners turn up twice with near-identical
surroundings, even after one JPEG save, a small turn or rescale; error levels see nothing
there because both places share one compression history. The classic keypoint method:
corners, a descriptor around each, every descriptor matched against the others of the
same image, then groups of matches that one similarity transform explains.

Corners alone cannot tell a copy from a look-alike (twin windows, a repeated edge), so
every group's transform is checked densely: the pixels around its corners must agree,
window by window, with the places it maps them from, down to detail look-alikes lack.
That check, not the spread or the number of corners, decides; it also outlines the copy
for the mask, including stretches too faint to hold a corner.

Start from ``detect_copy_move`` below: it runs the steps in order, one module each —
``keypoints`` (corners and their descriptors), ``matching`` (pairs that look alike),
``grouping`` (pairs one transform explains, checked by ``confirmation``) and ``report``
(score, sentences, regions, mask). Every tunable is in ``model.config.CloneConfig``.
"""

from __future__ import annotations

import cv2
import numpy as np

from model.config import CloneConfig
from model.signals.clone import grouping, keypoints, matching, report
from model.signals.result import SignalResult


def detect_copy_move(rgb: np.ndarray, config: CloneConfig) -> SignalResult:
    """Looks for copied regions in an (H, W, 3) uint8 RGB image.

    The score grows with the matches of the strongest group whose copied pixels were
    confirmed (0.5 at ``config.min_matches``); findings, regions and the mask list only
    groups that reach it.
    Which of two regions is the original cannot be told: "source" is the first of the pair.
    """
    gray, scale = keypoints.work_image(rgb, config.max_side)
    points, angles = keypoints.corners(gray, config)
    if len(points) < 3:
        return report.result([], 0, scale, rgb.shape[:2], config)
    smooth = cv2.GaussianBlur(gray, (0, 0), config.patch_blur)
    descriptors, described = keypoints.describe(smooth, points, angles, config)
    points = points[described]
    if len(points) < 3:  # the corners' patches were flat: nothing to match
        return report.result([], 0, scale, rgb.shape[:2], config)
    pairs = matching.match(points, descriptors, config)
    fine = cv2.GaussianBlur(gray, (0, 0), config.check_blur).astype(np.float32)
    groups = grouping.groups(smooth, fine, points, pairs, config)
    strongest = max((len(g.source) for g in groups), default=0)
    found = [g for g in groups if len(g.source) >= config.min_matches]
    return report.result(found, strongest, scale, rgb.shape[:2], config)
