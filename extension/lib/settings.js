// The options, kept in chrome.storage (a worker's globals die with it).

import { DEFAULT_SERVICE_URL } from "./urls.js";

// Synced with the browser's account. timeoutSeconds: the longest wait for the service's answer
// on one image, as the bot's bot_service_timeout_s: the service may take its body_timeout_s
// (60 s) to receive an upload, its fetch_timeout_s to fetch a URL, then the analysis. Not on
// the options page.
const SYNCED = { serviceUrl: DEFAULT_SERVICE_URL, timeoutSeconds: 120 };
// Kept on this device only: sync would copy the secret to the user's account and every
// browser signed in to it.
const LOCAL = { apiKey: "" };

export async function getSettings() {
  const { apiKey: syncedKey, ...synced } = await chrome.storage.sync.get([...Object.keys(SYNCED), "apiKey"]);
  if (syncedKey !== undefined) await moveKeyOffSync(syncedKey);
  const local = await chrome.storage.local.get(Object.keys(LOCAL));
  return { ...SYNCED, ...LOCAL, ...synced, ...local };
}

// Earlier versions synced the key: it moves here once, without replacing one saved here since.
async function moveKeyOffSync(apiKey) {
  if (!("apiKey" in (await chrome.storage.local.get("apiKey")))) await chrome.storage.local.set({ apiKey });
  await chrome.storage.sync.remove("apiKey");
}

export async function saveSettings(settings) {
  await chrome.storage.sync.set({ serviceUrl: settings.serviceUrl });
  await chrome.storage.local.set({ apiKey: settings.apiKey });
}
