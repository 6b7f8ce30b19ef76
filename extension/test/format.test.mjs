import assert from "node:assert/strict";
import { test } from "node:test";

import { BANDS, KIND_BADGES, describe, errorMessage, isVerdict } from "../lib/format.js";

const SERVICE = "http://127.0.0.1:8080";
const sha = "b".repeat(64);
const verdict = {
  id: sha,
  verdict: "likely_manipulated",
  kind: "edited",
  label: "Likely edited",
  score: 0.9312,
  reasons: ["A region near the bottom right appears copied to the top left", "second"],
  report_url: `/results/${sha}`,
  heatmap_url: `/v1/results/${sha}/heatmap.png`,
  ela_url: `/v1/results/${sha}/ela.png`,
};

test("a verdict becomes its own label, colour, badge, score, main reason and absolute links", () => {
  const view = describe(verdict, SERVICE);
  assert.equal(view.label, "Likely edited");
  assert.equal(view.color, BANDS.likely_manipulated.color);
  assert.equal(view.badge, "!");
  assert.equal(view.score, "0.93");
  assert.equal(view.reason, verdict.reasons[0]);
  assert.equal(view.reportUrl, `${SERVICE}/results/${sha}`);
  assert.equal(view.heatmapUrl, `${SERVICE}/v1/results/${sha}/heatmap.png`);
  assert.equal(view.elaUrl, `${SERVICE}/v1/results/${sha}/ela.png`);

  // A service older than label and kind: its band's words and glyph.
  const { kind, label, ...older } = verdict;
  assert.equal(describe(older, SERVICE).label, BANDS.likely_manipulated.label);
  assert.equal(describe(older, SERVICE).badge, "!");
  // Nor does a malformed label or kind leak through.
  const odd = describe({ ...verdict, label: 7, kind: "toString" }, SERVICE);
  assert.equal(odd.label, BANDS.likely_manipulated.label);
  assert.equal(odd.badge, "!");
});

test("an AI-generated verdict says so in words and on the badge, in its band's colour", () => {
  const view = describe({ ...verdict, kind: "ai_generated", label: "Likely AI-generated" }, SERVICE);
  assert.equal(view.label, "Likely AI-generated");
  assert.equal(view.badge, KIND_BADGES.ai_generated);
  assert.notEqual(view.badge, BANDS.likely_manipulated.badge);
  assert.equal(view.color, BANDS.likely_manipulated.color);
});

test("no reasons and no_evidence still read well; every band has its own colour", () => {
  const answer = { ...verdict, verdict: "no_evidence", kind: null, label: "No evidence of manipulation" };
  const view = describe({ ...answer, score: 0.05, reasons: [] }, SERVICE);
  assert.equal(view.label, "No evidence of manipulation");
  assert.equal(view.badge, "ok");
  assert.equal(view.reason, "Nothing stood out.");
  assert.equal(new Set(Object.values(BANDS).map((band) => band.color)).size, 3);
});

test("errors in words a person understands", () => {
  const say = (answer) => errorMessage(answer, SERVICE);
  assert.match(say({ status: 0 }), /unreachable at http:\/\/127\.0\.0\.1:8080/);
  assert.match(say({ status: 401, code: "unauthorized" }), /wants an API key/);
  assert.match(say({ status: 401, code: "unauthorized", keySent: true }), /does not accept this API key/);
  assert.match(say({ status: 413, code: "body_too_large" }), /too large/);
  assert.match(say({ status: 415, code: "unsupported_media_type" }), /not an image/);
  assert.match(say({ status: 422, code: "corrupt_image" }), /not an image/);
  assert.match(say({ status: 400, code: "empty_image" }), /not an image/);
  assert.match(say({ status: 429, code: "rate_limited" }), /wait a moment/);
  assert.match(say({ status: 429, code: "rate_limited", retryAfter: "3" }), /wait 3 s /);
  assert.match(say({ status: 503, code: "unavailable" }), /busy/);
  assert.match(say({ status: 502, code: "image_gone" }), /gone/);
  assert.match(say({ status: 502, code: "fetch_failed" }), /could not fetch/);
  assert.equal(say({ status: 422, code: "url_not_allowed", message: "Loopback is refused." }), "Loopback is refused.");
});

test("a service that never answered is said to have timed out, with the wait", () => {
  const message = errorMessage({ status: 0, timedOut: true, waited: 120 }, SERVICE);
  assert.match(message, /timed out/);
  assert.match(message, /did not answer within 120 s/);
});

test("only a known band with a score in [0, 1] is a verdict", () => {
  assert.ok(isVerdict(verdict));
  assert.ok(isVerdict({ ...verdict, verdict: "no_evidence", score: 0 }));
  assert.ok(!isVerdict({}));
  assert.ok(!isVerdict(null));
  assert.ok(!isVerdict({ ...verdict, verdict: "fake" }));
  assert.ok(!isVerdict({ ...verdict, verdict: "toString" }));
  assert.ok(!isVerdict({ ...verdict, score: "0.93" }));
  assert.ok(!isVerdict({ ...verdict, score: 1.5 }));
  assert.ok(!isVerdict({ ...verdict, score: Number.NaN }));
});
