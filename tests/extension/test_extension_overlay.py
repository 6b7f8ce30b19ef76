"""The extension in real Chromium: the verdict drawn over each image of a page, whichever way
its bytes are reached, and the heatmap toggle; an image in another site's frame, told by the
badge; the menu item."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Iterator
from urllib.parse import urljoin

import pytest
from aiohttp import web
from playwright.sync_api import expect

from tests.chromium import SCREENSHOTS
from tests.extension.conftest import (
    add_image,
    badge,
    click_image,
    configure,
    extension_page,
    overlay,
)
from tests.images import copy_moved
from tests.service.harness import Origin, ThreadedServer, generated

FAR_FRAME = '<!doctype html><img src="/far.jpg" width="320" height="240">'
# What a click on an image in a frame the worker may not script does: Chrome's menu info
# carries that frame's id, found here as the one frame that refuses the worker.
CLICK_IN_FOREIGN_FRAME = """async ([pageUrl, srcUrl]) => {
    const [tab] = await chrome.tabs.query({ url: pageUrl });
    for (let frameId = 1; frameId < 100; frameId++) {
        try {
            await chrome.scripting.executeScript({ target: { tabId: tab.id, frameIds: [frameId] },
                                                   func: () => 0 });
        } catch (error) {
            if (String(error).includes("No frame with id")) continue;
            await self.fakecheck.onContextClick(
                { menuItemId: "fakecheck-check-image", srcUrl, pageUrl, frameId }, tab);
            return frameId;
        }
    }
}"""


def test_each_image_gets_its_band_and_the_heatmap_toggles_on(browser, worker, site, service):
    configure(worker, service.url)
    page = browser.new_page()
    page.goto(site.url + "/")
    layout = page.locator("#after").bounding_box()

    click_image(worker, site.url + "/", site.url + "/spliced.jpg")
    click_image(worker, site.url + "/", site.url + "/untouched.jpg")

    spliced, clean = overlay(page, "/spliced.jpg"), overlay(page, "/untouched.jpg")
    expect(spliced.locator(".band")).to_have_attribute("data-band", "likely_manipulated")
    expect(spliced.locator(".band")).to_have_text("Likely edited")
    expect(spliced.locator(".reason")).to_contain_text("copied")
    expect(clean.locator(".band")).to_have_attribute("data-band", "inconclusive")
    report = spliced.locator("a", has_text="Full report")
    assert report.get_attribute("href").startswith(f"{service.url}/results/")
    assert spliced.bounding_box() == page.locator("#spliced").bounding_box()

    heatmap = spliced.locator("button[data-layer='heatmap']")
    heatmap.click()
    expect(heatmap).to_have_attribute("aria-pressed", "true")
    layer = spliced.locator("img.layer")
    expect(layer).to_be_visible()
    # The worker hands the picture over as data, so the page need not reach the service.
    assert layer.get_attribute("src").startswith("data:image/png;base64,")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=layer.element_handle()
    )

    # Neither layout nor clicks of the page change: a click beside the panel reaches the image.
    assert page.locator("#after").bounding_box() == layout
    page.locator("#spliced").click(position={"x": 300, "y": 220})
    expect(page.locator("#spliced")).to_have_attribute("data-clicks", "1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "extension-overlay.png", full_page=True)

    spliced.locator("button.close").click()
    expect(spliced).to_have_count(0)
    expect(clean).to_have_count(1)


def test_a_generated_picture_is_called_ai_generated_by_overlay_badge_and_popup(
    browser, worker, site, service
):
    configure(worker, service.url)
    page = browser.new_page()
    page.goto(site.url + "/")
    src = "data:image/png;base64," + base64.b64encode(generated()).decode()
    add_image(page, src, 160, 120)

    click_image(worker, site.url + "/", src)

    drawn = overlay(page, src[-12:])
    expect(drawn.locator(".band")).to_have_text("Likely AI-generated")
    expect(drawn.locator(".band")).to_have_attribute("data-band", "likely_manipulated")
    expect(drawn.locator(".reason")).to_contain_text("Stable Diffusion")
    text, title = badge(worker, site.url + "/")
    assert text == "AI"
    assert title.startswith("FakeCheck: Likely AI-generated, score ")
    popup = extension_page(browser, worker, "popup")
    expect(popup.locator("#recent li .band")).to_have_text("Likely AI-generated")


def test_the_overlay_follows_its_image_when_a_box_scrolls_or_the_window_resizes(
    browser, worker, site, service
):
    configure(worker, service.url)
    page = browser.new_page()
    page.goto(site.url + "/")
    boxed = site.url + "/untouched.jpg?boxed"
    page.evaluate(
        """(src) => {
            const box = Object.assign(document.createElement("div"), { id: "box" });
            box.style.cssText = "height:200px;overflow:auto;margin-left:30%";
            const img = Object.assign(new Image(160, 120), { src, id: "boxed" });
            img.style.marginTop = "40px";
            box.append(img, Object.assign(document.createElement("div"), { style: "height:600px" }));
            document.body.prepend(box);
        }""",
        boxed,
    )
    click_image(worker, site.url + "/", boxed)
    host, image = overlay(page, "?boxed"), page.locator("#boxed")
    expect(host.locator(".band")).to_have_count(1)

    # The host's box on the image's box (it is placed in the frame after a move).
    follows = """() => {
        const host = document.querySelector("fakecheck-overlay[data-src$='?boxed']");
        const a = host.getBoundingClientRect();
        const b = document.getElementById("boxed").getBoundingClientRect();
        return Math.abs(a.left - b.left) < 1 && Math.abs(a.top - b.top) < 1;
    }"""

    assert page.evaluate(follows)
    before = image.bounding_box()
    page.evaluate("() => { document.getElementById('box').scrollTop = 30; }")
    page.wait_for_function("() => new Promise((done) => requestAnimationFrame(() => done(true)))")
    assert image.bounding_box()["y"] == before["y"] - 30
    page.wait_for_function(follows)
    page.set_viewport_size({"width": 900, "height": 700})
    assert image.bounding_box()["x"] != before["x"]
    page.wait_for_function(follows)


def test_images_behind_a_login_in_blobs_data_urls_and_frames(browser, worker, site, service):
    configure(worker, service.url)
    page = browser.new_page()
    page.goto(site.url + "/")
    page.wait_for_function("() => document.getElementById('made-here').src.startsWith('blob:')")
    blob_url = page.eval_on_selector("#made-here", "img => img.src")
    data_url = page.eval_on_selector("#inline", "img => img.src")

    for image in ("/private.jpg", "/members.jpg", blob_url, data_url, "/framed.jpg"):
        click_image(worker, site.url + "/", urljoin(site.url, image))

    # Only the page, with its cookie, may read /private.jpg: the worker's own try is refused.
    expect(overlay(page, "/private.jpg").locator(".band")).to_have_text("Likely edited")
    # Nor /members.jpg, whose site sends the worker to a login page answering 200.
    expect(overlay(page, "/members.jpg").locator(".band")).to_have_text("Likely edited")
    expect(overlay(page, blob_url[-12:]).locator(".band")).to_have_text("Inconclusive")
    expect(overlay(page, data_url[-12:]).locator(".band")).to_have_text("Likely edited")
    framed = page.frame_locator("#frame").locator("fakecheck-overlay[data-src$='/framed.jpg']")
    expect(framed.locator(".band")).to_have_text("Inconclusive")


def test_an_image_the_extension_cannot_read_is_sent_as_its_url(
    browser, worker, site, start_service
):
    """An image on another origin without CORS: neither the worker (no host permission) nor
    the page may read it, so the service is handed its URL and fetches it itself; the popup
    does not fetch it again for a thumbnail."""
    service = start_service(fetch_allow_loopback=True)
    configure(worker, service.url)
    other = Origin({"/far.jpg": copy_moved()}, host="::1")
    try:
        far = f"{other.server.url}/far.jpg"
        page = browser.new_page()
        page.goto(site.url + "/")
        add_image(page, far, 320, 240)
        page.wait_for_function(
            "(src) => [...document.images].some(i => i.src === src && i.complete)", arg=far
        )

        click_image(worker, site.url + "/", far)

        expect(overlay(page, "/far.jpg").locator(".band")).to_have_text("Likely edited")
        # The page's <img>; the worker's and the page's reads, both refused for want of
        # CORS; then the service's fetch, which gave the verdict.
        assert other.hits.count("/far.jpg") == 4

        # Recent checks show no thumbnail that the popup would fetch from the image's site.
        popup = extension_page(browser, worker, "popup")
        expect(popup.locator("#recent li .band")).to_have_text("Likely edited")
        assert popup.locator("#recent li img").get_attribute("src") is None
        popup.wait_for_load_state("load")
        assert other.hits.count("/far.jpg") == 4
    finally:
        other.stop()


@pytest.fixture
def foreign() -> Iterator[ThreadedServer]:
    """Another site, on [::1]: a page showing the copy-moved photo, to be framed."""
    photo = copy_moved()

    async def serve(request: web.Request) -> web.Response:
        if request.path == "/far.jpg":
            return web.Response(body=photo, content_type="image/jpeg")
        return web.Response(text=FAR_FRAME, content_type="text/html")

    app = web.Application()
    app.router.add_get("/{path:.*}", serve)
    server = ThreadedServer(app, "::1")
    yield server
    server.stop()


def test_an_image_in_a_frame_of_another_site_is_checked_and_told_by_the_badge(
    browser, worker, site, start_service, foreign
):
    """activeTab does not reach a frame from another origin: no overlay can be drawn there,
    yet the image is checked by its URL and the badge and the popup give the answer."""
    configure(worker, start_service(fetch_allow_loopback=True).url)
    page = browser.new_page()
    page.goto(site.url + "/")
    page.evaluate(
        """(src) => new Promise((loaded) => {
            const frame = Object.assign(document.createElement("iframe"), { src, onload: loaded });
            document.body.append(frame);
        })""",
        foreign.url + "/",
    )

    assert worker.evaluate(CLICK_IN_FOREIGN_FRAME, [site.url + "/", foreign.url + "/far.jpg"])

    text, title = badge(worker, site.url + "/")
    assert text == "!"
    assert re.match(r"FakeCheck: Likely edited, score (0\.9\d|1\.00)", title)
    assert title.endswith("; the answer cannot be shown on this page.")
    popup = extension_page(browser, worker, "popup")
    expect(popup.locator("#recent li .band")).to_have_text("Likely edited")


def test_menu_item_is_registered_for_images(worker):
    check = """(id) => new Promise((resolve) => chrome.contextMenus.update(id, {}, () =>
        resolve(chrome.runtime.lastError ? chrome.runtime.lastError.message : "registered")))"""
    for _ in range(100):  # onInstalled runs just after the worker starts
        if worker.evaluate(check, "fakecheck-check-image") == "registered":
            break
        time.sleep(0.05)
    assert worker.evaluate(check, "fakecheck-check-image") == "registered"
    assert worker.evaluate(check, "no-such-item") != "registered"  # the check can fail
