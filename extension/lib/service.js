// The extension's only way to the detector: the service's HTTP API.

import { describe, errorMessage, isVerdict, notFakeCheck } from "./format.js";
import { dataUrl } from "./urls.js";

// Checks an image, given as a Blob of its bytes or as { url } for the service to fetch.
// Resolves { ok: true, view } or { ok: false, error } (words for a person); never rejects.
export async function analyze(settings, image) {
  const init = { method: "POST", headers: {} };
  if (settings.apiKey) init.headers.Authorization = `Bearer ${settings.apiKey}`;
  if (image instanceof Blob) {
    init.body = new FormData();
    init.body.append("image", image, "image");
  } else {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify({ url: image.url });
  }
  // A service that takes the request and never answers would otherwise leave the spinner up
  // for good; the timeout covers the answer's body as well as its headers.
  init.signal = AbortSignal.timeout(settings.timeoutSeconds * 1000);
  let response;
  let text;
  try {
    response = await fetch(`${settings.serviceUrl}/v1/analyze`, init);
    text = await response.text();
  } catch (error) {
    const answer = { status: 0, timedOut: error.name === "TimeoutError", waited: settings.timeoutSeconds };
    return { ok: false, error: errorMessage(answer, settings.serviceUrl) };
  }
  const body = parseJson(text);
  if (!response.ok) {
    const answer = {
      ...body?.error,
      status: response.status,
      keySent: Boolean(settings.apiKey),
      retryAfter: response.headers.get("Retry-After"),
    };
    return { ok: false, error: errorMessage(answer, settings.serviceUrl) };
  }
  if (!isVerdict(body)) return { ok: false, error: notFakeCheck(settings.serviceUrl, response.status) };
  return { ok: true, view: describe(body, settings.serviceUrl) };
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

// The heatmap or the ELA map as a data: URL, null when it cannot be had. The page gets the
// picture from the extension rather than from the service: the page's CSP, mixed-content
// and local-network rules would stop many pages from loading http://127.0.0.1 themselves.
export async function picture(url) {
  try {
    const response = await fetch(url);
    return response.ok ? await dataUrl(await response.blob()) : null;
  } catch {
    return null;
  }
}

// "Test connection": is the service there, and is its detector loaded?
export async function health(settings) {
  let response;
  try {
    response = await fetch(`${settings.serviceUrl}/healthz`);
  } catch {
    return { ok: false, text: errorMessage({ status: 0 }, settings.serviceUrl) };
  }
  const body = response.ok ? await response.json().catch(() => null) : null;
  const loaded = body?.model_loaded;
  if (typeof loaded !== "boolean") return { ok: false, text: notFakeCheck(settings.serviceUrl, response.status) };
  return loaded
    ? { ok: true, text: "Connected: the detector is loaded." }
    : { ok: true, text: "Connected: the detector is still loading." };
}
