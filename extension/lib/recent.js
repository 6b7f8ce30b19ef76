// The recent checks the popup lists, newest first, in chrome.storage.local.

const KEY = "recent";
const KEEP = 20;

export async function getRecent() {
  return (await chrome.storage.local.get(KEY))[KEY] ?? [];
}

export async function addRecent(entry) {
  const recent = [{ ...entry, at: Date.now() }, ...(await getRecent())].slice(0, KEEP);
  await chrome.storage.local.set({ [KEY]: recent });
}

// A small JPEG data URL of an image Blob, so the list needs nothing from the web.
export async function thumbnail(blob) {
  try {
    const bitmap = await createImageBitmap(blob);
    const scale = 64 / Math.max(bitmap.width, bitmap.height);
    const canvas = new OffscreenCanvas(Math.max(1, bitmap.width * scale), Math.max(1, bitmap.height * scale));
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const small = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.8 });
    return await new Promise((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.readAsDataURL(small);
    });
  } catch {
    return "";
  }
}
