"""The toolbar: the badge of the last check in a tab, and the popup listing recent checks and
checking a file from this computer."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.extension.conftest import badge, click_image, configure, extension_page
from tests.images import copy_moved


def test_badge_and_popup_list_recent_checks_and_check_a_file(
    browser, worker, site, service, tmp_path
):
    configure(worker, service.url)
    page = browser.new_page()
    page.goto(site.url + "/")
    click_image(worker, site.url + "/", site.url + "/untouched.jpg")
    click_image(worker, site.url + "/", site.url + "/spliced.jpg")
    text, title = badge(worker, site.url + "/")
    assert text == "!"
    assert re.match(r"FakeCheck: Likely edited, score (0\.9\d|1\.00)", title)

    popup = extension_page(browser, worker, "popup")
    rows = popup.locator("#recent li")
    expect(rows).to_have_count(2)
    expect(rows.first.locator(".band")).to_have_text("Likely edited")
    expect(rows.nth(1).locator(".band")).to_have_text("Inconclusive")
    assert rows.first.locator("img").get_attribute("src").startswith("data:image/jpeg")
    assert rows.first.locator("a").get_attribute("href").startswith(f"{service.url}/results/")

    photo = tmp_path / "local.jpg"
    photo.write_bytes(copy_moved())
    popup.set_input_files("#file", photo)
    expect(popup.locator("#status")).to_contain_text("local.jpg: Likely edited")
    expect(rows).to_have_count(3)
