"""Fixtures of the extension tests: Debian's Chromium with the unpacked extension loaded,
a real service on loopback, and a test page on loopback showing images the tests made."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web
from playwright.sync_api import BrowserContext, Locator, Page, Worker, sync_playwright

from tests.chromium import CHROMIUM, CHROMIUM_QUIET
from tests.images import copy_moved, untouched
from tests.service.harness import ThreadedServer

EXTENSION = Path(__file__).resolve().parents[2] / "extension"
PAGE = """<!doctype html><title>Photos</title>
<p>Photos of a news story.</p>
<img id="spliced" src="/spliced.jpg" width="320" height="240"
     onclick="this.dataset.clicks = Number(this.dataset.clicks || 0) + 1">
<img id="untouched" src="/untouched.jpg" width="320" height="240">
<img id="private" src="/private.jpg" width="160" height="120">
<img id="members" src="/members.jpg" width="160" height="120">
<img id="made-here" width="160" height="120" alt="made in the page">
<img id="inline" src="data:image/jpeg;base64,{inline}" width="160" height="120">
<iframe id="frame" src="/frame.html" width="360" height="280"></iframe>
<p id="after">Text after the photos.</p>
<script>
  // An image only this page can read: a blob: URL of bytes it fetched itself.
  fetch("/untouched.jpg").then((r) => r.blob()).then((blob) => {{
    document.getElementById("made-here").src = URL.createObjectURL(blob);
  }});
</script>"""
FRAME = '<!doctype html><img id="framed" src="/framed.jpg" width="320" height="240">'
LOGIN = '<!doctype html><form method="post"><input name="password"></form>'
SESSION = "session=signed-in"


@pytest.fixture
def site() -> Iterator[ThreadedServer]:
    """The test page on loopback: the copy-moved photo and the untouched one as plain files,
    a photo only the signed-in page may fetch (the page sets the cookie), one whose site sends
    others to its login page instead, one made into a blob: URL by the page, one inline as a
    data: URL, and one inside an iframe."""
    # Seed 32: the face search takes a patch of scene 31 for a face; this photo has none.
    spliced, clean = copy_moved(), untouched(32)
    files = {"/spliced.jpg": spliced, "/untouched.jpg": clean, "/framed.jpg": clean}

    async def serve(request: web.Request) -> web.Response:
        if request.path == "/":
            page = PAGE.format(inline=base64.b64encode(spliced).decode())
            response = web.Response(text=page, content_type="text/html")
            response.headers["Set-Cookie"] = f"{SESSION}; Path=/; SameSite=Strict"
            return response
        if request.path == "/frame.html":
            return web.Response(text=FRAME, content_type="text/html")
        if request.path == "/private.jpg":
            if request.headers.get("Cookie") != SESSION:
                raise web.HTTPForbidden()
            return web.Response(body=spliced, content_type="image/jpeg")
        if request.path == "/members.jpg":
            if request.headers.get("Cookie") != SESSION:
                raise web.HTTPFound("/login")
            return web.Response(body=spliced, content_type="image/jpeg")
        if request.path == "/login":
            return web.Response(text=LOGIN, content_type="text/html")
        if request.path not in files:
            raise web.HTTPNotFound()
        return web.Response(body=files[request.path], content_type="image/jpeg")

    app = web.Application()
    app.router.add_get("/{path:.*}", serve)
    server = ThreadedServer(app)
    yield server
    server.stop()


@pytest.fixture
def browser(tmp_path) -> Iterator[BrowserContext]:
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=False,  # the flag below: extensions need Chromium's new headless mode
            args=[
                "--headless=new",
                f"--disable-extensions-except={EXTENSION}",
                f"--load-extension={EXTENSION}",
                *CHROMIUM_QUIET,
            ],
        )
        yield context
        context.close()


@pytest.fixture
def worker(browser) -> Worker:
    """The extension's service worker, where the click handler lives."""
    workers = browser.service_workers or [browser.wait_for_event("serviceworker")]
    return workers[0]


def extension_page(browser: BrowserContext, worker: Worker, name: str) -> Page:
    """One of the extension's own pages (options, popup) in a tab."""
    page = browser.new_page()
    page.goto(worker.url.rsplit("/", 1)[0] + f"/pages/{name}.html")
    return page


def overlay(page: Page, src_end: str) -> Locator:
    """The overlay FakeCheck drew over the images whose address ends with ``src_end``."""
    return page.locator(f"fakecheck-overlay[data-src$='{src_end}']")


def add_image(page: Page, src: str, width: int = 80, height: int = 60) -> None:
    """Puts one more <img> showing ``src`` at the end of the page."""
    page.evaluate(
        "([src, w, h]) => { const img = new Image(w, h); img.src = src; document.body.append(img); }",
        [src, width, height],
    )


def configure(worker: Worker, service_url: str) -> None:
    """Points the extension at a service, as saving the options would."""
    worker.evaluate("(url) => chrome.storage.sync.set({ serviceUrl: url })", service_url)


def click_image(worker: Worker, page_url: str, image_url: str, settle: bool = True) -> None:
    """What a click on the menu item does: the handler with Chrome's info (the frame showing
    the image included) and tab; returns once the overlay is drawn, or at once when not
    ``settle``."""
    worker.evaluate(
        """async ([pageUrl, srcUrl, settle]) => {
            const [tab] = await chrome.tabs.query({ url: pageUrl });
            const frames = await chrome.scripting.executeScript({
                target: { tabId: tab.id, allFrames: true },
                func: (src) => [...document.images].some((img) => img.src === src),
                args: [srcUrl],
            });
            const { frameId } = frames.find((frame) => frame.result);
            const clicked = self.fakecheck.onContextClick(
                { menuItemId: "fakecheck-check-image", srcUrl, pageUrl, frameId }, tab);
            if (settle) await clicked;
        }""",
        [page_url, image_url, settle],
    )


def badge(worker: Worker, page_url: str) -> tuple[str, str]:
    """The toolbar badge's text and tooltip in the tab showing ``page_url``."""
    text, title = worker.evaluate(
        """async (pageUrl) => {
            const [tab] = await chrome.tabs.query({ url: pageUrl });
            return [await chrome.action.getBadgeText({ tabId: tab.id }),
                    await chrome.action.getTitle({ tabId: tab.id })];
        }""",
        page_url,
    )
    return text, title
