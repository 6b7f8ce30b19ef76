// Options: the service's address and API key, saved to chrome.storage; "Test connection"
// asks the service's /healthz with what is in the form.

import { health } from "../lib/service.js";
import { getSettings, saveSettings } from "../lib/settings.js";
import { normalizeServiceUrl, originPattern } from "../lib/urls.js";

const BAD_ADDRESS = "The service address must be an http:// or https:// address.";
const form = document.getElementById("options");
const status = document.getElementById("status");

function fromForm() {
  return { serviceUrl: normalizeServiceUrl(form.serviceUrl.value), apiKey: form.apiKey.value.trim() };
}

// The worker may only reach origins it has permission for; ask for the service's if new.
async function allowed(serviceUrl) {
  const origins = [originPattern(serviceUrl)];
  return (await chrome.permissions.contains({ origins })) || chrome.permissions.request({ origins });
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const settings = fromForm();
  if (!settings.serviceUrl) {
    status.textContent = BAD_ADDRESS;
    return;
  }
  if (!(await allowed(settings.serviceUrl))) {
    status.textContent = "Without permission to reach that address, FakeCheck cannot use it.";
    return;
  }
  await saveSettings(settings);
  status.textContent = "Saved.";
});

document.getElementById("test").addEventListener("click", async () => {
  const settings = fromForm();
  if (!settings.serviceUrl) {
    status.textContent = BAD_ADDRESS;
    return;
  }
  status.textContent = "Testing…";
  status.textContent = (await health(settings)).text;
});

getSettings().then((settings) => {
  form.serviceUrl.value = settings.serviceUrl;
  form.apiKey.value = settings.apiKey;
});
