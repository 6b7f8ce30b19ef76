"""The ``ai_generated`` signal: was the whole picture made by an image generator?

A linear probe (``model.nets.probe``) reads the pretrained encoder's middle layers on a
few crops of the picture and their logits are averaged. The crops are cut at the image's
own resolution, never from a shrunk copy: resizing blurs away the pixel-level traces a
generator leaves, and the probe was trained on crops cut the same way.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from model.config import AiConfig
from model.nets.backbone import SIDE, Backbone
from model.nets.probe import Probe
from model.signals.result import SignalResult

NAME = "ai_generated"


def crops(pixels: np.ndarray, count: int) -> np.ndarray:
    """Up to ``count`` square crops (N, SIDE, SIDE, 3), spread along the diagonal.

    An image narrower than SIDE gives squares of its own width, scaled up to SIDE; the
    squares are cut first, so a sliver never becomes a huge scaled copy.
    """
    height, width = pixels.shape[:2]
    side = min(SIDE, height, width)
    # Crops that would overlap by more than half are the same evidence twice.
    room = max(height, width) - side
    count = max(1, min(count, 1 + room // (side // 2 or 1)))
    out = np.empty((count, SIDE, SIDE, 3), np.uint8)
    for i in range(count):
        share = 0.5 if count == 1 else i / (count - 1)
        top = round(share * (height - side))
        left = round(share * (width - side))
        square = pixels[top : top + side, left : left + side]
        if side != SIDE:
            square = np.asarray(
                Image.fromarray(square).resize((SIDE, SIDE), Image.Resampling.BICUBIC)
            )
        out[i] = square
    return out


def judge(pixels: np.ndarray, backbone: Backbone, probe: Probe, config: AiConfig) -> SignalResult:
    """The probe's calibrated probability that the picture is generated, from the mean logit
    of its crops; a finding in words once it reaches the validated threshold."""
    logits = probe.logits(backbone.features(crops(pixels, config.crops)))
    score = probe.probability(float(logits.mean()))
    findings = ()
    if score >= probe.calibration.manipulated_threshold:
        findings = (f"The picture looks AI-generated (score {score:.2f})",)
    return SignalResult(NAME, score, findings, {"crops": len(logits)})
