"""Failures said in words over the image: the service stopped, an image over the service's
size limit, bytes that are not an image, too many checks."""

from __future__ import annotations

import base64

from playwright.sync_api import expect

from tests.extension.conftest import add_image, click_image, configure, overlay


def test_failures_in_words(browser, worker, site, start_service):
    page = browser.new_page()
    page.goto(site.url + "/")
    message = overlay(page, "/spliced.jpg").locator(".message")

    stopped = start_service()
    stopped.stop()
    configure(worker, stopped.url)
    click_image(worker, site.url + "/", site.url + "/spliced.jpg")
    expect(message).to_contain_text(f"unreachable at {stopped.url}")

    configure(worker, start_service(max_body_bytes=20_000).url)
    click_image(worker, site.url + "/", site.url + "/spliced.jpg")
    expect(message).to_have_text("This image is too large for the service to check.")

    garbage = "data:image/jpeg;base64," + base64.b64encode(b"not a picture at all").decode()
    add_image(page, garbage)
    limited = start_service(rate_per_second=0.1, rate_burst=1)
    configure(worker, limited.url)
    click_image(worker, site.url + "/", garbage)
    expect(overlay(page, garbage[-12:]).locator(".message")).to_have_text(
        "This is not an image FakeCheck can read."
    )
    click_image(worker, site.url + "/", site.url + "/spliced.jpg")
    expect(message).to_have_text("Too many checks in a short time: wait 10 s and try again.")
