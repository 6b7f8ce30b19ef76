"""The extension in real Chromium: the verdict drawn over each image of a page, the heatmap
toggle, the menu item, errors in words, options saved and used, the popup."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.bot.conftest import copy_moved
from tests.conftest import SCREENSHOTS
from tests.extension.conftest import click_image, configure, extension_page
from tests.service.harness import Origin


def overlay(page, image: str):
    return page.locator(f"fakecheck-overlay[data-src$='{image}']")


def test_each_image_gets_its_band_and_the_heatmap_toggles_on(browser, worker, site, service):
    configure(worker, service.url)
    page = browser.new_page()
    page.goto(site.url + "/")
    layout = page.locator("#after").bounding_box()

    click_image(worker, site.url + "/", site.url + "/spliced.jpg")
    click_image(worker, site.url + "/", site.url + "/untouched.jpg")

    spliced, clean = overlay(page, "/spliced.jpg"), overlay(page, "/untouched.jpg")
    expect(spliced.locator(".band")).to_have_attribute("data-band", "likely_manipulated")
    expect(spliced.locator(".band")).to_have_text("Likely manipulated")
    expect(spliced.locator(".reason")).to_contain_text("copied")
    expect(clean.locator(".band")).to_have_attribute("data-band", "inconclusive")
    report = spliced.locator("a", has_text="Full report")
    assert report.get_attribute("href").startswith(f"{service.url}/results/")

    heatmap = spliced.locator("button[data-layer='heatmap']")
    heatmap.click()
    expect(heatmap).to_have_attribute("aria-pressed", "true")
    layer = spliced.locator("img.layer")
    expect(layer).to_be_visible()
    assert "/heatmap.png" in layer.get_attribute("src")
    page.wait_for_function(
        "() => document.querySelector('fakecheck-overlay').shadowRoot.querySelector('img.layer').naturalWidth > 0"
    )
    assert page.locator("#after").bounding_box() == layout  # the page's layout is untouched
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "extension-overlay.png", full_page=True)

    spliced.locator("button.close").click()
    expect(spliced).to_have_count(0)


def test_menu_item_is_registered_for_images(worker):
    check = """(id) => new Promise((resolve) => chrome.contextMenus.update(id, {}, () =>
        resolve(chrome.runtime.lastError ? chrome.runtime.lastError.message : "registered")))"""
    for _ in range(100):  # onInstalled runs just after the worker starts
        if worker.evaluate(check, "fakecheck-check-image") == "registered":
            break
        time.sleep(0.05)
    assert worker.evaluate(check, "fakecheck-check-image") == "registered"
    assert worker.evaluate(check, "no-such-item") != "registered"  # the check can fail


def test_blob_and_data_images_badge_and_popup(browser, worker, site, service, tmp_path):
    configure(worker, service.url)
    page = browser.new_page()
    page.goto(site.url + "/")
    page.wait_for_function("() => document.getElementById('made-here').src.startsWith('blob:')")
    blob_url = page.eval_on_selector("#made-here", "img => img.src")
    click_image(worker, site.url + "/", blob_url)
    expect(overlay(page, blob_url[-12:]).locator(".band")).to_have_text("Inconclusive")

    click_image(worker, site.url + "/", site.url + "/spliced.jpg")
    badge = worker.evaluate(
        """async (pageUrl) => {
            const [tab] = await chrome.tabs.query({ url: pageUrl });
            return chrome.action.getBadgeText({ tabId: tab.id });
        }""",
        site.url + "/",
    )
    assert badge == "!"

    popup = extension_page(browser, worker, "popup")
    rows = popup.locator("#recent li")
    expect(rows).to_have_count(2)
    expect(rows.first.locator(".band")).to_have_text("Likely manipulated")
    assert rows.first.locator("img").get_attribute("src").startswith("data:image/jpeg")
    photo = tmp_path / "local.jpg"
    photo.write_bytes(copy_moved())
    popup.set_input_files("#file", photo)
    expect(popup.locator("#status")).to_contain_text("local.jpg: Likely manipulated")
    expect(rows).to_have_count(3)


def test_service_stopped_says_unreachable(browser, worker, site, start_service):
    stopped = start_service()
    stopped.stop()
    configure(worker, stopped.url)
    page = browser.new_page()
    page.goto(site.url + "/")

    click_image(worker, site.url + "/", site.url + "/spliced.jpg")

    message = overlay(page, "/spliced.jpg").locator(".message")
    expect(message).to_contain_text(f"unreachable at {stopped.url}")


def test_options_saved_in_the_page_and_used(browser, worker, site, start_service):
    keyed = start_service(api_keys=("k1",))
    options = extension_page(browser, worker, "options")
    expect(options.locator("#serviceUrl")).to_have_value("http://127.0.0.1:8080")
    options.fill("#serviceUrl", keyed.url + "/")
    options.click("#save")
    expect(options.locator("#status")).to_have_text("Saved.")
    options.click("#test")
    expect(options.locator("#status")).to_have_text("Connected: the detector is loaded.")

    page = browser.new_page()
    page.goto(site.url + "/")
    click_image(worker, site.url + "/", site.url + "/spliced.jpg")
    expect(overlay(page, "/spliced.jpg").locator(".message")).to_contain_text("API key")

    options.fill("#apiKey", "k1")
    options.click("#save")
    expect(options.locator("#status")).to_have_text("Saved.")
    assert worker.evaluate("() => chrome.storage.sync.get(null)") == {
        "serviceUrl": keyed.url,
        "apiKey": "k1",
    }
    click_image(worker, site.url + "/", site.url + "/spliced.jpg")
    expect(overlay(page, "/spliced.jpg").locator(".band")).to_have_text("Likely manipulated")

    options.fill("#serviceUrl", "ftp://example.org")
    options.click("#save")
    expect(options.locator("#status")).to_contain_text("must be an http")


def test_an_image_the_extension_cannot_read_is_sent_as_its_url(
    browser, worker, site, start_service
):
    """An image on another origin without CORS: neither the worker (no host permission) nor
    the page may read it, so the service is handed its URL and fetches it itself."""
    service = start_service(fetch_allow_loopback=True)
    configure(worker, service.url)
    other = Origin({"/far.jpg": copy_moved()}, host="::1")
    try:
        far = f"{other.server.url}/far.jpg"
        page = browser.new_page()
        page.goto(site.url + "/")
        page.evaluate(
            "(src) => { const img = new Image(320, 240); img.src = src; document.body.append(img); }",
            far,
        )
        page.wait_for_function(
            "(src) => [...document.images].some(i => i.src === src && i.complete)", arg=far
        )

        click_image(worker, site.url + "/", far)

        expect(overlay(page, "/far.jpg").locator(".band")).to_have_text("Likely manipulated")
        # The page's <img>; the worker's and the page's reads, both refused for want of
        # CORS; then the service's fetch, which gave the verdict.
        assert other.hits.count("/far.jpg") == 4
    finally:
        other.stop()
