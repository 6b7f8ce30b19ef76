// The context-menu item on images; menus persist, so they are made once, at install.

import { onContextClick } from "./sw-check.js";

const MENU_ID = "fakecheck-check-image";

chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.create(
    { id: MENU_ID, title: "Check image with FakeCheck", contexts: ["image"] },
    () => {
      if (chrome.runtime.lastError) console.warn("menu not created:", chrome.runtime.lastError.message);
    },
  );
});

chrome.contextMenus.onClicked.addListener((info, tab) => {
  // The badge has told the user already; the log keeps what went wrong.
  if (info.menuItemId === MENU_ID) onContextClick(info, tab).catch((error) => console.warn("check failed:", error));
});
