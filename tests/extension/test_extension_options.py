"""The options page: the service address and API key saved through its form, checked with
"Test connection", and used by the next check."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.extension.conftest import click_image, extension_page, overlay


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
    message = overlay(page, "/spliced.jpg").locator(".message")
    expect(message).to_contain_text("wants an API key")

    options.fill("#apiKey", "wrong")
    options.click("#save")
    expect(options.locator("#status")).to_have_text("Saved.")
    click_image(worker, site.url + "/", site.url + "/spliced.jpg")
    expect(message).to_contain_text("does not accept this API key")

    options.fill("#apiKey", "k1")
    options.click("#save")
    expect(options.locator("#status")).to_have_text("Saved.")
    # The key stays on this device: sync would copy it to the user's account.
    assert worker.evaluate("() => chrome.storage.sync.get(null)") == {"serviceUrl": keyed.url}
    assert worker.evaluate("() => chrome.storage.local.get('apiKey')") == {"apiKey": "k1"}
    click_image(worker, site.url + "/", site.url + "/spliced.jpg")
    expect(overlay(page, "/spliced.jpg").locator(".band")).to_have_text("Likely edited")


def test_options_refuse_what_is_not_a_service(browser, worker, site):
    options = extension_page(browser, worker, "options")
    options.fill("#serviceUrl", "ftp://example.org")
    options.click("#save")
    expect(options.locator("#status")).to_contain_text("must be an http")
    options.fill("#serviceUrl", site.url)  # a web server, but not FakeCheck
    options.click("#test")
    expect(options.locator("#status")).to_have_text(
        f"Something answers at {site.url} (HTTP 404), but not as a FakeCheck service."
    )


def test_a_key_synced_by_an_earlier_version_moves_to_this_device(
    browser, worker, site, start_service
):
    keyed = start_service(api_keys=("k1",))
    worker.evaluate(
        "(url) => chrome.storage.sync.set({ serviceUrl: url, apiKey: 'k1' })", keyed.url
    )
    options = extension_page(browser, worker, "options")
    expect(options.locator("#apiKey")).to_have_value("k1")
    assert worker.evaluate("() => chrome.storage.sync.get(null)") == {"serviceUrl": keyed.url}
    assert worker.evaluate("() => chrome.storage.local.get('apiKey')") == {"apiKey": "k1"}

    page = browser.new_page()
    page.goto(site.url + "/")
    click_image(worker, site.url + "/", site.url + "/spliced.jpg")
    expect(overlay(page, "/spliced.jpg").locator(".band")).to_have_text("Likely edited")
