"""A short real ``fakecheck train-ai`` run on a few pictures and faces of the shared
datasets, and the changed copies the probes learn from."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from model.config import get_config
from model.nets import probe
from model.nets.backbone import SIDE
from model.signals import ai_generated, synthetic_face
from model.training import views
from model.training.config import (
    ProbeTrainConfig,
    faces_manifest,
    pictures_manifest,
    train_manifests,
)
from model.training.evaluate import auc
from model.training.manifest import Row, read_manifest, write_manifest
from model.training.probe_train import fit, logits_of, train_probes
from tests.datasets import shared_datasets
from tests.images import scene


def few(manifest: Path, per_group: int, directory: Path) -> Path:
    """A manifest of the first ``per_group`` rows of each (collection, label)."""
    assert manifest.is_file(), f"{manifest} is missing: set FAKECHECK_DATASETS"
    rows: list[Row] = []
    for row in read_manifest(manifest):
        if sum(r.origin == row.origin and r.label == row.label for r in rows) < per_group:
            rows.append(row)
    path = directory / f"{manifest.parent.name}.csv"
    write_manifest(path, rows)
    return path


def test_changed_copies_keep_the_encoders_input():
    rng = np.random.default_rng(0)
    settings = ProbeTrainConfig()
    picture = scene(1, 256, 256)
    assert views.picture(picture).shape == (SIDE, SIDE, 3)
    changed = [views.picture_changed(picture, rng, settings) for _ in range(8)]
    assert all(c.shape == (SIDE, SIDE, 3) for c in changed)
    assert any(not np.array_equal(c, views.picture(picture)) for c in changed)
    assert views.face_changed(picture, rng, settings).shape == (SIDE, SIDE, 3)


def test_fit_learns_a_direction_and_folds_its_standardisation():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 400)
    features = rng.normal(5.0, 3.0, (400, 16)).astype(np.float32)
    features[:, 3] += 8.0 * labels  # one telling feature, off-centre and scaled
    network = fit(features, labels, 0.01, replace(ProbeTrainConfig(), steps=200))
    logits = logits_of(network, features)  # raw features: the standardisation is inside
    assert auc(logits, labels) > 0.9
    assert abs(float(np.asarray(network.kernel[...])[3, 0])) == pytest.approx(
        np.abs(np.asarray(network.kernel[...])[:, 0]).max()
    )


def test_a_short_training_run_writes_both_probes_and_its_figures(tmp_path):
    datasets = shared_datasets()
    pictures = few(pictures_manifest(datasets), 6, tmp_path)
    faces = few(faces_manifest(datasets), 10, tmp_path)
    photos = few(train_manifests(datasets)[1], 12, tmp_path)  # camera originals
    config = replace(get_config(), weights_dir=tmp_path / "weights")
    settings = replace(ProbeTrainConfig(), steps=100, val_share=0.2, test_share=0.2)
    metrics = train_probes(config, settings, pictures, faces, (photos,), tmp_path / "work")

    picture_metrics = metrics[ai_generated.NAME]
    assert set(picture_metrics) >= {
        "test_clean",
        "test_changed",
        "test_recompressed",
        "test_resized",
        "across_origins",
    }
    assert len(picture_metrics["across_origins"]) == 3  # every collection held out once
    assert "photos" in picture_metrics["test_clean"]["by_origin"]  # real ones from elsewhere
    assert set(metrics[synthetic_face.NAME]) >= {"test_clean", "test_resized", "face_search_rate"}
    for name in (ai_generated.NAME, synthetic_face.NAME):
        loaded = probe.load(config.weights_dir, name)
        assert loaded.calibration.manipulated_threshold >= loaded.calibration.clear_threshold
        assert loaded.summary["n"]["train"] > 0
    saved = json.loads((tmp_path / "work" / "metrics.json").read_text())
    assert set(saved) == {ai_generated.NAME, synthetic_face.NAME}
    assert (tmp_path / "work" / f"roc_{ai_generated.NAME}_test_clean.png").is_file()
