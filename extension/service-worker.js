// The extension's worker, split by feature: the menu item and the check it starts.

import "./sw-menu.js";
import { onContextClick } from "./sw-check.js";

// Tests call the click handler directly: a native context menu cannot be clicked headless.
self.fakecheck = { onContextClick };
