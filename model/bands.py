"""How the signals' evidence becomes one band, one kind, one score and the reasons.

The rules, in order:
1. Direct evidence is enough on its own for ``likely_manipulated``:
   - of AI generation: provenance declaring a generator made the picture, the picture
     probe (``ai_generated``) or the face probe (``synthetic_face``) at its validated
     threshold;
   - of an edit: provenance declaring compositing, or a copy-move found (clone).
   Learned evidence does not count on an image too small to read (``small``).
2. Otherwise the fused probability (``model.fusion``: the strongest of ELA's, the picture
   probe's and the face probe's evidence on a common scale) reaching its validated
   threshold is ``likely_manipulated``. ELA enters it only where its evidence is
   readable; where it is not (``weak``: no JPEG history, heavy recompression, a tiny
   image) the reasons say so.
3. The kind: AI-generated when there is direct evidence of generation (a generated picture
   with a copied region is still generated), else edited when there is direct evidence of
   an edit, else that of the strongest fused term (ELA: edited; a probe: AI-generated).
4. Below the fused clear threshold, with ELA readable and no record of an edit:
   ``no_evidence``. Everything else is ``inconclusive``.
The score is the fused probability, raised for direct evidence to the deciding signal's
score and at least the fused threshold for ``likely_manipulated``, so a verdict with direct
evidence never ranks below one the fusion alone leaves ``inconclusive``. (An image whose
learned evidence is unreadable stays ``inconclusive`` at any score.)
"""

from __future__ import annotations

from dataclasses import dataclass

from model.fusion import Fusion
from model.nets.calibration import Calibration
from model.signals.result import SignalResult
from model.verdict import AI_GENERATED, EDITED, INCONCLUSIVE, LIKELY_MANIPULATED, NO_EVIDENCE

# What each fused term says was done.
_KINDS = {"ela": EDITED, "ai": AI_GENERATED, "face": AI_GENERATED}


@dataclass(frozen=True)
class Evidence:
    ela: float | None  # the ELA-CNN's calibrated probability; None where unreadable
    ela_calibration: Calibration
    hotspot: str  # where the ELA heat map peaks, in words
    weak: tuple[str, ...]  # why the compression evidence is unreadable, if it is
    small: str | None  # why no learned evidence is readable (a tiny image; also in weak)
    clone: SignalResult
    metadata: SignalResult
    provenance: SignalResult
    face: SignalResult
    face_calibration: Calibration
    ai: SignalResult
    ai_calibration: Calibration

    def fused(self) -> tuple[float | None, float | None, float | None]:
        """What the fusion reads: ELA's, the picture probe's and the face probe's
        probabilities, None where not readable (a tiny image's learned evidence never is)."""
        if self.small is not None:
            return (self.ela, None, None)
        return (self.ela, self.ai.score, self.face.score)


@dataclass(frozen=True)
class Decision:
    band: str
    kind: str | None
    score: float
    reasons: tuple[str, ...]


def decide(evidence: Evidence, fusion: Fusion, clone_threshold: float) -> Decision:
    terms = fusion.terms(*evidence.fused())
    fused = fusion.probability(terms)
    generated = _direct_generation(evidence)
    edited = _direct_edit(evidence, clone_threshold)
    reasons = [f for signal in generated + edited for f in signal.findings]
    readable_ela = evidence.ela is not None
    high_ela = readable_ela and evidence.ela >= evidence.ela_calibration.manipulated_threshold
    if high_ela:
        reasons.append(
            f"The region at the {evidence.hotspot} has a compression history unlike the rest "
            "of the image"
        )
    threshold = fusion.calibration.manipulated_threshold
    score = fused
    if generated or edited:
        score = max(fused, threshold, *(_score(s) for s in generated + edited))
    if generated or edited:
        band, kind = LIKELY_MANIPULATED, AI_GENERATED if generated else EDITED
    elif fused >= threshold:  # terms cannot be empty: nothing scores the lowest
        strongest = max(terms, key=terms.__getitem__)
        band, kind = LIKELY_MANIPULATED, _KINDS[strongest]
        reasons += _leaning(evidence, strongest, reasons)
    else:
        kind = None
        recorded = _recorded_edit(evidence.metadata, evidence.provenance)
        if fused < fusion.calibration.clear_threshold and readable_ela and not recorded:
            band = NO_EVIDENCE
            reasons.append("No sign of AI generation or local editing was found")
        else:
            band = INCONCLUSIVE
            reasons += evidence.weak or [
                "The traces neither show AI generation or an edit clearly nor rule them out"
            ]
    for signal in (evidence.metadata, evidence.provenance):
        reasons += [f for f in signal.findings if f not in reasons]
    return Decision(band, kind, float(score), tuple(dict.fromkeys(reasons)))


def _score(signal: SignalResult) -> float:
    return 0.0 if signal.score is None else float(signal.score)


def _direct_generation(evidence: Evidence) -> list[SignalResult]:
    """The signals that on their own say a generator made the picture."""
    found = []
    provenance = evidence.provenance
    if _score(provenance) >= 1.0 and provenance.details.get("generated"):
        found.append(provenance)
    if evidence.small is None:
        for signal, calibration in (
            (evidence.ai, evidence.ai_calibration),
            (evidence.face, evidence.face_calibration),
        ):
            if signal.score is not None and signal.score >= calibration.manipulated_threshold:
                found.append(signal)
    return found


def _direct_edit(evidence: Evidence, clone_threshold: float) -> list[SignalResult]:
    """The signals that on their own say the picture was edited."""
    found = []
    provenance = evidence.provenance
    if _score(provenance) >= 1.0 and not provenance.details.get("generated"):
        found.append(provenance)
    if _score(evidence.clone) >= clone_threshold:
        found.append(evidence.clone)
    return found


def _leaning(evidence: Evidence, strongest: str, said: list[str]) -> list[str]:
    """Words for a fused verdict that no signal decided at its own threshold."""
    if strongest == "ela":
        if said:  # ELA's own reason is already there
            return []
        return [f"The compression traces lean towards an edit (ELA score {evidence.ela:.2f})"]
    if strongest == "face":
        return [f"A face has traits of AI-generated faces (score {_score(evidence.face):.2f})"]
    return [f"The picture has traits of AI-generated pictures (score {_score(evidence.ai):.2f})"]


def _recorded_edit(metadata: SignalResult, provenance: SignalResult) -> bool:
    """Whether the file's own records say it was edited: an editor named in its metadata,
    metadata evidence reaching 0.5 (a clear earlier compression, or several smaller signs
    together), or an edit its provenance declares (0.3 and up: IPTC humanEdits, a C2PA
    edit, credentials broken by a later change). "No evidence" beside such a record would
    contradict it."""
    named = bool(metadata.details.get("edited"))
    strong = metadata.score is not None and metadata.score >= 0.5
    declared = provenance.score is not None and provenance.score >= 0.3
    return named or strong or declared
