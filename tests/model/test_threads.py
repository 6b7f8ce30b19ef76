"""The detector's parts called from several threads at once (the service analyses batches on
several) answer exactly what each call answers alone, and never fail for the company."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
from PIL import Image

from model.config import FaceConfig
from model.signals.faces import find_faces
from model.training.face_search import scene_with
from tests.datasets import shared_datasets
from tests.images import camera_photo, copy_moved, jpeg, untouched

Item = TypeVar("Item")
Answer = TypeVar("Answer")
THREADS = 4


def together(
    call: Callable[[Item], Answer], items: list[Item], rounds: int
) -> list[tuple[int, Answer]]:
    """``call`` on every item ``rounds`` times, from THREADS threads at once, each thread
    taking the items in its own order so that different images meet mid-call: each
    answer with its item's index."""

    def worker(shift: int) -> list[tuple[int, Answer]]:
        order = [(i + shift) % len(items) for i in range(len(items))] * rounds
        return [(i, call(items[i])) for i in order]

    with ThreadPoolExecutor(THREADS) as pool:
        done = list(pool.map(worker, range(THREADS)))
    return [answer for answers in done for answer in answers]


def faces_in_scenes() -> list[np.ndarray]:
    """Distinct pictures of distinct sizes (the cascade's per-call state follows the size),
    most with a real face in them."""
    folder = shared_datasets() / "faces" / "real"
    assert folder.is_dir(), f"{folder} is missing: set FAKECHECK_DATASETS to the shared datasets"
    pictures = []
    for seed, name in enumerate(sorted(p.name for p in folder.iterdir())[:6]):
        face = np.asarray(Image.open(folder / name).convert("RGB"))
        with_face, _ = scene_with(face, np.random.default_rng(seed))
        height, width = 480 + 40 * seed, 640 + 70 * seed
        pictures.append(np.asarray(Image.fromarray(with_face).resize((width, height))))
    pictures += [camera_photo(seed, 360 + 50 * seed, 500 + 60 * seed) for seed in range(3)]
    return pictures


def test_face_searches_on_several_threads_find_what_each_finds_alone():
    config = FaceConfig()
    pictures = faces_in_scenes()
    alone = [find_faces(p, config) for p in pictures]
    assert sum(bool(boxes) for boxes in alone) >= 4, "the pictures should hold faces"
    answers = together(lambda p: find_faces(p, config), pictures, rounds=8)
    assert all(found == alone[i] for i, found in answers)


def test_verdicts_on_several_threads_are_those_of_one_thread(detector):
    """Every signal at once (decoding, copy-move, the face search, the encoder, the XLA
    network, the PNGs): distinct images of distinct sizes, with a copy and with faces."""
    images = [copy_moved(), untouched()]
    images += [jpeg(picture, 90) for picture in faces_in_scenes()[:3]]
    alone = [verdict_json(detector, data) for data in images]
    answers = together(lambda data: verdict_json(detector, data), images, rounds=2)
    assert all(found == alone[i] for i, found in answers)


def verdict_json(detector, data: bytes) -> tuple[dict, bytes, bytes]:
    verdict = detector.analyze(data)
    return verdict.to_json(), verdict.ela_png(), verdict.heatmap_png()
