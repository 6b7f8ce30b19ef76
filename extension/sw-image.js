// Getting the bytes of the image that was clicked, by whichever way is open to the
// extension; the service is handed the image's URL only when none is.

import { sourceKind } from "./lib/urls.js";

// Runs in the image's frame, with the page's cookies and its blob: URLs. executeScript sends
// it there as text, so it uses nothing from this module.
async function readInPage(src) {
  try {
    const response = await fetch(src, { credentials: "include" });
    if (!response.ok) return null;
    const blob = await response.blob();
    return await new Promise((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => resolve(null);
      reader.readAsDataURL(blob);
    });
  } catch {
    return null;
  }
}

async function fromPage(target, src) {
  try {
    const [frame] = await chrome.scripting.executeScript({ target, func: readInPage, args: [src] });
    return frame?.result ? await (await fetch(frame.result)).blob() : null;
  } catch {
    return null; // a page that cannot be scripted
  }
}

// The image as a Blob of its bytes, else { url } for the service to fetch; null when neither
// will do (a blob: URL the page does not read back, a data: URL that does not decode).
export async function imageFor(src, target) {
  const kind = sourceKind(src);
  if (kind === "data") return fetch(src).then((response) => response.blob()).catch(() => null);
  if (kind === "http") {
    // Without the user's cookies, as the service would fetch it. CORS applies unless the
    // extension holds the image's origin (a loopback one) or the site allows it.
    // Only an image at the address itself: a site that wants a login answers a cookieless
    // request with a redirect to its login page, which is no image and says nothing of this one.
    const response = await fetch(src, { credentials: "omit" }).catch(() => null);
    const isImage = response?.headers.get("Content-Type")?.startsWith("image/");
    if (response?.ok && isImage && !response.redirected) return response.blob();
  }
  if (kind === "http" || kind === "blob") {
    const blob = await fromPage(target, src);
    if (blob) return blob;
  }
  return kind === "http" ? { url: src } : null;
}
