// Options: the service's address and API key, saved to chrome.storage; "Test connection"
// asks the service's /healthz with what is in the form.

import { health } from "../lib/service.js";
import { getSettings, saveSettings } from "../lib/settings.js";
import { normalizeServiceUrl, originPattern } from "../lib/urls.js";

const form = document.getElementById("options");
const status = document.getElementById("status");

// The settings in the form, once the address is valid and the extension may reach it (Chrome
// asks the user for a new origin, and answers at once for one granted already); else null,
// with the reason shown. Called first thing in a handler: the request needs the user's gesture.
async function reachable() {
  const settings = { serviceUrl: normalizeServiceUrl(form.serviceUrl.value), apiKey: form.apiKey.value.trim() };
  if (!settings.serviceUrl) {
    status.textContent = "The service address must be an http:// or https:// address.";
    return null;
  }
  if (!(await chrome.permissions.request({ origins: [originPattern(settings.serviceUrl)] }))) {
    status.textContent = "Without permission to reach that address, FakeCheck cannot use it.";
    return null;
  }
  return settings;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const settings = await reachable();
  if (!settings) return;
  await saveSettings(settings);
  status.textContent = "Saved.";
});

document.getElementById("test").addEventListener("click", async () => {
  const settings = await reachable();
  if (!settings) return;
  status.textContent = "Testing…";
  status.textContent = (await health(settings)).text;
});

// The stored settings arrive after the page is shown: they never replace what was typed.
getSettings().then((settings) => {
  if (!form.serviceUrl.value) form.serviceUrl.value = settings.serviceUrl;
  if (!form.apiKey.value) form.apiKey.value = settings.apiKey;
});
