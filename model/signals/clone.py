"""The ``clone`` signal: finds a region of a photo pasted elsewhere in the same photo.

A copy keeps its pixels, so the same corners turn up twice with near-identical
surroundings, even after one JPEG save, a small turn or rescale; error levels see nothing
there because both places share one compression history. The classic keypoint method:
corners, a descriptor around each, every descriptor matched against the others of the
same image, then groups of matches that one similarity transform explains.

SIFT would be the textbook descriptor, but OpenCV's takes 60-200 ms per megapixel here
against a budget of about 15 ms, so corners come from ORB's detector (FAST, Harris-ranked,
with an orientation) and the descriptor is the patch around each corner, turned to that
orientation and whitened per image so that distances weigh detail rather than smooth
gradients. Measured on synthetic copy-moves from camera photos, it finds as many copies.

Corners alone cannot tell a copy from a look-alike (twin windows, a repeated edge), so
every group's transform is checked densely: the pixels around its corners must agree,
window by window, with the places it maps them from, down to detail look-alikes lack.
That check, not the spread or the number of corners, decides; it also outlines the copy
for the mask, including stretches too faint to hold a corner.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import cv2
import numpy as np

from model.config import CloneConfig
from model.signals.result import SignalResult


@dataclass(frozen=True)
class _Group:
    """Matched corners one similarity maps onto each other, at work scale."""

    source: np.ndarray  # (n, 2) points
    target: np.ndarray  # (n, 2) points, target[i] is the copy of source[i]
    transform: np.ndarray  # 2x3 similarity from source to target
    outlines: tuple[np.ndarray, ...] = ()  # (k, 2) contours of the pixels confirmed copied


def detect_copy_move(rgb: np.ndarray, config: CloneConfig) -> SignalResult:
    """Looks for copied regions in an (H, W, 3) uint8 RGB image.

    The score grows with the matches of the strongest group whose copied pixels were
    confirmed (0.5 at ``config.min_matches``); findings, regions and the mask list only
    groups that reach it.
    Which of two regions is the original cannot be told: "source" is the first of the pair.
    """
    gray, scale = _work_image(rgb, config.max_side)
    points, angles = _corners(gray, config)
    if len(points) < 3:
        return _result([], 0, scale, rgb.shape[:2], config)
    smooth = cv2.GaussianBlur(gray, (0, 0), config.patch_blur)
    descriptors, described = _describe(smooth, points, angles, config)
    points = points[described]
    if len(points) < 3:  # the corners' patches were flat: nothing to match
        return _result([], 0, scale, rgb.shape[:2], config)
    pairs = _match(points, descriptors, config)
    fine = cv2.GaussianBlur(gray, (0, 0), config.check_blur).astype(np.float32)
    groups = _groups(smooth, fine, points, pairs, config)
    strongest = max((len(g.source) for g in groups), default=0)
    found = [g for g in groups if len(g.source) >= config.min_matches]
    return _result(found, strongest, scale, rgb.shape[:2], config)


def _work_image(rgb: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
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


def _corners(gray: np.ndarray, config: CloneConfig) -> tuple[np.ndarray, np.ndarray]:
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


def _describe(
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
    upright, contrast = _patches(smooth, points, np.eye(2, dtype=np.float32), config)
    oriented, _ = _patches(smooth, points, turns, config)
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


def _patches(
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


def _match(points: np.ndarray, descriptors: list[np.ndarray], config: CloneConfig) -> np.ndarray:
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


def _groups(
    smooth: np.ndarray,
    fine: np.ndarray,
    points: np.ndarray,
    pairs: np.ndarray,
    config: CloneConfig,
) -> list[_Group]:
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
        group = _Group(source[piece], target[piece], transform)
        if not _plausible(smooth, group, config):
            continue
        area, share, outlines = _copied(fine, group, config)
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


def _plausible(smooth: np.ndarray, group: _Group, config: CloneConfig) -> bool:
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


def _copied(
    fine: np.ndarray, group: _Group, config: CloneConfig
) -> tuple[int, float, tuple[np.ndarray, ...]]:
    """Pixels (work scale) around the group's target corners that the transform confirms,
    their share of the textured pixels amid the corners, and the outlines of where they
    lie: windows nearly identical to the source window the transform maps there, joined to
    a corner.

    A copy repeats its source down to the detail and noise one JPEG save leaves, over its
    whole area; look-alikes (twin windows, letters, a straight edge) agree on a few corners
    and their broad shape, rarely on the fine texture of a patch of pixels around them.
    The search starts near the corners and widens while the copied pixels reach its edge."""
    height, width = fine.shape
    for margin in config.check_margins:
        low = np.maximum(np.floor(group.target.min(axis=0)) - margin, 0).astype(int)
        high = np.minimum(np.ceil(group.target.max(axis=0)) + margin, [width, height])
        confirmed, outline, share = _confirmed(fine, group, low, high.astype(int), config)
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
    fine: np.ndarray, group: _Group, low: np.ndarray, high: np.ndarray, config: CloneConfig
) -> tuple[np.ndarray, np.ndarray, float]:
    """Two uint8 maps of the box from ``low`` to ``high`` (x, y), over the pieces holding a
    corner where windows correlate with those the transform maps there: the strictly alike
    textured pixels that confirm the copy, and the loosely alike ones that outline it
    (flat, noisy stretches of a copy differ by their JPEG blocks, but not much). Also the
    share of the textured pixels amid the corners that are strictly alike: nearly all in a
    copy, a few in look-alikes, which share strong edges but not the texture between."""
    size = (int(high[0] - low[0]), int(high[1] - low[1]))
    shifted = group.transform - np.hstack([np.zeros((2, 2)), low[:, None]])
    here = fine[low[1] : high[1], low[0] : high[0]]
    there = cv2.warpAffine(fine, shifted, size, flags=cv2.INTER_LINEAR, borderValue=-1.0)
    window = np.ones((config.check_window,) * 2, np.uint8)
    inside = cv2.erode(there, window) >= 0
    alike, contrast, means = _window_correlation(here, there, config.check_window)
    loose = (alike > config.outline_correlation) & (contrast > config.outline_contrast) & inside
    _, labels = cv2.connectedComponents(loose.astype(np.uint8), connectivity=8)
    corners = np.round(group.target - low).astype(int)
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


def _repetition(smooth: np.ndarray, group: _Group, config: CloneConfig) -> float:
    """How alike the source looks to the places one more step along the transform, and
    one step back (median patch correlation; the better of the two). A copy resembles
    only its copy; a periodic texture resembles every step."""
    full = np.vstack([group.transform, [0.0, 0.0, 1.0]])
    height, width = smooth.shape
    margin = config.patch_grid * config.patch_step
    here, _ = _patches(smooth, group.source, np.eye(2), config)
    best = 0.0
    for step in (full @ full, np.linalg.inv(full)):
        there = group.source @ step[:2, :2].T + step[:2, 2]
        inside = np.all((there >= margin) & (there < [width - margin, height - margin]), axis=1)
        if inside.sum() >= 3:
            alike, contrast = _patches(smooth, there[inside], step[:2, :2], config)
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


def _result(
    groups: list[_Group],
    strongest: int,
    scale: float,
    shape: tuple[int, int],
    config: CloneConfig,
) -> SignalResult:
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


def _region(group: _Group, scale: float, margin: float, shape: tuple[int, int]) -> dict:
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
    source, target = (_place(region[k], shape) for k in ("source", "target"))
    where = f"another spot near the {target}" if target == source else f"the {target}"
    how = f"{region['matches']} matching points"
    if abs(region["rotation"]) >= 3:
        how += f", turned {abs(region['rotation']):.0f}°"
    if abs(region["scale"] - 1) >= 0.03:
        how += f", resized to {100 * region['scale']:.0f}%"
    return f"A region near the {source} appears copied to {where} ({how})"


def _place(box: list[int], shape: tuple[int, int]) -> str:
    """Where a box's centre lies, in the words of ``model.verdict.where``."""
    x, y = box[0] + box[2] / 2, box[1] + box[3] / 2
    row = ("top", "middle", "bottom")[min(2, int(3 * y // shape[0]))]
    col = ("left", "centre", "right")[min(2, int(3 * x // shape[1]))]
    if row == "middle":
        return "centre" if col == "centre" else f"{col} side"
    return f"{row} {col}" if col != "centre" else f"{row} centre"


def _mask(groups: list[_Group], scale: float, margin: int, shape: tuple[int, int]) -> np.ndarray:
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
