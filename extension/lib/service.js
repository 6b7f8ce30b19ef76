// The extension's only way to the detector: the service's HTTP API.

import { describe, errorMessage } from "./format.js";

function headers(settings) {
  return settings.apiKey ? { Authorization: `Bearer ${settings.apiKey}` } : {};
}

// Checks an image, given as a Blob of its bytes or as { url } for the service to fetch.
// Resolves { ok: true, view } or { ok: false, error } (words for a person); never rejects.
export async function analyze(settings, image) {
  const init = { method: "POST", headers: headers(settings) };
  if (image instanceof Blob) {
    init.body = new FormData();
    init.body.append("image", image, "image");
  } else {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify({ url: image.url });
  }
  let response;
  try {
    response = await fetch(`${settings.serviceUrl}/v1/analyze`, init);
  } catch {
    return { ok: false, error: errorMessage({ status: 0 }, settings.serviceUrl) };
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const { code, message } = body.error ?? {};
    return { ok: false, error: errorMessage({ status: response.status, code, message }, settings.serviceUrl) };
  }
  return { ok: true, view: describe(body, settings.serviceUrl) };
}

// "Test connection": is the service there, and is its detector loaded?
export async function health(settings) {
  try {
    const response = await fetch(`${settings.serviceUrl}/healthz`, { headers: headers(settings) });
    const body = await response.json();
    if (!response.ok) return { ok: false, text: `The service answered HTTP ${response.status}.` };
    return body.model_loaded
      ? { ok: true, text: "Connected: the detector is loaded." }
      : { ok: true, text: "Connected: the detector is still loading." };
  } catch {
    return { ok: false, text: errorMessage({ status: 0 }, settings.serviceUrl) };
  }
}
