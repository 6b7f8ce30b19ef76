// The popup: recent checks (thumbnail, verdict, report link) and checking a local file.

import { addRecent, getRecent } from "../lib/recent.js";
import { analyze } from "../lib/service.js";
import { getSettings } from "../lib/settings.js";

const list = document.getElementById("recent");
const status = document.getElementById("status");

async function render() {
  const recent = await getRecent();
  document.getElementById("empty").hidden = recent.length > 0;
  list.replaceChildren(
    ...recent.map((entry) => {
      const item = document.createElement("li");
      const thumb = Object.assign(document.createElement("img"), { alt: "" });
      // Only data: thumbnails: "" when there were no bytes or they did not decode, and
      // checks saved by earlier versions may hold the image's web address.
      if (entry.thumb.startsWith("data:")) thumb.src = entry.thumb;
      const band = Object.assign(document.createElement("span"), { className: "band", textContent: entry.label });
      band.style.background = entry.color;
      const link = Object.assign(document.createElement("a"), {
        href: entry.reportUrl,
        target: "_blank",
        textContent: `score ${entry.score} · report`,
      });
      item.append(thumb, band, link);
      return item;
    }),
  );
}

document.getElementById("file").addEventListener("change", async (event) => {
  const [file] = event.target.files;
  if (!file) return;
  status.textContent = `Checking ${file.name}…`;
  const outcome = await analyze(await getSettings(), file);
  if (!outcome.ok) {
    status.textContent = outcome.error;
    return;
  }
  const { view } = outcome;
  await addRecent(view, file);
  status.textContent = `${file.name}: ${view.label} (score ${view.score})`;
});

// Checks finishing while the popup is open (a right-click's, or the file's) show at once.
chrome.storage.local.onChanged.addListener(render);
render();
