"""How the signals' evidence becomes one band, one score and the reasons.

The rules, in order:
1. Declared generation or compositing (provenance), a copy-move found (clone) or a face
   judged GAN-generated at the face network's validated threshold (synthetic_face) is
   enough on its own for ``likely_manipulated``: each is direct evidence.
2. The ELA-CNN's calibrated probability reaches the validated threshold: likely
   manipulated, unless the evidence is weak (tiny, heavily recompressed, no JPEG history),
   which makes it inconclusive with the reason stated.
3. Below the clear threshold and nothing weak: no_evidence; metadata or provenance that
   says the file was edited, or a face scoring above the face network's clear threshold,
   moves that to inconclusive.
4. Everything else is inconclusive.
The score is the strongest calibrated evidence: the CNN's probability, raised to the
clone, provenance or face score when those fire, and for direct evidence to at least the
CNN's own threshold for ``likely_manipulated``. A copy found with three matching points
scores 0.5 on its own scale; without the floor such a verdict would rank below images the
CNN alone leaves ``inconclusive``, and a subreddit's ``min_score`` set at the CNN's
threshold would hide it. (An image whose evidence is weak stays ``inconclusive`` at any
probability, so a score above the threshold does not by itself mean that band.)
"""

from __future__ import annotations

from dataclasses import dataclass

from model.nets.calibration import Calibration
from model.signals.result import SignalResult
from model.verdict import INCONCLUSIVE, LIKELY_MANIPULATED, NO_EVIDENCE


@dataclass(frozen=True)
class Evidence:
    probability: float  # the ELA-CNN's calibrated probability
    hotspot: str  # where the heat map peaks, in words
    weak: tuple[str, ...]  # why the compression evidence is weak, if it is
    clone: SignalResult
    metadata: SignalResult
    provenance: SignalResult
    face: SignalResult
    face_calibration: Calibration


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
    face = evidence.face.score
    if face is not None and face >= evidence.face_calibration.manipulated_threshold:
        direct = True
        score = max(score, face)
        reasons += evidence.face.findings
    if direct:  # the floor of the module's docstring
        score = max(score, calibration.manipulated_threshold)
    doubtful_face = face is not None and face >= evidence.face_calibration.clear_threshold
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
        edited = _declared_edit(evidence.metadata, evidence.provenance)
        band = INCONCLUSIVE if edited or doubtful_face else NO_EVIDENCE
        if doubtful_face:
            reasons.append("A face may be GAN-generated, but not clearly enough to say so")
        if not edited:
            reasons.append("No sign of local editing was found in the compression traces")
    else:
        band = INCONCLUSIVE
        # Most untouched photos land here (the network cannot rule an edit out), so the
        # sentence must not hint at something found.
        reasons.append("The compression traces neither show an edit clearly nor rule one out")
    for signal in (evidence.metadata, evidence.provenance):
        reasons += [f for f in signal.findings if f not in reasons]
    return band, float(score), tuple(reasons)


def _declared_edit(metadata: SignalResult, provenance: SignalResult) -> bool:
    """Whether the file's own records say it was edited: an editor named in its metadata,
    metadata evidence reaching 0.5 (a clear earlier compression, or several smaller signs
    together), or an edit its provenance declares (0.3 and up: IPTC humanEdits, a C2PA
    edit, credentials broken by a later change). "No evidence" beside such a record would
    contradict it."""
    named = bool(metadata.details.get("edited"))
    strong = metadata.score is not None and metadata.score >= 0.5
    declared = provenance.score is not None and provenance.score >= 0.3
    return named or strong or declared
