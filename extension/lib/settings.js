// The options, kept in chrome.storage (a worker's globals die with it).

import { DEFAULT_SERVICE_URL } from "./urls.js";

const DEFAULTS = { serviceUrl: DEFAULT_SERVICE_URL, apiKey: "" };

export async function getSettings() {
  return { ...DEFAULTS, ...(await chrome.storage.sync.get(Object.keys(DEFAULTS))) };
}

export async function saveSettings(settings) {
  await chrome.storage.sync.set({ serviceUrl: settings.serviceUrl, apiKey: settings.apiKey });
}
