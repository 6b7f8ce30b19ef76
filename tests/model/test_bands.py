"""How the signals' evidence becomes a band and a kind: the rules of ``model.bands``."""

from __future__ import annotations

from model.bands import Decision, Evidence, decide
from model.fusion import Fusion
from model.nets.calibration import Calibration
from model.signals.result import SignalResult
from model.verdict import AI_GENERATED, EDITED, INCONCLUSIVE, LIKELY_MANIPULATED, NO_EVIDENCE

THRESHOLDS = Calibration(manipulated_threshold=0.9, clear_threshold=0.2)
# Every signal's logit as it is, and the fused probability that of the strongest.
FUSION = Fusion((1.0, 1.0, 1.0), (0.0, 0.0, 0.0), THRESHOLDS, "test")
CLEAN = 0.05


def evidence(
    ela: float | None = CLEAN, weak: tuple[str, ...] = (), small: str | None = None, **signals
) -> Evidence:
    """Evidence of an image every learned signal finds clean (unless told), with ``signals``."""
    nothing = {name: SignalResult(name) for name in ("clone", "metadata", "provenance", "face")}
    return Evidence(
        ela=ela,
        ela_calibration=THRESHOLDS,
        hotspot="centre",
        weak=weak,
        small=small,
        face_calibration=THRESHOLDS,
        ai_calibration=THRESHOLDS,
        **({"ai": ai(CLEAN)} | nothing | signals),
    )


def ai(score: float) -> SignalResult:
    return SignalResult("ai_generated", score, ("The picture looks AI-generated",))


def face(score: float | None) -> SignalResult:
    return SignalResult("synthetic_face", score, ("The face at the top left looks AI-generated",))


def judged(**kwargs) -> Decision:
    return decide(evidence(**kwargs), FUSION, 0.5)


def test_a_clean_picture_is_no_evidence_in_words_that_claim_nothing():
    decision = judged()
    assert (decision.band, decision.kind) == (NO_EVIDENCE, None)
    assert decision.reasons == ("No sign of AI generation or local editing was found",)


def test_each_direct_sign_of_generation_is_enough_and_says_ai_generated():
    generated = SignalResult(
        "provenance", 1.0, ("Content Credentials say: created by GPT-4o",), {"generated": True}
    )
    for signals in ({"ai": ai(0.95)}, {"face": face(0.97)}, {"provenance": generated}):
        decision = judged(**signals)
        assert (decision.band, decision.kind) == (LIKELY_MANIPULATED, AI_GENERATED)
        (signal,) = signals.values()
        assert decision.reasons[0] == signal.findings[0]
        assert decision.score >= FUSION.calibration.manipulated_threshold


def test_direct_signs_of_an_edit_say_edited_unless_the_picture_is_generated():
    clone = SignalResult("clone", 0.5, ("A region near the top left appears copied",))
    composite = SignalResult("provenance", 1.0, ("Content Credentials say: another image placed",))
    for signals in ({"clone": clone}, {"provenance": composite}):
        decision = judged(**signals)
        assert (decision.band, decision.kind) == (LIKELY_MANIPULATED, EDITED)
    # A copied region inside a generated picture: the picture is still generated.
    assert judged(clone=clone, ai=ai(0.95)).kind == AI_GENERATED


def test_direct_evidence_scores_at_least_the_fused_threshold():
    # A copy found with three matching points is 0.5 on the clone signal's own scale.
    clone = SignalResult("clone", 0.5, ("A region appears copied",))
    assert judged(clone=clone).score == FUSION.calibration.manipulated_threshold
    assert judged(clone=SignalResult("clone", 0.96, clone.findings)).score == 0.96


def test_readable_compression_traces_alone_say_edited():
    decision = judged(ela=0.97)
    assert (decision.band, decision.kind) == (LIKELY_MANIPULATED, EDITED)
    assert "compression history unlike the rest" in decision.reasons[0]


def test_a_sign_below_its_own_threshold_counts_on_the_common_scale():
    # The face probe's own threshold is 0.9; moved up on the common scale, 0.85 reaches
    # the fused threshold, and the words say it is a leaning, not a finding.
    fusion = Fusion((1.0, 1.0, 1.0), (0.0, 0.0, 1.0), THRESHOLDS, "test")
    decision = decide(evidence(ela=0.5, face=face(0.85)), fusion, 0.5)
    assert (decision.band, decision.kind) == (LIKELY_MANIPULATED, AI_GENERATED)
    assert decision.reasons == ("A face has traits of AI-generated faces (score 0.85)",)
    assert judged(ela=0.5, face=face(0.85)).band == INCONCLUSIVE
    # The same for the picture probe.
    fusion = Fusion((1.0, 1.0, 1.0), (0.0, 1.0, 0.0), THRESHOLDS, "test")
    decision = decide(evidence(ela=0.5, ai=ai(0.85)), fusion, 0.5)
    assert (
        decision.kind == AI_GENERATED and "traits of AI-generated pictures" in decision.reasons[0]
    )


def test_unreadable_compression_leaves_the_ai_signals_in_charge():
    png = ("The file is PNG: it carries no JPEG compression history to read",)
    # A generated PNG is still called generated ...
    assert judged(ela=None, weak=png, ai=ai(0.95)).band == LIKELY_MANIPULATED
    # ... but a PNG the probes find clean is not "no evidence": an edit cannot be read.
    decision = judged(ela=None, weak=png)
    assert decision.band == INCONCLUSIVE and decision.reasons[0] == png[0]


def test_a_tiny_image_is_never_called_generated_by_the_learned_signals():
    small = "The image is small (90x60): too few pixels to judge"
    decision = judged(ela=None, weak=(small,), small=small, ai=ai(0.99), face=face(0.99))
    assert decision.band == INCONCLUSIVE and small in decision.reasons


def test_a_recorded_edit_is_never_no_evidence():
    editor = SignalResult(
        "metadata", 0.25, ("EXIF Software: Adobe Photoshop 24.0",), {"edited": True}
    )
    human_edits = SignalResult(
        "provenance", 0.3, ("XMP metadata declares the image edited (humanEdits)",)
    )
    broken = SignalResult(
        "provenance", 0.5, ("The file was changed after its Content Credentials were signed",)
    )
    for signals in ({"metadata": editor}, {"provenance": human_edits}, {"provenance": broken}):
        decision = judged(**signals)
        assert decision.band == INCONCLUSIVE
        (signal,) = signals.values()
        assert signal.findings[0] in decision.reasons
        assert not any("No sign of" in reason for reason in decision.reasons)


def test_light_records_leave_no_evidence_and_are_still_shown():
    for finding, score in (
        ("EXIF ImageDescription mentions Midjourney", 0.1),
        ("XMP metadata declares the image a camera capture (digitalCapture)", 0.0),
        ("The Content Credentials were signed by Acme; the certificate has expired", 0.0),
    ):
        decision = judged(provenance=SignalResult("provenance", score, (finding,)))
        assert decision.band == NO_EVIDENCE and finding in decision.reasons


def test_between_the_thresholds_the_reason_claims_nothing_found():
    decision = judged(ela=0.5, ai=ai(0.5))
    assert decision.band == INCONCLUSIVE
    assert decision.reasons == (
        "The traces neither show AI generation or an edit clearly nor rule them out",
    )
