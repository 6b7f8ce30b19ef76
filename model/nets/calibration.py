"""From network logits to a calibrated probability and the three verdict bands.

A public reply that wrongly accuses a photo does real harm, so the threshold of
``likely_manipulated`` is the lowest score that still holds the target precision on
validation data (which includes recompressed copies and untouched photos re-saved at the
forgeries' qualities), and ``no_evidence`` only starts where validation images below the
threshold are mostly untouched.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

# Below this share of forgeries among validation images scoring under a threshold, that
# threshold may open the no_evidence band.
NO_EVIDENCE_MISS_RATE = 0.10


@dataclass(frozen=True)
class Calibration:
    slope: float = 1.0
    intercept: float = 0.0
    manipulated_threshold: float = 0.9
    clear_threshold: float = 0.2

    def probability(self, logit: float | np.ndarray) -> np.ndarray:
        # tanh form of the logistic: no overflow for logits far from zero.
        return 0.5 * (1.0 + np.tanh((self.slope * np.asarray(logit) + self.intercept) / 2))

    def to_json(self) -> dict[str, float]:
        return {key: float(value) for key, value in asdict(self).items()}


def fit_platt(logits: np.ndarray, labels: np.ndarray, steps: int = 200) -> tuple[float, float]:
    """Logistic regression of labels on logits (Newton's method, lightly regularised).

    Each step is halved until the loss falls: from the start (1, 0), logits far from zero
    (the fusion's reach 40) saturate the probabilities, the curvature vanishes and a full
    step flew to a slope of 1e7."""
    x = np.stack([np.asarray(logits, np.float64), np.ones(len(logits))], axis=1)
    y = np.asarray(labels, np.float64)

    def loss(w: np.ndarray) -> float:
        z = x @ w
        return float(np.sum(np.logaddexp(0.0, z) - y * z) + 5e-4 * w @ w)

    w = np.array([1.0, 0.0])
    for _ in range(steps):
        p = 0.5 * (1.0 + np.tanh(x @ w / 2))
        gradient = x.T @ (p - y) + 1e-3 * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + 1e-3 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        while loss(w - step) > loss(w) and np.abs(step).max() > 1e-12:
            step = step / 2
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return float(w[0]), float(w[1])


def precision_threshold(scores: np.ndarray, labels: np.ndarray, target: float) -> float:
    """The lowest score threshold whose positives hold ``target`` precision (and every
    higher threshold too, so the band does not dip below target anywhere above it)."""
    order = np.argsort(-scores)
    sorted_scores, sorted_labels = scores[order], labels[order]
    true_pos = np.cumsum(sorted_labels)
    precision = true_pos / np.arange(1, len(scores) + 1)
    # Only cut between distinct scores.
    cut = np.r_[sorted_scores[1:] < sorted_scores[:-1], True]
    ok = np.minimum.accumulate(np.where(cut, precision, np.inf)) >= target
    ok &= cut
    if not ok.any():
        return 1.0
    last = np.nonzero(ok)[0].max()
    return float(sorted_scores[last])


def clear_threshold(scores: np.ndarray, labels: np.ndarray, ceiling: float) -> float:
    """The highest threshold (below ``ceiling``) under which at most NO_EVIDENCE_MISS_RATE of
    images are forgeries."""
    best = 0.0
    for threshold in np.unique(scores):
        if threshold >= ceiling:
            break
        below = scores < threshold
        if below.any() and labels[below].mean() <= NO_EVIDENCE_MISS_RATE:
            best = float(threshold)
    return best


def calibrate(logits: np.ndarray, labels: np.ndarray, target_precision: float) -> Calibration:
    slope, intercept = fit_platt(logits, labels)
    plain = Calibration(slope, intercept)
    scores = plain.probability(logits)
    high = precision_threshold(scores, labels, target_precision)
    return Calibration(slope, intercept, high, clear_threshold(scores, labels, high))


def reliability(scores: np.ndarray, labels: np.ndarray, bins: int = 10):
    """Per score bin: (mean predicted probability, observed share of forgeries, count)."""
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(scores, edges) - 1, 0, bins - 1)
    rows = []
    for b in range(bins):
        chosen = index == b
        if chosen.any():
            rows.append(
                (float(scores[chosen].mean()), float(labels[chosen].mean()), int(chosen.sum()))
            )
    return rows
