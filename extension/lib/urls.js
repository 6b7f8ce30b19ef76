// URL handling with no browser API in it, so Node's test runner checks it.

export const DEFAULT_SERVICE_URL = "http://127.0.0.1:8080";

// What the worker can do with an image's address: fetch it (http), decode it (data),
// or ask the page for it (blob: URLs only mean something inside their page).
export function sourceKind(url) {
  let scheme;
  try {
    scheme = new URL(url).protocol;
  } catch {
    return "unsupported";
  }
  if (scheme === "http:" || scheme === "https:") return "http";
  if (scheme === "data:") return url.startsWith("data:image/") ? "data" : "unsupported";
  if (scheme === "blob:") return "blob";
  return "unsupported";
}

// The service address as typed in the options, checked and without a trailing slash;
// null when it is not an http(s) URL.
export function normalizeServiceUrl(text) {
  let url;
  try {
    url = new URL(String(text).trim());
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.search || url.hash || url.username || url.password) return null;
  return url.href.replace(/\/+$/, "");
}

// A path the service answered (report_url, heatmap_url...) made absolute.
export function serviceLink(serviceUrl, path) {
  return new URL(path, `${serviceUrl.replace(/\/+$/, "")}/`).href;
}

// The host-permission pattern that lets the worker reach the service.
export function originPattern(serviceUrl) {
  return `${new URL(serviceUrl).origin}/*`;
}

// A Blob as a data: URL: text, so it can cross into a page through executeScript, whose
// arguments and results must be JSON, and be kept in chrome.storage.
export async function dataUrl(blob) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const CHUNK = 0x8000; // String.fromCharCode takes its bytes as arguments: keep the count bounded
  let binary = "";
  for (let start = 0; start < bytes.length; start += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(start, start + CHUNK));
  }
  return `data:${blob.type || "application/octet-stream"};base64,${btoa(binary)}`;
}
