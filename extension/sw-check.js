// A click on "Check image with FakeCheck": the image to the service, and its answer drawn
// over the image in its page; the toolbar badge tells the same in short.

import { NOT_READABLE, NO_OVERLAY } from "./lib/format.js";
import { addRecent } from "./lib/recent.js";
import { analyze, picture } from "./lib/service.js";
import { getSettings } from "./lib/settings.js";
import { imageFor } from "./sw-image.js";

const GREY = "#555";

// The overlay's code in the image's frame; it sets itself up once per page.
async function injectOverlay(target) {
  await chrome.scripting.executeScript({ target, files: ["content/overlay.js"] });
}

// Calls one of the overlay's functions in the image's frame.
async function inPage(target, method, args) {
  await chrome.scripting.executeScript({
    target,
    func: (name, values) => globalThis.fakecheckOverlay[name](...values),
    args: [method, args],
  });
}

function badge(tabId, text, color, title) {
  chrome.action.setBadgeText({ tabId, text });
  chrome.action.setBadgeBackgroundColor({ tabId, color });
  chrome.action.setTitle({ tabId, title: `FakeCheck: ${title}` });
}

// Exposed for tests as self.fakecheck.onContextClick; settles once the overlay is drawn.
export async function onContextClick(info, tab) {
  const src = info.srcUrl;
  const target = { tabId: tab.id, frameIds: [info.frameId ?? 0] };
  badge(tab.id, "…", GREY, "checking…");
  // activeTab does not reach a frame from another origin than the tab's: its image is
  // checked all the same, and the badge and the popup tell the answer.
  const drawable = await injectOverlay(target).then(() => true, () => false);
  const draw = (method, args) => (drawable ? inPage(target, method, args) : null);
  try {
    await draw("spinner", [src]);
    const [settings, image] = await Promise.all([getSettings(), imageFor(src, target)]);
    const outcome = image ? await analyze(settings, image) : { ok: false, error: NOT_READABLE };
    if (!outcome.ok) {
      badge(tab.id, "err", GREY, outcome.error);
      await draw("error", [src, outcome.error]);
      return;
    }
    const { view } = outcome;
    const said = `${view.label}, score ${view.score}`;
    badge(tab.id, view.badge, view.color, drawable ? said : `${said}; ${NO_OVERLAY}`);
    const drawn = drawable
      ? Promise.all([picture(view.heatmapUrl), picture(view.elaUrl)]).then(([heatmap, ela]) =>
          draw("show", [src, view, { heatmap, ela }]),
        )
      : null;
    await Promise.all([addRecent(view, image), drawn]);
  } catch (error) {
    badge(tab.id, "err", GREY, NO_OVERLAY);
    throw error;
  }
}
