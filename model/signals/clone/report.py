"""Report: the groups found, as the clone signal's score, sentences, regions and mask."""

from __future__ import annotations

import cv2
import numpy as np

from model.config import CloneConfig
from model.signals.clone.grouping import Group
from model.signals.result import SignalResult
from model.verdict import place


def result(
    groups: list[Group],
    strongest: int,
    scale: float,
    shape: tuple[int, int],
    config: CloneConfig,
) -> SignalResult:
    """The clone signal: a score from the matches of the ``strongest`` group, and a sentence,
    a region and the mask for each group found (coordinates scaled back by ``scale``)."""
    # A patch reaches this far past its corner.
    margin = (config.patch_grid - 1) / 2 * config.patch_step + config.patch_blur
    regions = [_region(g, scale, margin / scale, shape) for g in groups]
    findings = tuple(_sentence(r, shape) for r in regions)
    mask = _mask(groups, scale, round(margin / scale), shape) if groups else None
    return SignalResult(
        name="clone",
        score=strongest**2 / (strongest**2 + config.min_matches**2),
        findings=findings,
        details={"matches": strongest, "regions": regions},
        mask=mask,
    )


def _region(group: Group, scale: float, margin: float, shape: tuple[int, int]) -> dict:
    """A group in original pixel coordinates, JSON-safe."""
    source, target = group.source / scale, group.target / scale
    shift = target.mean(axis=0) - source.mean(axis=0)
    return {
        "matches": len(source),
        "source": _box(source, margin, shape),
        "target": _box(target, margin, shape),
        "shift": [round(float(shift[0]), 1), round(float(shift[1]), 1)],
        # Clockwise as displayed (image rows grow downwards).
        "rotation": round(
            float(np.degrees(np.arctan2(group.transform[1, 0], group.transform[0, 0]))), 1
        )
        + 0.0,  # no "-0.0"
        "scale": round(float(np.hypot(group.transform[0, 0], group.transform[1, 0])), 3),
    }


def _box(points: np.ndarray, margin: float, shape: tuple[int, int]) -> list[int]:
    """[x, y, width, height] around the points, widened by ``margin``, inside the image."""
    low = np.maximum(np.floor(points.min(axis=0) - margin), 0).astype(int)
    high = np.minimum(np.ceil(points.max(axis=0) + margin), [shape[1], shape[0]]).astype(int)
    return [int(low[0]), int(low[1]), int(high[0] - low[0]), int(high[1] - low[1])]


def _sentence(region: dict, shape: tuple[int, int]) -> str:
    source, target = (_centre(region[k], shape) for k in ("source", "target"))
    where = f"another spot near the {target}" if target == source else f"the {target}"
    how = f"{region['matches']} matching points"
    if abs(region["rotation"]) >= 3:
        how += f", turned {abs(region['rotation']):.0f}°"
    if abs(region["scale"] - 1) >= 0.03:
        how += f", resized to {100 * region['scale']:.0f}%"
    return f"A region near the {source} appears copied to {where} ({how})"


def _centre(box: list[int], shape: tuple[int, int]) -> str:
    """Where a box's centre lies, in the words of ``model.verdict.place``."""
    return place(box[1] + box[3] / 2, box[0] + box[2] / 2, shape)


def _mask(groups: list[Group], scale: float, margin: int, shape: tuple[int, int]) -> np.ndarray:
    """1 on both regions of every group: filled hulls of their points, widened by ``margin``
    (the corners sit inside a copied region; their patches reach its edge), and the pixels
    confirmed copied, at the target and mapped back to the source."""
    mask = np.zeros(shape, np.float32)  # drawn on directly: converting 12 MP costs ~10 ms
    for group in groups:
        backward = cv2.invertAffineTransform(group.transform)
        for points in (group.source, group.target):
            hull = cv2.convexHull(np.round(points / scale).astype(np.int32))
            cv2.fillConvexPoly(mask, hull, 1.0)
            cv2.polylines(mask, [hull], True, 1.0, thickness=2 * margin + 1)
        for outline in group.outlines:
            for points in (outline, outline @ backward[:, :2].T + backward[:, 2]):
                cv2.fillPoly(mask, [np.round(points / scale).astype(np.int32)], 1.0)
    return mask
