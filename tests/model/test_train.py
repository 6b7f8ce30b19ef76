"""A short real training run on images the test makes: the whole `fakecheck train` path."""

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from flax import nnx
from PIL import Image

from model.config import get_config
from model.errors import ModelError
from model.nets import inference, weights
from model.nets.calibration import Calibration
from model.nets.compiled import Frozen
from model.nets.network import ElaNet, NetworkSpec
from model.signals import ela
from model.training.config import TrainConfig
from model.training.manifest import Row, write_manifest
from model.training.train import train_and_evaluate
from tests.images import decoded, jpeg, scene


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """Untouched photos, and forgeries with a region pasted from a differently saved photo."""
    root = tmp_path_factory.mktemp("dataset")
    rows = []
    for i in range(8):  # large enough to cut synthetic forgeries from
        path = root / f"photo{i}.jpg"
        path.write_bytes(jpeg(scene(100 + i, 512, 640), 92))
        rows.append(Row(path, 0, "unknown"))
    for i in range(24):
        rgb = decoded(jpeg(scene(200 + i), 90))
        if i % 2:
            y, x = 40 + 4 * i, 60 + 3 * i
            donor = decoded(jpeg(scene(300 + i), 55))
            rgb = rgb.copy()
            rgb[y : y + 96, x : x + 128] = donor[y : y + 96, x : x + 128]
            mask = np.zeros(rgb.shape[:2], np.uint8)
            mask[y : y + 96, x : x + 128] = 255
            Image.fromarray(mask).save(root / f"image{i}_gt.png")
        path = root / f"image{i}.jpg"
        path.write_bytes(jpeg(rgb, 90))
        rows.append(
            Row(
                path,
                i % 2,
                "splice" if i % 2 else "unknown",
                root / f"image{i}_gt.png" if i % 2 else None,
            )
        )
    write_manifest(root / "manifest.csv", rows)
    return root / "manifest.csv"


def test_short_training_run_learns_and_round_trips(dataset, tmp_path):
    config = replace(get_config(), weights_dir=tmp_path / "weights")
    train = TrainConfig(
        steps=60, batch_size=4, val_share=0.25, test_share=0.25, synthetic_eval_per_photo=1
    )
    # The trained detector is evaluated whole, so the probes and the fusion it also loads
    # go beside.
    config.weights_dir.mkdir(exist_ok=True)
    for path in get_config().weights_dir.iterdir():
        if not path.name.startswith(weights.STEM):
            shutil.copy(path, config.weights_dir / path.name)
    metrics = train_and_evaluate(config, train, (dataset,), tmp_path / "work")

    summary = metrics["training"]
    assert summary["loss_end"] < summary["loss_start"]
    saved = json.loads((tmp_path / "work" / "metrics.json").read_text())
    assert set(saved) >= {"test", "test_resized", "test_shortcut", "test_copymove"}
    for name in ("test", "test_resized"):
        assert saved[name]["n"] > 0 and saved[name]["errors"] == []
        assert 0.0 <= saved[name]["auc"] <= 1.0

    loaded = weights.load(config.weights_dir)
    assert loaded.calibration.manipulated_threshold > loaded.calibration.clear_threshold
    assert loaded.summary["steps"] == 60


def test_checkpoint_round_trips_exactly(tmp_path):
    spec = NetworkSpec((70, 90), width=8)
    network = ElaNet(spec, nnx.Rngs(5))
    weights.save(tmp_path, weights.Trained(network, spec, Calibration(0.7, -0.2, 0.8, 0.3), "7"))
    loaded = weights.load(tmp_path)
    assert loaded.spec == spec and loaded.version == "7"
    assert loaded.calibration == Calibration(0.7, -0.2, 0.8, 0.3)
    mosaic = ela.make_mosaic(scene(7), 48)
    original = inference.run(Frozen.of(network), [mosaic])[0]
    restored = inference.run(Frozen.of(loaded.network), [mosaic])[0]
    assert original.logit == restored.logit
    np.testing.assert_array_equal(original.cells, restored.cells)


def test_missing_or_mismatched_weights_raise_model_error(tmp_path):
    with pytest.raises(ModelError, match="cannot read"):
        weights.load(tmp_path)
    spec = NetworkSpec((70, 90), width=8)
    weights.save(tmp_path, weights.Trained(ElaNet(spec, nnx.Rngs(0)), spec, Calibration(), "1"))
    meta = json.loads((tmp_path / f"{weights.STEM}.json").read_text())
    meta["spec"]["width"] = 16
    (tmp_path / f"{weights.STEM}.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="do not fit"):
        weights.load(tmp_path)
