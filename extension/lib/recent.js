// The recent checks the popup lists, newest first, in chrome.storage.local.

import { dataUrl } from "./urls.js";

const KEY = "recent";
const KEEP = 20;

export async function getRecent() {
  return (await chrome.storage.local.get(KEY))[KEY] ?? [];
}

// Adds a check: what the popup shows of its verdict (a view from format.describe), and a
// thumbnail of the image, given as checked: a Blob of its bytes or { url }. An image sent as
// its URL gets none: its address as a thumbnail would have the popup fetch it from its site
// each time it opens, telling the site what was checked.
// Writes go one after another: two checks finishing together would otherwise both read the
// old list and the later write would drop the other's entry.
let writes = Promise.resolve();

export async function addRecent(view, image) {
  const { label, color, score, reportUrl } = view;
  const thumb = image instanceof Blob ? await thumbnail(image) : "";
  const entry = { thumb, label, color, score, reportUrl, at: Date.now() };
  const write = writes.then(async () => {
    await chrome.storage.local.set({ [KEY]: [entry, ...(await getRecent())].slice(0, KEEP) });
  });
  writes = write.catch(() => {}); // one failed write must not stop the next
  return write;
}

// A small JPEG data: URL of an image Blob, so the list needs nothing from the web; "" when
// the bytes do not decode here.
async function thumbnail(blob) {
  try {
    const bitmap = await createImageBitmap(blob);
    const scale = 64 / Math.max(bitmap.width, bitmap.height);
    const canvas = new OffscreenCanvas(Math.max(1, bitmap.width * scale), Math.max(1, bitmap.height * scale));
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return await dataUrl(await canvas.convertToBlob({ type: "image/jpeg", quality: 0.8 }));
  } catch {
    return "";
  }
}
