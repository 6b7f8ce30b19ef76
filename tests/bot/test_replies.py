"""What the bots say: every verdict line complete, X's answers within 280 characters."""

from __future__ import annotations

import re

from bot.replies import FOOTER, NO_IMAGE, reddit_verdicts, x_length, x_verdicts
from bot.service_client import Check

BASE = "https://fakecheck.example"
# What the service says of each band (and kind): its `label` is the words people read.
LABELS = {
    ("likely_manipulated", "ai_generated"): "Likely AI-generated",
    ("likely_manipulated", "edited"): "Likely edited",
    ("inconclusive", None): "Inconclusive",
    ("no_evidence", None): "No evidence of manipulation",
}


def verdict(
    band: str, score: float, reason: str | None = None, n: int = 0, kind: str | None = None
) -> Check:
    sha = f"{n:064x}"
    if band == "likely_manipulated":
        kind = kind or "edited"
    return Check(
        f"https://i.redd.it/{n}.jpg",
        verdict={
            "id": sha,
            "verdict": band,
            "kind": kind,
            "label": LABELS[band, kind],
            "score": score,
            "reasons": [reason] if reason else [],
            "report_url": f"/results/{sha}",
        },
    )


def test_reddit_one_line_per_image_with_label_score_reason_and_links():
    checks = [
        verdict("likely_manipulated", 0.931, "Region at top-left has another compression", 1),
        verdict("no_evidence", 0.05, None, 2),
        Check("https://i.redd.it/3.jpg", gone=True, problem="HTTP 404"),
        verdict("likely_manipulated", 0.97, "The picture looks AI-generated", 4, "ai_generated"),
    ]
    text = reddit_verdicts(checks, BASE)
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == 4
    assert "- Image 1: **Likely edited** (score 0.93)" in lines[0]
    assert "Region at top-left has another compression." in lines[0]
    assert f"[Report]({BASE}/results/{1:064x})" in lines[0]
    assert f"[Wrong verdict?]({BASE}/results/{1:064x}#feedback-section)" in lines[0]
    assert "**No evidence of manipulation** (score 0.05): Nothing stood out." in lines[1]
    assert "the image is gone" in lines[2]
    assert "- Image 4: **Likely AI-generated** (score 0.97): The picture looks" in lines[3]
    assert text.endswith(FOOTER) and "probabilistic" in FOOTER
    assert "the 4 images" in text and "AI generation or editing" in text


def test_a_verdict_from_a_service_older_than_label_shows_its_band_code():
    """No second copy of the words here: the bots and that service are upgraded apart."""
    check = verdict("likely_manipulated", 0.93, "A region appears copied", 1)
    del check.verdict["kind"], check.verdict["label"]
    assert "**likely_manipulated** (score 0.93)" in reddit_verdicts([check], BASE)
    assert x_verdicts([check], BASE).startswith("likely_manipulated (0.93)")


def test_no_image_answer_is_polite():
    assert "no image" in NO_IMAGE and "Sorry" in NO_IMAGE


def test_x_reply_fits_even_with_many_images_and_long_reasons():
    long = "A region whose compression history differs from the rest of the picture " * 3
    for count in (1, 2, 4, 9):
        checks = [verdict("likely_manipulated", 0.9, long, n) for n in range(count)]
        text = x_verdicts(checks, BASE + "/a-very-long-public-path" * 5)
        assert x_length(text) <= 280, text
        assert "probabilistic" in text
        assert len(re.findall(r"https?://", text)) >= 1
    one = x_verdicts([verdict("inconclusive", 0.5, "Too small to read", 1)], BASE)
    assert one.startswith("Inconclusive (0.50) Too small to read.")


def test_x_names_what_was_found_for_each_image():
    checks = [
        verdict("likely_manipulated", 0.97, "The picture looks AI-generated", 1, "ai_generated"),
        verdict("likely_manipulated", 0.91, "A region appears copied", 2, "edited"),
    ]
    lines = x_verdicts(checks, BASE).splitlines()
    assert lines[0].startswith("1: Likely AI-generated (0.97) The picture looks AI-generated.")
    assert lines[1].startswith("2: Likely edited (0.91) A region appears copied.")


def test_x_counts_links_as_23_characters():
    assert x_length("see https://example.com/" + "a" * 100) == len("see ") + 23
