"""Fixtures of the extension tests: Debian's Chromium with the unpacked extension loaded,
a real service on loopback, and a test page on loopback showing images the tests made."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web
from playwright.sync_api import BrowserContext, Worker, sync_playwright

from tests.bot.conftest import copy_moved, untouched
from tests.conftest import CHROMIUM, CHROMIUM_QUIET
from tests.service.harness import ThreadedServer

EXTENSION = Path(__file__).resolve().parents[2] / "extension"
PAGE = """<!doctype html><title>Photos</title>
<p>Two photos of a news story.</p>
<img id="spliced" src="/spliced.jpg" width="320" height="240">
<img id="untouched" src="/untouched.jpg" width="320" height="240">
<img id="made-here" width="160" height="120" alt="made in the page">
<p id="after">Text after the photos.</p>
<script>
  // An image only this page can read: a blob: URL of bytes it fetched itself.
  fetch("/untouched.jpg").then((r) => r.blob()).then((blob) => {
    document.getElementById("made-here").src = URL.createObjectURL(blob);
  });
</script>"""


@pytest.fixture
def site() -> Iterator[ThreadedServer]:
    """The test page and its two images (one copy-moved), on loopback."""
    files = {"/spliced.jpg": copy_moved(), "/untouched.jpg": untouched()}

    async def serve(request: web.Request) -> web.Response:
        if request.path == "/":
            return web.Response(text=PAGE, content_type="text/html")
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


def extension_page(browser: BrowserContext, worker: Worker, name: str):
    """One of the extension's own pages (options, popup) in a tab."""
    page = browser.new_page()
    page.goto(worker.url.rsplit("/", 1)[0] + f"/pages/{name}.html")
    return page


def configure(worker: Worker, service_url: str, api_key: str = "") -> None:
    worker.evaluate(
        "([url, key]) => chrome.storage.sync.set({serviceUrl: url, apiKey: key})",
        [service_url, api_key],
    )


def click_image(worker: Worker, page_url: str, image_url: str) -> None:
    """What a click on the menu item does: the handler with Chrome's info and tab."""
    worker.evaluate(
        """async ([pageUrl, srcUrl]) => {
            const [tab] = await chrome.tabs.query({ url: pageUrl });
            await self.fakecheck.onContextClick(
                { menuItemId: "fakecheck-check-image", srcUrl, pageUrl }, tab);
        }""",
        [page_url, image_url],
    )
