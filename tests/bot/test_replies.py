"""What the bots say: every verdict line complete, X's answers within 280 characters."""

from __future__ import annotations

import re

from bot.replies import FOOTER, NO_IMAGE, reddit_verdicts, x_length, x_verdicts
from bot.service_client import Check

BASE = "https://fakecheck.example"


def verdict(band: str, score: float, reason: str | None = None, n: int = 0) -> Check:
    sha = f"{n:064x}"
    return Check(
        f"https://i.redd.it/{n}.jpg",
        verdict={
            "id": sha,
            "verdict": band,
            "score": score,
            "reasons": [reason] if reason else [],
            "report_url": f"/results/{sha}",
        },
    )


def test_reddit_one_line_per_image_with_band_score_reason_and_links():
    checks = [
        verdict("likely_manipulated", 0.931, "Region at top-left has another compression", 1),
        verdict("no_evidence", 0.05, None, 2),
        Check("https://i.redd.it/3.jpg", gone=True, problem="HTTP 404"),
    ]
    text = reddit_verdicts(checks, BASE)
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == 3
    assert "**likely manipulated** (score 0.93)" in lines[0]
    assert "Region at top-left has another compression." in lines[0]
    assert f"[Report]({BASE}/results/{1:064x})" in lines[0]
    assert f"[Wrong verdict?]({BASE}/results/{1:064x}#feedback-section)" in lines[0]
    assert "**no evidence of manipulation** (score 0.05): Nothing stood out." in lines[1]
    assert "the image is gone" in lines[2]
    assert text.endswith(FOOTER) and "probabilistic" in FOOTER
    assert "the 3 images" in text


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
    assert one.startswith("inconclusive (0.50) Too small to read.")


def test_x_counts_links_as_23_characters():
    assert x_length("see https://example.com/" + "a" * 100) == len("see ") + 23
