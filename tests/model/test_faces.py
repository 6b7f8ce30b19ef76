"""GAN-face detection: Meso-4's shape, a short training run, the face search, the signal."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner
from flax import nnx
from PIL import Image

from model.cli import main
from model.config import FaceConfig
from model.errors import ModelError
from model.nets.calibration import Calibration
from model.nets.face_model import FaceModel, load, save
from model.nets.meso import Meso4, parameter_count
from model.signals.faces import crop, find_faces
from model.training.config import FaceTrainConfig
from model.training.face_train import network_inputs, scene_with, train_network
from tests.conftest import jpeg, scene, shared_datasets

FACES = shared_datasets() / "faces"


def real_face(name: str = "00002.jpg") -> np.ndarray:
    assert FACES.is_dir(), f"{FACES} is missing: set FAKECHECK_DATASETS to the shared datasets"
    return np.asarray(Image.open(FACES / "real" / name).convert("RGB"))


def test_meso4_shapes_and_parameter_count():
    network = Meso4(nnx.Rngs(0), 256)
    network.eval()
    assert parameter_count(network) == 27_977  # the published Meso-4's ~28k at 256 px
    assert network(np.zeros((3, 256, 256, 3), np.float32)).shape == (3,)
    size = FaceConfig().input_size
    small = Meso4(nnx.Rngs(0), size)
    small.eval()
    # Only the dense head changes with the input: 16 features per cell of a side / 32 grid.
    head = (256 // 32) ** 2 * 16 * 16 - (size // 32) ** 2 * 16 * 16
    assert parameter_count(small) == 27_977 - head
    assert small(np.zeros((2, size, size, 3), np.float32)).shape == (2,)


def test_weights_for_another_input_size_are_refused(tmp_path):
    save(tmp_path, FaceModel(Meso4(nnx.Rngs(0), 256), Calibration(), "test"))
    with pytest.raises(ModelError, match="do not fit"):
        load(tmp_path, 128)


def test_a_short_training_run_lowers_the_loss():
    """Two made-up classes (smooth vs fine-grained texture), as the real ones differ in texture."""
    rng = np.random.default_rng(0)
    base = rng.integers(60, 200, (48, 1, 1, 3)).astype(np.float32)
    grain = rng.normal(0, 25, (48, 256, 256, 1)) * (np.arange(48) % 2)[:, None, None, None]
    images = np.clip(base + grain, 0, 255).astype(np.uint8)
    labels = (np.arange(48) % 2).astype(np.float32)
    config = FaceTrainConfig(epochs=8, batch_size=16, recompress_share=0.0)
    _, losses = train_network(images, labels, config, FaceConfig().input_size)
    assert losses[-1] < losses[0] * 0.8


def test_face_search_finds_a_face_in_a_scene_and_none_in_an_empty_one():
    config = FaceConfig()
    with_face, (left, top, side, _) = scene_with(real_face(), np.random.default_rng(1))
    boxes = find_faces(with_face, config)
    assert boxes, "no face found"
    x, y, w, h = boxes[0]
    assert left <= x + w / 2 <= left + side and top <= y + h / 2 <= top + side
    side = config.input_size
    assert crop(with_face, boxes[0], config).shape == (side, side, 3)
    assert find_faces(scene(3, 480, 640), config) == []
    whole = replace(config, whole_image=True)
    assert find_faces(real_face(), whole) == [(0, 0, 256, 256)]


def test_weights_round_trip(tmp_path):
    size = FaceConfig().input_size
    network = Meso4(nnx.Rngs(3), size)
    model = FaceModel(network, Calibration(0.5, 0.1, 0.9, 0.2), "test")
    crops = network_inputs([real_face(), real_face("00003.jpg")], size)
    save(tmp_path, model)
    loaded = load(tmp_path, size)
    assert loaded.calibration == model.calibration
    np.testing.assert_allclose(loaded.logits(crops), model.logits(crops), rtol=1e-5)


def test_the_signal_in_analyze_json(tmp_path):
    with_face, _ = scene_with(real_face(), np.random.default_rng(1))
    paths = {"face": tmp_path / "face.jpg", "empty": tmp_path / "empty.jpg"}
    paths["face"].write_bytes(jpeg(with_face, 92))
    paths["empty"].write_bytes(jpeg(scene(3, 480, 640), 92))
    result = CliRunner().invoke(
        main, ["analyze", "--json", str(paths["face"]), str(paths["empty"])]
    )
    assert result.exit_code == 0, result.output
    face, empty = (json.loads(line) for line in result.output.splitlines())
    [signal] = [s for s in face["signals"] if s["name"] == "synthetic_face"]
    assert 0 <= signal["score"] <= 1 and len(signal["details"]["faces"]) >= 1
    assert len(signal["details"]["faces"][0]["box"]) == 4
    [none] = [s for s in empty["signals"] if s["name"] == "synthetic_face"]
    assert "score" not in none and none["details"]["faces"] == []
