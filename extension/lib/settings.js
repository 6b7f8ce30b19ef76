// The options, kept in chrome.storage (a worker's globals die with it).

import { DEFAULT_SERVICE_URL } from "./urls.js";

// timeoutSeconds: the longest wait for the service's answer on one image, as the bot's
// bot_service_timeout_s: the service may take its body_timeout_s (60 s) to receive an upload,
// its fetch_timeout_s to fetch a URL, then the analysis. Not on the options page.
const DEFAULTS = { serviceUrl: DEFAULT_SERVICE_URL, apiKey: "", timeoutSeconds: 120 };

export async function getSettings() {
  return { ...DEFAULTS, ...(await chrome.storage.sync.get(Object.keys(DEFAULTS))) };
}

export async function saveSettings(settings) {
  await chrome.storage.sync.set({ serviceUrl: settings.serviceUrl, apiKey: settings.apiKey });
}
