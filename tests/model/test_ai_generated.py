"""The ``ai_generated`` signal: its crops, the pretrained encoder, the probe, and the signal on
pictures from the shared datasets that the shipped probe never trained on."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from model.config import get_config
from model.errors import ModelError
from model.nets import probe
from model.nets.backbone import LAYERS, SIDE, WIDTH, Backbone, FeatureSpec
from model.nets.calibration import Calibration
from model.signals.ai_generated import NAME, crops, judge
from model.training.config import ProbeTrainConfig, pictures_manifest
from model.training.manifest import read_manifest, split_stratified
from tests.datasets import shared_datasets
from tests.images import scene


@pytest.fixture(scope="module")
def backbone() -> Backbone:
    config = get_config().backbone
    return Backbone.load(config.path, config.threads)


def test_crops_are_cut_at_the_pictures_own_resolution():
    pixels = scene(1, 600, 1000)
    cut = crops(pixels, 3)
    assert cut.shape == (3, SIDE, SIDE, 3)
    np.testing.assert_array_equal(cut[0], pixels[:SIDE, :SIDE])  # top left, unscaled
    np.testing.assert_array_equal(cut[2], pixels[-SIDE:, -SIDE:])  # bottom right
    # A picture little larger than a crop gives one: more would repeat the same pixels.
    assert crops(scene(2, 256, 256), 3).shape == (1, SIDE, SIDE, 3)


def test_narrow_pictures_give_bounded_crops():
    sliver = np.zeros((20, 100_000, 3), np.uint8)  # scaled whole, this would be 1 GB
    cut = crops(sliver, 3)
    assert cut.shape == (3, SIDE, SIDE, 3)
    assert crops(np.zeros((1, 1, 3), np.uint8), 3).shape == (1, SIDE, SIDE, 3)


def test_encoder_gives_every_layer_and_a_crops_features_are_its_own(backbone):
    """The graph quantises each call's activations on one range: a crop's features must not
    depend on the crops beside it (a probe's logit moved by 1.4 when they did)."""
    pictures = np.stack([crops(scene(seed, 300, 300), 1)[0] for seed in (3, 4, 5)])
    together = backbone.features(pictures)
    assert together.cls.shape == together.mean.shape == (3, LAYERS, WIDTH)
    alone = backbone.features(pictures[1:2])
    np.testing.assert_array_equal(alone.cls[0], together.cls[1])
    np.testing.assert_array_equal(alone.mean[0], together.mean[1])
    assert backbone.features(pictures[:0]).cls.shape == (0, LAYERS, WIDTH)
    spec = FeatureSpec("cls", (4, 5))
    assert spec.select(together).shape == (3, 2 * WIDTH)
    np.testing.assert_array_equal(spec.select(together)[:, WIDTH:], together.cls[:, 5])


def test_missing_or_broken_encoder_file_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="make install"):
        Backbone.load(tmp_path / "absent.onnx", 1)
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a network" * 100)
    with pytest.raises(ModelError):
        Backbone.load(garbage, 1)


def test_probe_round_trips_and_refuses_other_shapes(tmp_path, backbone):
    spec = FeatureSpec("mean", (2, 7))
    network = probe.linear(2 * WIDTH)
    saved = probe.Probe(network, spec, Calibration(0.9, 0.1, 0.8, 0.2), "t")
    probe.save(tmp_path, "test_probe", saved)
    loaded = probe.load(tmp_path, "test_probe")
    assert loaded.spec == spec and loaded.calibration == saved.calibration
    features = backbone.features(np.stack([crops(scene(6), 1)[0]] * 3))
    np.testing.assert_allclose(loaded.logits(features), saved.logits(features), rtol=1e-6)
    assert loaded.logits(features).shape == (3,)  # padded to 4 inside, cut back
    meta = json.loads((tmp_path / "test_probe.json").read_text())
    meta["features"]["layers"] = [2, 7, 9]  # three layers' worth for a two-layer kernel
    (tmp_path / "test_probe.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="do not fit"):
        probe.load(tmp_path, "test_probe")
    with pytest.raises(ModelError, match="cannot read"):
        probe.load(tmp_path, "absent")


def test_the_signal_reports_a_calibrated_score_and_words(backbone):
    shipped = probe.load(get_config().weights_dir, NAME)
    result = judge(scene(7, 480, 640), backbone, shipped, replace(get_config().ai, crops=2))
    assert result.name == NAME and 0.0 <= result.score <= 1.0
    assert result.details == {"crops": 2}
    sure = replace(shipped, calibration=replace(shipped.calibration, manipulated_threshold=0.0))
    said = judge(scene(7, 480, 640), backbone, sure, get_config().ai)
    assert said.findings and "looks AI-generated" in said.findings[0]


def test_held_out_generated_pictures_score_above_real_ones(backbone):
    """The test split of the shipped probe's training set (by its own seed): generated
    pictures from all three collections rank above the real photographs beside them."""
    manifest = pictures_manifest(shared_datasets())
    assert manifest.is_file(), f"{manifest} is missing: set FAKECHECK_DATASETS"
    settings = ProbeTrainConfig()
    test = split_stratified(
        read_manifest(manifest), settings.val_share, settings.test_share, settings.seed
    )["test"]
    shipped = probe.load(get_config().weights_dir, NAME)
    chosen = [r for origin in sorted({r.origin for r in test}) for r in _sample(test, origin)]
    scores = {0: [], 1: []}
    for row in chosen:
        pixels = np.asarray(Image.open(row.path).convert("RGB"))
        scores[row.label].append(judge(pixels, backbone, shipped, get_config().ai).score)
    assert np.mean(scores[1]) > np.mean(scores[0]) + 0.2


def _sample(rows: list, origin: str, per_label: int = 6) -> list:
    out = []
    for label in (0, 1):
        out += [r for r in rows if r.origin == origin and r.label == label][:per_label]
    return out
