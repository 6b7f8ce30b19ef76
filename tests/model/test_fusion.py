"""The fusion: its terms, its file, and the scales ``fakecheck train-fusion`` fits."""

from __future__ import annotations

import json

import numpy as np
import pytest

from model.config import get_config
from model.errors import ModelError
from model.fusion import FILE, INPUTS, Fusion, logit, logits
from model.nets.calibration import Calibration
from model.training.config import FusionTrainConfig
from model.training.evaluate import auc
from model.training.fusion_train import fit_scale

PLATT = Calibration(1.0, 0.0, 0.9, 0.2)


def test_terms_leave_out_what_cannot_be_read():
    fusion = Fusion((3.0, 1.0, 2.0), (-2.0, 0.0, 1.0), PLATT, "t")
    assert fusion.terms(None, 0.5, None) == {"ai": pytest.approx(0.0)}
    terms = fusion.terms(0.9, 0.1, 0.8)
    assert terms["ela"] == pytest.approx(3 * logit(0.9) - 2)
    assert terms["face"] == pytest.approx(2 * logit(0.8) + 1)
    assert np.isfinite(list(fusion.terms(1.0, 0.0, 1.0).values())).all()  # clipped, not infinite
    # The probability is that of the strongest term; with nothing readable, the lowest.
    assert fusion.probability(terms) == pytest.approx(PLATT.probability(terms["ela"]))
    assert fusion.probability({}) < 1e-5


def test_strongest_of_many_rows_agrees_with_one_row_at_a_time():
    fusion = Fusion((3.0, 1.0, 2.0), (-2.0, 0.0, 1.0), PLATT, "t")
    rows = [(0.9, 0.1, None), (None, 0.7, 0.2), (None, None, None), (0.3, 0.4, 0.99)]
    together = fusion.strongest(logits(rows))
    for row, value in zip(rows, together):
        alone = max(fusion.terms(*row).values(), default=logit(0.0))
        assert value == pytest.approx(alone)


def test_the_file_round_trips_and_refuses_other_inputs(tmp_path):
    fusion = Fusion((3.0, 1.0, 2.0), (-2.0, 0.0, 1.0), PLATT, "t", {"val": {"verdict": 0.9}})
    fusion.save(tmp_path)
    assert Fusion.load(tmp_path) == fusion
    data = json.loads((tmp_path / FILE).read_text())
    assert data["inputs"] == list(INPUTS)
    data["inputs"] = ["ela", "ai"]
    (tmp_path / FILE).write_text(json.dumps(data))
    with pytest.raises(ModelError, match="other inputs"):
        Fusion.load(tmp_path)
    with pytest.raises(ModelError, match="cannot read"):
        Fusion.load(tmp_path / "absent")


def test_fitted_scales_keep_each_sets_own_ranking():
    """Two sets where a different signal tells, and the other is noise that, as it comes,
    would outrank it: the fit moves the noisy signal down so each set keeps its ranking."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 400)
    no_face = np.full(400, np.nan)
    # Logits. ELA tells edits (-4 against 0) and is noise near 0 on generated pictures;
    # the picture probe tells generated ones (-6 against -1) and is sure of real photos.
    ela_telling = rng.normal(-4, 1, 400) + 4 * labels
    ai_telling = rng.normal(-6, 1, 400) + 5 * labels
    sets = {
        "ela_task": (np.stack([ela_telling, rng.normal(-10, 1, 400), no_face], 1), labels),
        "ai_task": (np.stack([rng.normal(0, 1, 400), ai_telling, no_face], 1), labels),
    }
    small = FusionTrainConfig(scale_grid=(1.0, 2.0), offset_grid=(-6.0, -3.0, 0.0))
    scales, offsets = fit_scale(sets, small)
    fusion = Fusion(scales, offsets, PLATT, "t")
    for values, set_labels in sets.values():
        assert auc(fusion.strongest(values), set_labels) > 0.95
    as_they_come = Fusion((1.0, 1.0, 1.0), (0.0, 0.0, 0.0), PLATT, "t")
    assert auc(as_they_come.strongest(sets["ai_task"][0]), labels) < 0.9
    assert offsets[0] == -6.0


def test_the_shipped_fusion_stays_near_the_best_single_signal():
    """The summary train-fusion wrote: on each validation set, the verdict's score ranked
    within 0.01 of the best single signal (the model card says why not always above)."""
    shipped = Fusion.load(get_config().weights_dir)
    assert shipped.calibration.manipulated_threshold > shipped.calibration.clear_threshold
    assert shipped.summary
    for name, figures in shipped.summary.items():
        if figures["auc"] is None:  # untouched photos only: few may be flagged
            assert figures["fpr"] <= 0.05, name
        else:
            assert figures["auc"] >= figures["best_single"] - 0.01, name
