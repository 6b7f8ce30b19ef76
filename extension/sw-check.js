// A click on "Check image with FakeCheck": get the image's bytes, ask the service, and
// draw the verdict over the image in its page.

import { addRecent, thumbnail } from "./lib/recent.js";
import { analyze } from "./lib/service.js";
import { getSettings } from "./lib/settings.js";
import { sourceKind } from "./lib/urls.js";

// Runs one of the overlay's functions in the tab (injecting the overlay first, once).
async function inPage(tabId, method, args) {
  await chrome.scripting.executeScript({ target: { tabId }, files: ["content/overlay.js"] });
  const [result] = await chrome.scripting.executeScript({
    target: { tabId },
    func: (name, values) => globalThis.fakecheckOverlay[name](...values),
    args: [method, args],
  });
  return result?.result;
}

// The image as bytes when the extension can get them, else { url } for the service.
async function imageFor(src, tabId) {
  const kind = sourceKind(src);
  if (kind === "data") return (await fetch(src)).blob();
  if (kind === "http") {
    try {
      const response = await fetch(src, { credentials: "omit" });
      if (response.ok) return await response.blob();
    } catch {
      // Not ours to fetch (no host permission, no CORS): the page may still have it.
    }
  }
  if (kind === "http" || kind === "blob") {
    // The page's own fetch: blob: URLs and images behind the site's login.
    const dataUrl = await inPage(tabId, "bytes", [src]).catch(() => null);
    if (dataUrl) return (await fetch(dataUrl)).blob();
  }
  return kind === "http" ? { url: src } : null;
}

function badge(tabId, text, color) {
  chrome.action.setBadgeText({ tabId, text });
  if (color) chrome.action.setBadgeBackgroundColor({ tabId, color });
}

// Exposed for tests as self.fakecheck.onContextClick; settles once the overlay is drawn.
export async function onContextClick(info, tab) {
  const src = info.srcUrl;
  badge(tab.id, "…", "#555");
  await inPage(tab.id, "spinner", [src]);
  const [settings, image] = await Promise.all([getSettings(), imageFor(src, tab.id)]);
  if (image === null) {
    badge(tab.id, "err", "#555");
    return inPage(tab.id, "error", [src, "FakeCheck cannot read this kind of image address."]);
  }
  const outcome = await analyze(settings, image);
  if (!outcome.ok) {
    badge(tab.id, "err", "#555");
    return inPage(tab.id, "error", [src, outcome.error]);
  }
  badge(tab.id, outcome.view.badge, outcome.view.color);
  const thumb = image instanceof Blob ? await thumbnail(image) : src;
  await addRecent({ thumb, label: outcome.view.label, color: outcome.view.color, score: outcome.view.score, reportUrl: outcome.view.reportUrl });
  return inPage(tab.id, "show", [src, outcome.view]);
}
