// Turning the service's answers into words and colours, with no browser API in it.

import { serviceLink } from "./urls.js";

// Colour and badge glyph per band. The words a person reads come from the verdict itself
// (its `label`, written once by the model); `label` here serves only verdicts from a service
// older than that field.
export const BANDS = {
  likely_manipulated: { label: "Likely manipulated", color: "#b3261e", badge: "!" },
  inconclusive: { label: "Inconclusive", color: "#9a5b00", badge: "?" },
  no_evidence: { label: "No evidence of manipulation", color: "#1e6b35", badge: "ok" },
};
// A generated picture reads "AI" on the badge, an edited photo keeps its band's "!": both
// are likely_manipulated (one colour, one confidence), but they are different claims, and
// the badge is what a person sees without opening anything.
export const KIND_BADGES = { ai_generated: "AI" };

// Whether a successful answer is a FakeCheck verdict: one of its bands and a score in [0, 1].
// Anything else answering 200 (a catch-all web app, a captive portal) is no verdict.
export function isVerdict(body) {
  const score = body?.score;
  return Object.hasOwn(BANDS, body?.verdict ?? "") && typeof score === "number" && score >= 0 && score <= 1;
}

// Everything the overlay, the badge and the popup show of one verdict (checked by isVerdict).
export function describe(verdict, serviceUrl) {
  const band = BANDS[verdict.verdict];
  const reasons = Array.isArray(verdict.reasons) ? verdict.reasons : [];
  const label = typeof verdict.label === "string" && verdict.label ? verdict.label : band.label;
  return {
    band: verdict.verdict,
    label,
    color: band.color,
    badge: Object.hasOwn(KIND_BADGES, verdict.kind ?? "") ? KIND_BADGES[verdict.kind] : band.badge,
    score: verdict.score.toFixed(2),
    reason: reasons[0] ?? "Nothing stood out.",
    reportUrl: serviceLink(serviceUrl, verdict.report_url),
    heatmapUrl: serviceLink(serviceUrl, verdict.heatmap_url),
    elaUrl: serviceLink(serviceUrl, verdict.ela_url),
  };
}

// Failures of the extension's own, before or after the service.
export const NOT_READABLE = "FakeCheck cannot read the image at this address.";
export const NO_OVERLAY = "the answer cannot be shown on this page.";

// An address whose server answered, but not as FakeCheck does.
export function notFakeCheck(serviceUrl, status) {
  return `Something answers at ${serviceUrl} (HTTP ${status}), but not as a FakeCheck service.`;
}

// The detector's codes for bytes that are not a readable image.
const UNREADABLE = new Set(["unsupported_media_type", "corrupt_image", "truncated_image", "empty_image", "invalid_image"]);

// A failed check in words a person understands. status 0: no answer at all, timedOut when
// none came within waited seconds; keySent: the request carried an API key; retryAfter: the
// service's Retry-After, in seconds.
export function errorMessage({ status, code, message, keySent, retryAfter, timedOut, waited }, serviceUrl) {
  if (status === 0 && timedOut) {
    return `The check timed out: the FakeCheck service at ${serviceUrl} did not answer within ${waited} s. Try again later.`;
  }
  if (status === 0) {
    return `The FakeCheck service is unreachable at ${serviceUrl}. Is it running? The address is in the options.`;
  }
  if (status === 401) {
    return keySent
      ? "The service does not accept this API key: check it in the FakeCheck options."
      : "The service wants an API key: add yours in the FakeCheck options.";
  }
  if (status === 413 || code === "image_too_large" || code === "body_too_large") {
    return "This image is too large for the service to check.";
  }
  if (status === 415 || UNREADABLE.has(code)) {
    return "This is not an image FakeCheck can read.";
  }
  if (status === 429) {
    const wait = Number(retryAfter) > 0 ? `${Number(retryAfter)} s` : "a moment";
    return `Too many checks in a short time: wait ${wait} and try again.`;
  }
  if (status === 503) return "The service is busy or still starting: try again in a moment.";
  if (code === "image_gone") return "The image is gone from its site.";
  if (status === 502) return "The service could not fetch this image from its site.";
  return message || `The check failed (HTTP ${status}).`;
}
