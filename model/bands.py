"""How the signals' evidence becomes one band, one score and the reasons.

The rules, in order:
1. Declared generation or compositing (provenance) or a copy-move found (clone) is
   enough on its own for ``likely_manipulated``: both are direct evidence.
2. The ELA-CNN's calibrated probability reaches the validated threshold: likely
   manipulated, unless the evidence is weak (tiny, heavily recompressed, no JPEG history),
   which makes it inconclusive with the reason stated.
3. Below the clear threshold and nothing weak: no_evidence; metadata that says an editor
   touched the file moves that to inconclusive (edited, but no local trace found).
4. Everything else is inconclusive.
The score is the strongest calibrated evidence: the CNN's probability, raised to the
clone or provenance score when those fire.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.calibration import Calibration
from model.signals import SignalResult
from model.verdict import INCONCLUSIVE, LIKELY_MANIPULATED, NO_EVIDENCE


@dataclass(frozen=True)
class Evidence:
    probability: float  # the ELA-CNN's calibrated probability
    hotspot: str  # where the heat map peaks, in words
    weak: tuple[str, ...]  # why the compression evidence is weak, if it is
    clone: SignalResult
    metadata: SignalResult
    provenance: SignalResult


def decide(
    evidence: Evidence, calibration: Calibration, clone_threshold: float
) -> tuple[str, float, tuple[str, ...]]:
    """(band, score, reasons) for one image."""
    score = evidence.probability
    reasons: list[str] = []
    direct = False
    if evidence.provenance.score is not None and evidence.provenance.score >= 1.0:
        direct = True
        score = max(score, evidence.provenance.score)
        reasons += evidence.provenance.findings
    if evidence.clone.score is not None and evidence.clone.score >= clone_threshold:
        direct = True
        score = max(score, evidence.clone.score)
        reasons += evidence.clone.findings
    high = evidence.probability >= calibration.manipulated_threshold
    if high:
        reasons.append(
            f"The region at the {evidence.hotspot} has a compression history unlike the rest "
            "of the image"
        )
    if direct or (high and not evidence.weak):
        band = LIKELY_MANIPULATED
    elif evidence.weak:
        band = INCONCLUSIVE
        reasons += evidence.weak
    elif evidence.probability < calibration.clear_threshold:
        edited = evidence.metadata.score is not None and evidence.metadata.score >= 0.5
        band = INCONCLUSIVE if edited else NO_EVIDENCE
        if not edited:
            reasons.append("No sign of local editing was found in the compression traces")
    else:
        band = INCONCLUSIVE
        reasons.append(
            "Some error levels are uneven, but not enough to say the image was manipulated"
        )
    reasons += [f for f in evidence.metadata.findings if f not in reasons]
    return band, float(score), tuple(reasons)
