"""Generated faces: the face search, the shipped probe on held-out faces, the signal."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
from click.testing import CliRunner
from PIL import Image

from model.cli import main
from model.config import FaceConfig
from model.nets.backbone import SIDE
from model.signals.faces import crop, find_faces
from model.signals.synthetic_face import judge
from model.training.config import ProbeTrainConfig, faces_manifest
from model.training.evaluate import auc
from model.training.face_search import scene_with
from model.training.manifest import read_manifest, split_stratified
from tests.datasets import shared_datasets
from tests.images import jpeg, scene

FACES = shared_datasets() / "faces"


def real_face(name: str = "00002.jpg") -> np.ndarray:
    assert FACES.is_dir(), f"{FACES} is missing: set FAKECHECK_DATASETS to the shared datasets"
    return np.asarray(Image.open(FACES / "real" / name).convert("RGB"))


def test_face_search_finds_a_face_in_a_scene_and_none_in_an_empty_one():
    config = FaceConfig()
    with_face, (left, top, side, _) = scene_with(real_face(), np.random.default_rng(1))
    boxes = find_faces(with_face, config)
    assert boxes, "no face found"
    x, y, w, h = boxes[0]
    assert left <= x + w / 2 <= left + side and top <= y + h / 2 <= top + side
    assert crop(with_face, boxes[0], config).shape == (SIDE, SIDE, 3)
    assert find_faces(scene(3, 480, 640), config) == []
    whole = replace(config, whole_image=True)
    assert find_faces(real_face(), whole) == [(0, 0, 256, 256)]


def test_held_out_faces_rank_generated_above_real(detector):
    """The shipped probe on test faces of its own split: generated faces score higher."""
    settings = ProbeTrainConfig()
    rows = read_manifest(faces_manifest(shared_datasets()))
    test = split_stratified(rows, settings.val_share, settings.test_share, settings.seed)["test"]
    chosen = [r for r in test if r.label == 0][:10] + [r for r in test if r.label == 1][:10]
    whole = replace(FaceConfig(), whole_image=True)
    networks = detector.networks
    scores = [
        judge(
            np.asarray(Image.open(r.path).convert("RGB")), networks.backbone, networks.face, whole
        ).score
        for r in chosen
    ]
    assert auc(np.array(scores), np.array([r.label for r in chosen])) > 0.9


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
