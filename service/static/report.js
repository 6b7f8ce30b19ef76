// The report page: read the stored verdict from the API and write it out as text only.
"use strict";

// What a finding means, said under the verdict's own words (its label, from the API): by
// kind for likely_manipulated, else by band.
const MEANINGS = {
  ai_generated: "The picture looks made by an image generator (AI), not taken with a camera.",
  edited:
    "A photo looks changed after it was taken: a part pasted in, retouched or copied, or an edit its file records.",
  inconclusive: "The evidence is too weak or too mixed to say either way; the reasons below say why.",
  no_evidence: "This does not prove the picture real: the signals below can miss what they were not made to see.",
};
const SIGNAL_NAMES = {
  ela_cnn: "Error Level Analysis network (edits)",
  clone: "Copy-move (duplicated regions)",
  metadata: "Metadata",
  provenance: "Provenance (Content Credentials, generator marks)",
  ai_generated: "AI generation (the whole picture)",
  synthetic_face: "AI-generated faces",
};
const resultId = window.location.pathname.split("/").pop();
const byId = (id) => document.getElementById(id);

function item(tag, text) {
  const element = document.createElement(tag);
  element.textContent = text;
  return element;
}

function showVerdict(verdict) {
  const band = byId("band");
  // Verdicts stored before labels existed carry only their band's code.
  band.textContent = verdict.label ?? verdict.verdict;
  band.className = `band ${verdict.verdict}`;
  byId("score").textContent = `score ${verdict.score.toFixed(2)} (chance it is AI-generated or edited)`;
  byId("meaning").textContent = MEANINGS[verdict.kind ?? verdict.verdict] ?? "";
  byId("reasons").replaceChildren(...verdict.reasons.map((reason) => item("li", reason)));
  byId("verdict").hidden = false;
}

function showPictures(verdict) {
  byId("ela").src = verdict.ela_url;
  byId("heatmap").src = verdict.heatmap_url;
  if (verdict.image_url) {
    byId("image").src = verdict.image_url;
    byId("image-figure").hidden = false;
  }
  byId("pictures").hidden = false;
}

function showSignals(verdict) {
  const list = byId("signals");
  for (const signal of verdict.signals) {
    list.append(item("dt", SIGNAL_NAMES[signal.name] || signal.name));
    if (typeof signal.score === "number") {
      list.append(item("dd", `score ${signal.score.toFixed(2)}`));
    }
    const findings = signal.findings.length ? signal.findings : ["nothing found"];
    for (const finding of findings) list.append(item("dd", finding));
  }
  const image = verdict.image;
  const quality = image.jpeg_quality ? `, JPEG quality about ${image.jpeg_quality}` : "";
  byId("image-facts").textContent =
    `${image.format}, ${image.width}×${image.height}${quality}. ` +
    `Model ${verdict.model.name} ${verdict.model.version}.`;
  byId("signals-section").hidden = false;
}

function setUpFeedback() {
  const form = byId("feedback-form");
  const status = byId("feedback-status");
  byId("feedback-open").addEventListener("click", () => {
    form.hidden = false;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch(`/v1/results/${resultId}/feedback`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ expected: byId("expected").value, comment: byId("comment").value }),
    });
    form.hidden = response.ok;
    status.textContent = response.ok
      ? "Thank you: your feedback is stored with this result."
      : `Feedback could not be stored (${response.status}).`;
  });
  byId("feedback-section").hidden = false;
}

async function main() {
  const response = await fetch(`/v1/results/${resultId}`);
  if (!response.ok) {
    byId("status").textContent = `This result cannot be shown (${response.status}).`;
    return;
  }
  const verdict = await response.json();
  showVerdict(verdict);
  showPictures(verdict);
  showSignals(verdict);
  setUpFeedback();
}

main();
