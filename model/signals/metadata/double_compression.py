"""Double JPEG compression: evidence that a JPEG's luma was quantised before its last save,
and at about which quality (Lukas & Fridrich; Popescu & Farid)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from model.image import dct

# Double quantisation: low-frequency AC positions (row-major) that keep enough non-zero
# coefficients, histogram bins per position, and the block budget that bounds the work.
_FREQS = np.array([1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4])
_BINS = 24
_MAX_BLOCKS = 4096
_MIN_COUNT = 200
# Earlier qualities tried: lower ones are rare and change no decision on camera photos.
_MIN_EARLIER = 30
# Smooth log-envelope of a coefficient histogram over its bins: heavy-tailed, so a log
# term beside the quadratic; the periodic gaps and peaks of double quantisation do not fit it.
_POSITION = np.arange(1, _BINS + 1) / _BINS
_ENVELOPE = np.stack([np.ones(_BINS), _POSITION, _POSITION**2, np.log(_POSITION)], axis=1)


def double_compression(pixels: np.ndarray, luma_table: Sequence[int]) -> tuple[float, int]:
    """Evidence that the luma was quantised before the file's own ``luma_table``.

    Double quantisation (Lukas & Fridrich; Popescu & Farid): coefficients quantised with
    step q1, then with q2, crowd into some multiples of q2 and leave others empty, a
    periodic pattern a single compression cannot make. For each earlier libjpeg quality,
    each position's histogram is fitted with a smooth envelope times that pattern (a
    Poisson model) and compared with the envelope alone. Returns the summed log-likelihood
    gain (deviance) of the best earlier quality, and that quality; 0 when nothing fits better.
    """
    values = _coefficients(pixels)
    steps = np.maximum(np.asarray(luma_table, dtype=np.int64)[_FREQS], 1)  # 0 is invalid
    histograms = [
        np.bincount(np.abs(np.rint(v / q2)).astype(np.int64), minlength=_BINS + 1)[1 : _BINS + 1]
        for v, q2 in zip(values.T, steps, strict=True)
    ]
    return _best_earlier(np.array(histograms), steps)


def _best_earlier(histograms: np.ndarray, steps: np.ndarray) -> tuple[float, int]:
    """``double_compression`` from the (len(_FREQS), _BINS) histograms of |value / step|."""
    counts, offsets, owners = [], [], []
    for f, (histogram, q2) in enumerate(zip(histograms, steps.tolist(), strict=True)):
        if q2 < 2 or histogram.sum() < _MIN_COUNT:
            continue  # step 1 keeps every integer: no earlier step can show through it
        earlier, patterns = _candidates(f, q2)
        counts.append(np.broadcast_to(histogram, (len(patterns) + 1, _BINS)))
        offsets += [np.zeros((1, _BINS)), patterns]
        owners.append((f, earlier))
    if not counts:
        return 0.0, 0
    deviance = _deviance(np.concatenate(counts).astype(np.float64), np.concatenate(offsets))
    gain = np.zeros((len(_FREQS), 256))
    row = 0
    for f, earlier in owners:
        gain[f, earlier] = deviance[row] - deviance[row + 1 : row + 1 + len(earlier)]
        row += 1 + len(earlier)
    standard = _standard_steps()
    joint = gain[np.arange(len(_FREQS)), standard].sum(axis=1)
    best = int(joint.argmax())
    return max(float(joint[best]), 0.0), _MIN_EARLIER + best


def _coefficients(pixels: np.ndarray) -> np.ndarray:
    """(n, len(_FREQS)) luma DCT coefficients of at most ``_MAX_BLOCKS`` blocks.

    Every ``stride``-th row of blocks is used, so the luma is computed only where needed.
    Blocks touching black or white are dropped: clipping moves coefficients off the
    quantisation lattice.
    """
    height, width = pixels.shape[:2]
    rows, cols = height // dct.BLOCK, width // dct.BLOCK
    stride = max(1, -(-rows * cols // _MAX_BLOCKS))
    band = pixels[: rows * dct.BLOCK].reshape(rows, dct.BLOCK, width, 3)[::stride]
    plane = dct.luma(band.reshape(-1, width, 3))
    clipped = dct.to_blocks((plane < 0.5) | (plane > 254.5)).reshape(-1, dct.BLOCK**2).any(axis=1)
    blocks = dct.to_blocks(plane).reshape(-1, dct.BLOCK**2)[~clipped]
    return (blocks - 128.0) @ dct.block_dct_rows(tuple(_FREQS.tolist())).T


@functools.cache
def _standard_steps() -> np.ndarray:
    """(qualities, len(_FREQS)) libjpeg luma steps at qualities _MIN_EARLIER..100."""
    tables = [dct.quant_table(q).reshape(-1)[_FREQS] for q in range(_MIN_EARLIER, 101)]
    return np.stack(tables).astype(np.int64)


@functools.cache
def _candidates(f: int, q2: int) -> tuple[np.ndarray, np.ndarray]:
    """The earlier steps at position ``f`` that leave a pattern under step ``q2`` (a step
    dividing q2 leaves none), and their patterns."""
    kept = [(q1, _log_pattern(q1, q2)) for q1 in np.unique(_standard_steps()[:, f]).tolist()]
    kept = [(q1, pattern) for q1, pattern in kept if pattern.any()]
    return np.array([q1 for q1, _ in kept], dtype=np.int64), np.array(
        [pattern for _, pattern in kept]
    ).reshape(-1, _BINS)


@functools.cache
def _log_pattern(q1: int, q2: int) -> np.ndarray:
    """Log of the share of step-q1 values that land in each step-q2 bin 1.._BINS,
    relative to a single compression (0 everywhere when q1 divides q2: no trace)."""
    k2 = np.arange(1, _BINS + 1)[:, None]
    k1 = np.arange((_BINS + 1) * q2 // q1 + 2)[None, :]
    distance = 2 * np.abs(k1 * q1 - k2 * q2)
    hits = (distance < q2) + 0.5 * (distance == q2)
    # A floor, because pixel rounding between the compressions leaks a little into gaps.
    return np.log(np.maximum(hits.sum(axis=1) * q1 / q2, 0.2))


def _deviance(counts: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Poisson deviance of log(mean) = envelope + offset, per row.

    The fit is weighted least squares on the log counts refined by one Poisson (IRLS)
    step; more steps changed no decision on the camera photos and cost time.
    """
    x = _ENVELOPE
    weight = counts + 0.5
    beta = _solve(weight, x, np.log(weight) - offsets)
    mean = np.exp(np.clip(beta @ x.T + offsets, -30, 30))
    beta = _solve(mean, x, beta @ x.T + (counts - mean) / mean)
    mean = np.exp(np.clip(beta @ x.T + offsets, -30, 30))
    ratio = np.where(counts > 0, counts / mean, 1.0)
    return 2 * (counts * np.log(ratio) - (counts - mean)).sum(axis=1)


def _solve(weight: np.ndarray, x: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Row-wise weighted least squares of ``target`` on the columns of ``x``."""
    weighted = weight[..., None] * x
    normal = weighted.transpose(0, 2, 1) @ x + 1e-6 * np.eye(x.shape[1])
    return np.linalg.solve(normal, (weighted * target[..., None]).sum(axis=1)[..., None])[..., 0]
