"""The codes the bots and the extension branch on, and the words they show, are the API's:
openapi.json's bands and kinds are the model's, and each label the model writes
(``model.verdict.label``) is what the extension and the bots put before a person."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.replies import reddit_verdicts, x_verdicts
from bot.service_client import Check
from model.verdict import BANDS, KINDS, LIKELY_MANIPULATED, label
from service.views import OPENAPI_FILE

FORMAT_JS = Path(__file__).resolve().parents[2] / "extension" / "lib" / "format.js"
SERVICE = "http://127.0.0.1:8080"
# Every band with each kind the model gives it: a kind for likely_manipulated, else none.
FOUND = [
    (band, kind) for band in BANDS for kind in (KINDS if band == LIKELY_MANIPULATED else [None])
]
# The extension's tables and its view of each answer given on the command line.
DESCRIBE = """
import { BANDS, KIND_BADGES, describe } from %s;
const answers = JSON.parse(process.argv[1]);
console.log(JSON.stringify({
  bands: Object.keys(BANDS),
  kinds: Object.keys(KIND_BADGES),
  views: answers.map((answer) => describe(answer, %s)),
}));
"""


def answer(band: str, kind: str | None, n: int = 1) -> dict:
    """The service's answer for a verdict of ``band`` and ``kind``, as far as people see it."""
    sha = f"{n:064x}"
    return {
        "id": sha,
        "verdict": band,
        "kind": kind,
        "label": label(band, kind),
        "score": 0.9,
        "reasons": ["The main reason"],
        "report_url": f"/results/{sha}",
        "heatmap_url": f"/v1/results/{sha}/heatmap.png",
        "ela_url": f"/v1/results/{sha}/ela.png",
    }


def test_openapi_documents_the_models_bands_kinds_and_labels():
    verdict = json.loads(OPENAPI_FILE.read_text())["components"]["schemas"]["Verdict"]
    fields = verdict["properties"]
    assert fields["verdict"]["enum"] == list(BANDS)
    assert fields["kind"]["enum"] == [*KINDS, None] and fields["kind"]["nullable"]
    for band, kind in FOUND:
        assert f'"{label(band, kind)}"' in fields["label"]["description"]
    # Each finding has words of its own: a generated picture is never called edited.
    assert len({label(band, kind) for band, kind in FOUND}) == len(FOUND)


def test_the_bots_name_each_verdict_by_its_label():
    for n, (band, kind) in enumerate(FOUND):
        check = Check(f"https://i.example/{n}.jpg", verdict=answer(band, kind, n))
        assert f"**{label(band, kind)}** (score 0.90)" in reddit_verdicts([check], SERVICE)
        assert x_verdicts([check], SERVICE).startswith(f"{label(band, kind)} (0.90)")


@pytest.mark.skipif(shutil.which("node") is None, reason="nodejs is installed by `make test`")
def test_the_extension_shows_each_label_and_knows_only_the_apis_codes():
    answers = [answer(band, kind, n) for n, (band, kind) in enumerate(FOUND)]
    script = DESCRIBE % (json.dumps(FORMAT_JS.as_uri()), json.dumps(SERVICE))
    run = subprocess.run(
        ["node", "--input-type=module", "-e", script, json.dumps(answers)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    shown = json.loads(run.stdout)
    assert shown["bands"] == list(BANDS)
    assert set(shown["kinds"]) <= set(KINDS)
    views = dict(zip(FOUND, shown["views"], strict=True))
    for (band, kind), view in views.items():
        assert view["label"] == label(band, kind)
    colours = {
        band: {views[band, kind]["color"] for b, kind in FOUND if b == band} for band in BANDS
    }
    assert all(len(colour) == 1 for colour in colours.values())  # one colour per band
    badges = {views[LIKELY_MANIPULATED, kind]["badge"] for kind in KINDS}
    assert len(badges) == len(KINDS)  # the badge alone tells generated from edited
