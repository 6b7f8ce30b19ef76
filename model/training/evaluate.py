"""``fakecheck evaluate``: the detector's figures on a labelled manifest.

Positive means ``likely_manipulated``: precision, recall and false-positive rate are those
of the band a public reply would act on; AUC is that of the score.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from model.config import DetectorConfig
from model.detector import Detector
from model.errors import ImageError
from model.files import analyze_files, why
from model.nets.calibration import reliability
from model.training.manifest import Row, read_manifest
from model.verdict import BANDS, LIKELY_MANIPULATED, Verdict

# The learned signals, measured alone beside the verdict.
LEARNED = ("ela_cnn", "ai_generated", "synthetic_face")


@dataclass(frozen=True)
class Outcome:
    row: Row
    score: float
    band: str
    signal_scores: dict[str, float | None]
    kind: str | None = None

    @classmethod
    def of(cls, row: Row, verdict: Verdict) -> Outcome:
        scores = {signal.name: signal.score for signal in verdict.signals}
        return cls(row, verdict.score, verdict.band, scores, verdict.kind)


def auc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """Area under the ROC curve (rank statistic, ties count half); None for one class."""
    positives, negatives = scores[labels == 1], scores[labels == 0]
    if not len(positives) or not len(negatives):
        return None
    order = np.argsort(np.concatenate([positives, negatives]), kind="mergesort")
    ranks = np.empty(len(order))
    values = np.concatenate([positives, negatives])[order]
    ranks[order] = _average_ranks(values)
    return float(
        (ranks[: len(positives)].sum() - len(positives) * (len(positives) + 1) / 2)
        / (len(positives) * len(negatives))
    )


def _average_ranks(sorted_values: np.ndarray) -> np.ndarray:
    ranks = np.arange(1, len(sorted_values) + 1, dtype=np.float64)
    _, first, counts = np.unique(sorted_values, return_index=True, return_counts=True)
    for start, count in zip(first, counts):
        if count > 1:
            ranks[start : start + count] = ranks[start : start + count].mean()
    return ranks


def run(
    detector: Detector, rows: list[Row], progress: bool = True
) -> tuple[list[Outcome], list[str]]:
    """Outcomes for the rows that decode, and the errors of those that do not."""
    outcomes, errors = [], []
    by_path = analyze_files(detector, [row.path for row in rows])
    for row, (path, result) in tqdm(
        zip(rows, by_path), total=len(rows), desc="evaluating", disable=not progress
    ):
        if isinstance(result, (ImageError, OSError)):
            errors.append(f"{path}: {why(result)}")
            continue
        outcomes.append(Outcome.of(row, result))
    return outcomes, errors


def flag_rates(flagged: np.ndarray, labels: np.ndarray) -> dict[str, float | None]:
    """Precision, recall and false-positive rate of a flag; None where nothing defines one."""
    positives, negatives = labels == 1, labels == 0
    true_pos = int((flagged & positives).sum())
    return {
        "precision": true_pos / int(flagged.sum()) if flagged.any() else None,
        "recall": true_pos / int(positives.sum()) if positives.any() else None,
        "fpr": float((flagged & negatives).sum() / negatives.sum()) if negatives.any() else None,
    }


def metrics(outcomes: list[Outcome], clone_threshold: float) -> dict[str, Any]:
    labels = np.array([o.row.label for o in outcomes])
    scores = np.array([o.score for o in outcomes])
    flagged = np.array([o.band == LIKELY_MANIPULATED for o in outcomes], dtype=bool)
    positives, negatives = labels == 1, labels == 0
    kinds = sorted({o.row.kind for o in outcomes if o.row.label})
    kind_of = np.array([o.row.kind for o in outcomes])
    clone_scores = np.array([o.signal_scores.get("clone") or 0.0 for o in outcomes])
    clone_found = clone_scores >= clone_threshold
    counts = Counter((o.row.label, o.band) for o in outcomes)
    return {
        "n": len(outcomes),
        "n_manipulated": int(positives.sum()),
        "auc": auc(scores, labels),
        "accuracy": float((flagged == positives).mean()) if len(outcomes) else None,
        **flag_rates(flagged, labels),
        "per_kind_auc": {
            kind: auc(scores[(kind_of == kind) | negatives], labels[(kind_of == kind) | negatives])
            for kind in kinds
        },
        "confusion": {
            label: {band: counts[(value, band)] for band in BANDS}
            for label, value in (("manipulated", 1), ("untouched", 0))
        },
        # Each learned signal over the whole set, an image it has no score for ranking
        # lowest: the verdict's score should rank about as well as the best of them.
        "signal_auc": {
            name: auc(np.array([_or_lowest(o.signal_scores.get(name)) for o in outcomes]), labels)
            for name in LEARNED
        },
        "flagged_as": dict(Counter(o.kind for o in outcomes if o.band == LIKELY_MANIPULATED)),
        "synthetic_face": _face_metrics(outcomes, labels),
        "clone": {
            "auc": auc(clone_scores, labels),
            "detection_rate": float(clone_found[positives].mean()) if positives.any() else None,
            "fpr": float(clone_found[negatives].mean()) if negatives.any() else None,
        },
    }


def _or_lowest(score: float | None) -> float:
    return -1.0 if score is None else score


def _face_metrics(outcomes: list[Outcome], labels: np.ndarray) -> dict[str, Any]:
    """The face signal alone, on the images where it found a face (it has no opinion elsewhere)."""
    scores = [o.signal_scores.get("synthetic_face") for o in outcomes]
    judged = np.array([score is not None for score in scores], dtype=bool)
    values = np.array([score for score in scores if score is not None])
    return {
        "faces_found": float(judged.mean()) if len(outcomes) else None,
        "auc": auc(values, labels[judged]) if judged.any() else None,
    }


def plot(outcomes: list[Outcome], directory: Path, title: str) -> None:
    """ROC curve and reliability diagram as PNG files (none for an empty set)."""
    if not outcomes:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = np.array([o.row.label for o in outcomes])
    scores = np.array([o.score for o in outcomes])
    directory.mkdir(parents=True, exist_ok=True)
    if 0 < labels.mean() < 1:
        thresholds = np.unique(scores)[::-1]
        tpr = [((scores >= t) & (labels == 1)).sum() / (labels == 1).sum() for t in thresholds]
        fpr = [((scores >= t) & (labels == 0)).sum() / (labels == 0).sum() for t in thresholds]
        figure, axes = plt.subplots(figsize=(4.5, 4.5))
        axes.plot([0, *fpr], [0, *tpr], label=f"AUC {auc(scores, labels):.3f}")
        axes.plot([0, 1], [0, 1], ls=":", c="grey")
        axes.set(xlabel="false-positive rate", ylabel="true-positive rate", title=f"ROC: {title}")
        axes.legend(loc="lower right")
        figure.tight_layout()
        figure.savefig(directory / f"roc_{title}.png", dpi=100)
        plt.close(figure)
    bins = reliability(scores, labels)
    figure, axes = plt.subplots(figsize=(4.5, 4.5))
    axes.plot([0, 1], [0, 1], ls=":", c="grey")
    axes.plot([b[0] for b in bins], [b[1] for b in bins], marker="o")
    axes.set(
        xlabel="predicted probability",
        ylabel="observed share manipulated",
        title=f"Reliability: {title}",
    )
    figure.tight_layout()
    figure.savefig(directory / f"reliability_{title}.png", dpi=100)
    plt.close(figure)


def evaluate_manifests(
    config: DetectorConfig, manifests: dict[str, Path], report: Path | None
) -> dict[str, Any]:
    """Figures for each named manifest (and plots in ``report`` when given)."""
    detector = Detector.load(config)
    results = {}
    for name, path in manifests.items():
        outcomes, errors = run(detector, read_manifest(path))
        results[name] = metrics(outcomes, config.clone.threshold) | {"errors": errors}
        if report is not None:
            plot(outcomes, report, name)
    return results
