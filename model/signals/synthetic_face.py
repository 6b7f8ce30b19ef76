"""The ``synthetic_face`` signal: a person who does not exist, which no editing trace shows.

Faces are searched, cropped as the training faces are framed, and each judged by a probe
on the pretrained encoder (``model.nets.probe``), which replaced Meso-4: on faces it never
saw, AUC 0.998 against Meso-4's 0.82. An image without a face gets no score (not a zero):
the signal has no opinion.
"""

from __future__ import annotations

import numpy as np

from model.config import FaceConfig
from model.nets.backbone import Backbone
from model.nets.probe import Probe
from model.signals.faces import crop, find_faces
from model.signals.result import SignalResult
from model.verdict import where

NAME = "synthetic_face"


def judge(pixels: np.ndarray, backbone: Backbone, probe: Probe, config: FaceConfig) -> SignalResult:
    """A score per face with its box; the faces judged generated are marked in ``mask``."""
    boxes = find_faces(pixels, config)
    if not boxes:
        return SignalResult(NAME, None, details={"faces": []})
    crops = np.stack([crop(pixels, box, config) for box in boxes])
    scores = probe.calibration.probability(probe.logits(backbone.features(crops)))
    threshold = probe.calibration.manipulated_threshold
    mask = np.zeros(pixels.shape[:2], np.float32)
    findings = []
    for (x, y, w, h), score in zip(boxes, scores):
        if score >= threshold:
            face = np.zeros_like(mask)
            face[y : y + h, x : x + w] = 1.0
            mask = np.maximum(mask, face)
            place = "" if config.whole_image else f" at the {where(face)}"
            findings.append(f"The face{place} looks AI-generated (score {score:.2f})")
    faces = [
        {"box": [int(v) for v in box], "score": round(float(score), 4)}
        for box, score in zip(boxes, scores)
    ]
    return SignalResult(
        NAME,
        float(scores.max()),
        tuple(findings),
        {"faces": faces},
        mask if findings else None,
    )
