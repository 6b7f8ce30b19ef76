// Drawn in the page, over the image that was checked: a spinner, then the verdict or the
// error. Injected on demand, once per check (the guard keeps one copy per page). Everything
// lives in a shadow root on a host positioned over the image and transparent to clicks, so
// the page's styles, layout and clicks are untouched. Text goes in as textContent, never as
// HTML.
(() => {
  if (globalThis.fakecheckOverlay) return;

  const STYLE = `
    :host { all: initial; }
    .layer { position: absolute; inset: 0; width: 100%; height: 100%; opacity: 0.65; pointer-events: none; }
    .panel { position: absolute; left: 6px; top: 6px; max-width: max(14rem, min(22rem, calc(100% - 12px)));
      pointer-events: auto; font: 13px/1.35 system-ui, sans-serif; color: #111; background: #fff;
      border-radius: 8px; box-shadow: 0 2px 10px rgba(0,0,0,.35); padding: 8px 10px; }
    .band { font-weight: 700; color: #fff; border-radius: 4px; padding: 1px 6px; display: inline-block; }
    .row { margin-top: 6px; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
    button { font: inherit; cursor: pointer; border: 1px solid #888; border-radius: 4px; background: #f4f4f4; padding: 1px 6px; }
    button:disabled { cursor: default; opacity: 0.5; }
    button[aria-pressed="true"] { background: #1c4e8c; color: #fff; border-color: #1c4e8c; }
    .close { position: absolute; right: 4px; top: 2px; border: 0; background: none; font-size: 15px; }
    .error { color: #8a1c12; }
    .closable { padding-right: 18px; }
    .spinner { width: 18px; height: 18px; border: 3px solid #ccc; border-top-color: #1c4e8c;
      border-radius: 50%; animation: spin 0.8s linear infinite; display: inline-block; vertical-align: middle; }
    @keyframes spin { to { transform: rotate(360deg); } }
  `;
  const hosts = new Map(); // image element -> its overlay host
  const OPEN_SIDE = 1e5; // px: CSS has no infinite inset; no panel reaches this far

  function element(tag, props = {}, children = []) {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  }

  // Each host over its image, measured from wherever the hosts' containing block is (the
  // page may position <html> or <body>), so a host never takes part in the page's layout.
  // All hosts move to the origin, then all are measured, then all are placed: one layout.
  function place(pairs) {
    for (const [, host] of pairs) Object.assign(host.style, { left: "0px", top: "0px" });
    const boxes = pairs.map(([image, host]) => [host.getBoundingClientRect(), image.getBoundingClientRect(), shownArea(image)]);
    pairs.forEach(([, host], i) => {
      const [origin, box, area] = boxes[i];
      Object.assign(host.style, {
        left: `${box.left - origin.left}px`,
        top: `${box.top - origin.top}px`,
        width: `${box.width}px`,
        height: `${box.height}px`,
        clipPath: clip(box, area),
      });
    });
  }

  // The part of the window where the image can show: inside every box around it that clips
  // what overflows it (a scrolling box), on the axes it clips. The host lives outside those
  // boxes, so nothing clips it but this. Only the boxes the image is laid out in count: an
  // image positioned absolutely escapes the static boxes around it, a fixed one all of them
  // (a transformed box holding it is not looked for). Inline boxes clip nothing; <html>, and
  // a <body> whose overflow is the window's, clip only what the window's scrolling moves
  // with the host.
  function shownArea(image) {
    const area = { left: -Infinity, top: -Infinity, right: Infinity, bottom: Infinity };
    const root = document.documentElement;
    const rootClips = getComputedStyle(root).overflow !== "visible";
    let position = getComputedStyle(image).position;
    for (let box = image.parentElement; box && box !== root && position !== "fixed"; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (position === "absolute" && style.position === "static") continue;
      position = style.position;
      if (box === document.body && !rootClips) break;
      if (style.display === "inline" || style.display === "contents") continue;
      const rect = box.getBoundingClientRect();
      const left = rect.left + box.clientLeft;
      const top = rect.top + box.clientTop;
      if (style.overflowX !== "visible") {
        area.left = Math.max(area.left, left);
        area.right = Math.min(area.right, left + box.clientWidth);
      }
      if (style.overflowY !== "visible") {
        area.top = Math.max(area.top, top);
        area.bottom = Math.min(area.bottom, top + box.clientHeight);
      }
    }
    return area;
  }

  // The host's clip-path: what it may draw of itself, and where it may take clicks, is the
  // area, as an inset from its box (the image's). None where nothing clips, for the panel may
  // reach past a small image: an open side is pushed out beyond any panel. Boxes that do not
  // overlap leave an empty area, which keeps nothing.
  function clip(box, area) {
    if (Object.values(area).every((edge) => !Number.isFinite(edge))) return "";
    const right = Math.max(area.left, area.right);
    const bottom = Math.max(area.top, area.bottom);
    const inset = [area.top - box.top, box.right - right, box.bottom - bottom, area.left - box.left];
    return `inset(${inset.map((side) => `${Number.isFinite(side) ? side : -OPEN_SIDE}px`).join(" ")})`;
  }

  // Draws over every image of this frame showing src, in a fresh shadow root each: build
  // gets a close button for that overlay and returns the nodes to show.
  function draw(src, build) {
    const images = [...document.images].filter((img) => img.currentSrc === src || img.src === src);
    for (const image of images) {
      let host = hosts.get(image);
      if (!host) {
        host = document.createElement("fakecheck-overlay");
        host.style.cssText = "position:absolute;z-index:2147483647;pointer-events:none;margin:0;padding:0;border:0;display:block;";
        host.attachShadow({ mode: "open" });
        document.documentElement.append(host);
        hosts.set(image, host);
      }
      host.dataset.src = src;
      place([[image, host]]);
      const close = element("button", { className: "close", textContent: "×", title: "Close" });
      close.setAttribute("aria-label", "Close");
      close.addEventListener("click", () => {
        host.remove();
        hosts.delete(image);
      });
      host.shadowRoot.replaceChildren(element("style", { textContent: STYLE }), ...build(close));
    }
  }

  // role: "status" or "alert" for what screen readers should announce; closable keeps the
  // text clear of the close button.
  function panel(children, { error = false, closable = error, role } = {}) {
    const node = element("div", { className: "panel" }, children);
    node.classList.toggle("error", error);
    node.classList.toggle("closable", closable);
    if (role) node.setAttribute("role", role);
    return node;
  }

  // Closable like the other panels: a slow check need not cover the image until it ends.
  function spinner(src) {
    draw(src, (close) => [
      panel(
        [element("span", { className: "spinner" }), element("span", { textContent: " Checking with FakeCheck…" }), close],
        { role: "status", closable: true },
      ),
    ]);
  }

  function error(src, message) {
    draw(src, (close) => [
      panel([element("span", { className: "message", textContent: message }), close], { error: true, role: "alert" }),
    ]);
  }

  // The verdict; pictures holds the heatmap and ELA map as data: URLs (null if missing).
  function show(src, view, pictures) {
    draw(src, (close) => {
      const layer = element("img", { className: "layer", alt: "", hidden: true });
      const toggles = [["heatmap", "Heatmap"], ["ela", "ELA map"]].map(([name, text]) => {
        const button = element("button", { className: "toggle", textContent: text, disabled: !pictures[name] });
        button.dataset.layer = name;
        button.setAttribute("aria-pressed", "false");
        button.addEventListener("click", () => {
          const on = button.getAttribute("aria-pressed") !== "true";
          for (const other of toggles) other.setAttribute("aria-pressed", "false");
          button.setAttribute("aria-pressed", String(on));
          layer.hidden = !on;
          if (on) layer.src = pictures[name];
        });
        return button;
      });
      const band = element("span", { className: "band", textContent: view.label });
      band.style.background = view.color;
      band.dataset.band = view.band;
      const report = element("a", { textContent: "Full report", href: view.reportUrl, target: "_blank", rel: "noopener" });
      return [
        layer,
        panel([
          band,
          element("span", { className: "score", textContent: ` score ${view.score}` }),
          close,
          element("div", { className: "reason", textContent: view.reason }),
          element("div", { className: "row" }, [...toggles, report]),
        ]),
      ];
    });
  }

  // Images move when the window resizes or a box around them scrolls (capture: scroll
  // events do not bubble). The document's own scrolling moves host and image alike, so it
  // needs nothing. Moves are placed once per frame, however many events came.
  let queued = false;
  function follow(event) {
    if (queued || event.target === document) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      place([...hosts]);
    });
  }
  window.addEventListener("resize", follow, { passive: true });
  document.addEventListener("scroll", follow, { capture: true, passive: true });

  globalThis.fakecheckOverlay = { spinner, error, show };
})();
