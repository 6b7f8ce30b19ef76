"""``fakecheck train-fusion``: the common scale on which the learned signals' evidence is
compared (``model.fusion``), fitted on the validation sets of all three tasks and measured
on their test sets.

The sets are those the other commands hold out, rebuilt here from the same seeds: the
ELA-CNN's (``model.training.holdout``, with resized and shortcut copies), and the probes'
(whole pictures and faces, each also as a copy shrunk to 0.75 and re-saved at 85, as
shared online). The test sets are written beside them for ``fakecheck evaluate``. The figure to hold: on every validation set, the verdict's score ranks as
well as the best single signal's, as near as the signals allow.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from model.config import DetectorConfig
from model.detector import Detector, evidence_of
from model.errors import ImageError
from model.findings import Examiner, Findings, Networks
from model.fusion import Fusion, logits
from model.nets.calibration import (
    Calibration,
    clear_threshold,
    fit_platt,
    precision_threshold,
)
from model.training.config import FusionTrainConfig, ProbeTrainConfig, TrainConfig
from model.training.evaluate import Outcome, auc, metrics
from model.training.holdout import write_sets
from model.training.manifest import (
    Row,
    read_manifest,
    split_by_source,
    split_stratified,
    write_manifest,
)

VERSION = "1"
SHARED_SCALE, SHARED_QUALITY = 0.75, 85
# The validation sets the scales are fitted on (the copy-move sets are left to the clone
# signal's rule), and those the fused probability is calibrated on: also the untouched
# photos re-saved at the forgeries' qualities, which have no AUC to rank by but must not
# be flagged.
FIT = (
    "val",
    "val_resized",
    "pictures_val",
    "pictures_val_shared",
    "faces_val",
    "faces_val_shared",
)
CALIBRATE = (*FIT, "val_shortcut")
# The tasks, each with its validation sets. ``likely_manipulated`` starts at the lowest
# threshold that holds the target precision on every task alone (pooled, the edits' many
# clean photos hid a face task at 0.91), and ``no_evidence`` at the highest under which at
# most a tenth of each task's pictures are manipulated, so the bands mean the same on
# edits, generated pictures and faces. The resized copies of the ELA-CNN's set are left
# out: a resize erases what every signal reads of a splice there (best AUC 0.51), so half
# of them would sit under any threshold and no picture could ever be "no evidence". Such a
# verdict says nothing of a resized splice, as the model card warns.
TASKS = {
    "edits": ("val", "val_shortcut"),
    "pictures": ("pictures_val", "pictures_val_shared"),
    "faces": ("faces_val", "faces_val_shared"),
}


def shared_copies(rows: list[Row], directory: Path) -> list[Row]:
    """Each picture shrunk and re-saved as shared online, both classes alike."""
    directory.mkdir(parents=True, exist_ok=True)
    copies = []
    for i, row in enumerate(rows):
        image = Image.open(row.path).convert("RGB")
        size = (round(image.width * SHARED_SCALE), round(image.height * SHARED_SCALE))
        path = directory / f"{i}.jpg"
        image.resize(size, Image.Resampling.BILINEAR).save(path, "JPEG", quality=SHARED_QUALITY)
        copies.append(replace(row, path=path))
    return copies


def write_all_sets(manifests: dict[str, list[Path]], directory: Path) -> dict[str, Path]:
    """Every validation and test set of the three tasks, as manifests under ``directory``."""
    train, probes = TrainConfig(), ProbeTrainConfig()
    paths: dict[str, Path] = {}
    rows = [row for manifest in manifests["ela"] for row in read_manifest(manifest)]
    splits = split_by_source(rows, train.val_share, train.test_share, train.seed)
    for split in ("val", "test"):
        paths |= write_sets(splits[split], split, directory / "ela", train)
    for task in ("pictures", "faces"):
        rows = read_manifest(manifests[task][0])
        parts = split_stratified(rows, probes.val_share, probes.test_share, probes.seed)
        for split in ("val", "test"):
            name = f"{task}_{split}"
            paths[name] = directory / f"{name}.csv"
            write_manifest(paths[name], parts[split])
            copies = shared_copies(parts[split], directory / f"{name}_shared")
            paths[f"{name}_shared"] = directory / f"{name}_shared.csv"
            write_manifest(paths[f"{name}_shared"], copies)
    return paths


def examine(examiner: Examiner, rows: list[Row], desc: str) -> list[tuple[Row, Findings]]:
    found = []
    for start in tqdm(range(0, len(rows), 16), desc=desc):
        chunk = rows[start : start + 16]
        results = examiner.examine_batch([row.path.read_bytes() for row in chunk])
        found += [(r, f) for r, f in zip(chunk, results) if not isinstance(f, ImageError)]
    return found


def fit_scale(
    sets: dict[str, tuple[np.ndarray, np.ndarray]], settings: FusionTrainConfig
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Scales and offsets of ELA's and the face probe's logits (the picture probe's stay
    as they are: a maximum does not change when every term moves alike) under which the
    strongest term ranks closest to the best single signal on every validation set: the
    worst set's shortfall is made as small as it goes, then the mean one. ``sets`` maps a
    name to the signals' logits (``fusion.logits``) and the labels."""
    best_single = {name: _best_single(values, labels) for name, (values, labels) in sets.items()}
    best = None
    grid = settings.scale_grid
    for ela_scale, ela_offset, face_scale, face_offset in itertools.product(
        grid, settings.offset_grid, grid, settings.offset_grid
    ):
        scales, offsets = (ela_scale, 1.0, face_scale), (ela_offset, 0.0, face_offset)
        fusion = Fusion(scales, offsets, Calibration(), VERSION)
        shortfalls = [
            auc(fusion.strongest(values), labels) - best_single[name]
            for name, (values, labels) in sets.items()
        ]
        key = (min(shortfalls), float(np.mean(shortfalls)))
        if best is None or key > best[0]:
            best = (key, scales, offsets)
    return best[1], best[2]


def _best_single(values: np.ndarray, labels: np.ndarray) -> float:
    """The best AUC of one signal alone over the whole set (no score ranks lowest)."""
    return max(auc(np.nan_to_num(column, nan=-np.inf), labels) for column in values.T)


def figures(detector: Detector, found: list[tuple[Row, Findings]], clone_threshold: float) -> dict:
    """``fakecheck evaluate``'s figures of the verdicts, with the best single signal's AUC."""
    outcomes = [Outcome.of(row, detector.verdict_of(f)) for row, f in found]
    result = metrics(outcomes, clone_threshold)
    singles = [value for value in result["signal_auc"].values() if value is not None]
    return result | {"best_single": max(singles, default=None)}


def train_fusion(config: DetectorConfig, manifests: dict[str, list[Path]], workdir: Path) -> dict:
    """Fits, calibrates and measures the fusion on the validation sets; writes fusion.json
    beside the weights, metrics.json to ``workdir`` and the test sets' manifests under
    ``workdir/sets`` for ``fakecheck evaluate`` (each image costs the whole detector, and
    the validation sets alone take most of the half hour a training command may take)."""
    settings = FusionTrainConfig()
    paths = write_all_sets(manifests, workdir / "sets")
    networks = Networks.load(config)
    faces_config = replace(config, faces=replace(config.faces, whole_image=True))
    found = {}
    for name in CALIBRATE:
        path = paths[name]
        # The face sets hold face crops: each is one face, judged without a search.
        examiner = Examiner(networks, faces_config if name.startswith("faces") else config)
        found[name] = examine(examiner, read_manifest(path), name)
    sets = {
        name: (
            logits([evidence_of(f, networks).fused() for _, f in found[name]]),
            _labels(found[name]),
        )
        for name in CALIBRATE
    }
    scales, offsets = fit_scale({name: sets[name] for name in FIT}, settings)
    unscaled = Fusion(scales, offsets, Calibration(), VERSION)
    strongest = {name: unscaled.strongest(values) for name, (values, _) in sets.items()}
    labels = {name: found_labels for name, (_, found_labels) in sets.items()}
    slope, intercept = fit_platt(
        np.concatenate(list(strongest.values())), np.concatenate(list(labels.values()))
    )
    scores = {name: Calibration(slope, intercept).probability(v) for name, v in strongest.items()}

    def joined(names: tuple[str, ...], of: dict[str, np.ndarray]) -> np.ndarray:
        return np.concatenate([of[name] for name in names])

    target = TrainConfig().target_precision
    high = max(
        precision_threshold(joined(names, scores), joined(names, labels), target)
        for names in TASKS.values()
    )
    clear = min(
        clear_threshold(joined(names, scores), joined(names, labels), high)
        for names in TASKS.values()
    )
    calibration = Calibration(slope, intercept, high, clear)
    fusion = replace(unscaled, calibration=calibration)
    detector = Detector(networks, fusion, config)
    measured = {name: figures(detector, f, config.clone.threshold) for name, f in found.items()}
    summary = {
        name: {key: m[key] for key in ("n", "auc", "best_single", "precision", "fpr")}
        for name, m in measured.items()
    }
    replace(fusion, summary=summary).save(config.weights_dir)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "metrics.json").write_text(json.dumps(measured, indent=2) + "\n")
    return measured


def _labels(found: list[tuple[Row, Findings]]) -> np.ndarray:
    return np.array([row.label for row, _ in found])
