"""How the signals' evidence becomes a band: the rules of ``model.bands``, signal by signal."""

from __future__ import annotations

from model.bands import Evidence, decide
from model.nets.calibration import Calibration
from model.signals.result import SignalResult
from model.verdict import INCONCLUSIVE, LIKELY_MANIPULATED, NO_EVIDENCE

CALIBRATION = Calibration(manipulated_threshold=0.9, clear_threshold=0.2)


def evidence(probability: float = 0.05, **signals: SignalResult) -> Evidence:
    """Evidence of an image the network finds clean (unless told), with the given signals."""
    nothing = {name: SignalResult(name) for name in ("clone", "metadata", "provenance", "face")}
    return Evidence(
        probability=probability,
        hotspot="centre",
        weak=(),
        face_calibration=Calibration(manipulated_threshold=0.9, clear_threshold=0.3),
        **(nothing | signals),
    )


def face(score: float | None) -> SignalResult:
    return SignalResult("synthetic_face", score, ("The face at the top left looks GAN-generated",))


def test_how_a_face_moves_the_band():
    band, score, reasons = decide(evidence(face=face(0.97)), CALIBRATION, 0.5)
    assert (band, score) == (LIKELY_MANIPULATED, 0.97) and "GAN-generated" in reasons[0]
    assert decide(evidence(face=face(0.5)), CALIBRATION, 0.5)[0] == INCONCLUSIVE
    assert decide(evidence(face=face(0.1)), CALIBRATION, 0.5)[0] == NO_EVIDENCE
    assert decide(evidence(face=face(None)), CALIBRATION, 0.5)[0] == NO_EVIDENCE  # no opinion


def test_a_recorded_edit_is_never_no_evidence():
    # Each of these says in the file's own records that it was edited; "no evidence"
    # beside it would contradict the reason printed under it.
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
        band, _, reasons = decide(evidence(**signals), CALIBRATION, 0.5)
        assert band == INCONCLUSIVE
        (signal,) = signals.values()
        assert signal.findings[0] in reasons
        assert not any("No sign of local editing" in reason for reason in reasons)


def test_light_records_leave_no_evidence_and_are_still_shown():
    # A generator only mentioned in a caption, or a declared camera capture.
    for finding, score in (
        ("EXIF ImageDescription mentions Midjourney", 0.1),
        ("XMP metadata declares the image a camera capture (digitalCapture)", 0.0),
    ):
        provenance = SignalResult("provenance", score, (finding,))
        band, _, reasons = decide(evidence(provenance=provenance), CALIBRATION, 0.5)
        assert band == NO_EVIDENCE
        assert finding in reasons
    resaved = SignalResult("metadata", 0.15, ("Saved again 3 days after capture",), {})
    assert decide(evidence(metadata=resaved), CALIBRATION, 0.5)[0] == NO_EVIDENCE


def test_direct_evidence_scores_at_least_the_band_threshold():
    # A copy-move found with three matching points is 0.5 on the clone signal's scale,
    # below the network's threshold for likely_manipulated (0.9 here).
    clone = SignalResult("clone", 0.5, ("A region near the top left appears copied",))
    band, score, _ = decide(evidence(clone=clone), CALIBRATION, 0.5)
    assert band == LIKELY_MANIPULATED
    assert score == CALIBRATION.manipulated_threshold
    strong = SignalResult("clone", 0.96, clone.findings)
    assert decide(evidence(clone=strong), CALIBRATION, 0.5)[1] == 0.96


def test_between_the_thresholds_the_reason_claims_nothing_found():
    band, _, reasons = decide(evidence(0.5), CALIBRATION, 0.5)
    assert band == INCONCLUSIVE
    assert reasons == ("The compression traces neither show an edit clearly nor rule one out",)
