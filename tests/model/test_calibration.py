import numpy as np

from model.nets.calibration import calibrate, fit_platt, precision_threshold, reliability


def test_threshold_holds_target_precision_and_calibration_is_honest():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 4000)
    logits = rng.normal(labels * 3.0 - 1.5, 1.5)
    calibration = calibrate(logits, labels, target_precision=0.95)
    scores = calibration.probability(logits)
    flagged = scores >= calibration.manipulated_threshold
    assert labels[flagged].mean() >= 0.95
    assert calibration.clear_threshold < calibration.manipulated_threshold
    assert labels[scores < calibration.clear_threshold].mean() <= 0.10
    for predicted, observed, count in reliability(scores, labels):
        if count > 100:
            assert abs(predicted - observed) < 0.08


def test_threshold_is_one_when_precision_cannot_be_reached():
    scores = np.array([0.9, 0.8, 0.7])
    labels = np.array([0, 0, 1])
    assert precision_threshold(scores, labels, 0.95) == 1.0


def test_platt_scaling_holds_on_logits_far_from_zero():
    """The fusion's terms reach logits of 40; a full Newton step from (1, 0) flew to a slope
    of 1e7 on them."""
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 3000)
    logits = rng.normal(labels * 12.0 - 4.0, 6.0)
    logits[:50] = 40.0 * labels[:50]
    slope, intercept = fit_platt(logits, labels)
    assert 0.05 < slope < 2.0 and abs(intercept) < 5.0
    calibration = calibrate(logits, labels, target_precision=0.95)
    assert 0.0 < calibration.manipulated_threshold < 1.0
