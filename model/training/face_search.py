"""How often the face search finds a face: real faces pasted into scenes, searched again.

The probe judges only the faces the search finds, so its figures hold for faces in photos
only as far as the search reaches them.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from model.config import DetectorConfig
from model.signals.faces import find_faces


def scene_with(
    face: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A 960x720 scene (smooth colour, texture, noise) with ``face`` pasted at a random place
    and size; returns the scene and where the face went."""
    height, width = 720, 960
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    phase = rng.uniform(0, 6, 3)
    scene = np.stack(
        [110 + 60 * np.sin(x / (70 + 9 * c) + phase[c]) * np.cos(y / 53) for c in range(3)], -1
    )
    scene += rng.normal(0, 6, scene.shape)
    side = int(rng.integers(140, 300))
    top, left = int(rng.integers(0, height - side)), int(rng.integers(0, width - side))
    scene[top : top + side, left : left + side] = np.asarray(
        Image.fromarray(face).resize((side, side))
    )
    return np.clip(scene, 0, 255).astype(np.uint8), (left, top, side, side)


def found_share(faces: list[np.ndarray], config: DetectorConfig, seed: int) -> float:
    """Share of the faces found again (box centre inside the pasted crop) once pasted into scenes."""
    rng = np.random.default_rng(seed)
    found = 0
    for face in faces:
        scene, (left, top, side, _) = scene_with(face, rng)
        boxes = find_faces(scene, config.faces)
        found += any(
            left <= x + w / 2 <= left + side and top <= y + h / 2 <= top + side
            for x, y, w, h in boxes
        )
    return found / len(faces)
