"""The upload and report pages in headless Chromium (Debian's, driven by Playwright):
drop an image, land on its report, see the three pictures, send feedback."""

from __future__ import annotations

import shutil

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from tests.chromium import CHROMIUM, CHROMIUM_QUIET, SCREENSHOTS
from tests.images import copy_moved, jpeg, scene
from tests.service.harness import generated

CHROMIUM_ARGS = ["--headless", *CHROMIUM_QUIET]

pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="Debian chromium is installed by `make test`"
)


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_upload_then_report_with_pictures_and_feedback(start_service, browser, tmp_path):
    service = start_service(store_images=True)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg(scene(61, 240, 320), 90))
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{service.url}/")
    page.set_input_files("#file", str(photo))
    page.wait_for_url("**/results/*", timeout=60_000)
    band = page.locator("#band")
    expect(band).to_be_visible()
    assert band.get_attribute("class").split()[1] in (
        "likely_manipulated", "inconclusive", "no_evidence",
    )  # fmt: skip
    expect(page.locator("#reasons li").first).to_be_visible()
    for picture in ("#image", "#ela", "#heatmap"):
        expect(page.locator(picture)).to_be_visible()
        loaded = page.eval_on_selector(picture, "img => img.complete && img.naturalWidth")
        assert loaded == 320, picture
    expect(page.locator("#signals dt").first).to_be_visible()

    page.click("#feedback-open")
    page.select_option("#expected", "no_evidence")
    page.fill("#comment", "I took this photo.")
    page.click("#feedback-form button[type=submit]")
    expect(page.locator("#feedback-status")).to_contain_text("Thank you")
    expect(page.locator("#feedback-form")).to_be_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=True)
    assert errors == []


def test_the_report_says_what_was_found_and_what_that_means(start_service, browser):
    """A generated picture is not described as a photo with an edit, nor the other way."""
    service = start_service()
    page = browser.new_page()
    for data, label, meaning in (
        (generated(), "Likely AI-generated", "made by an image generator"),
        (copy_moved(), "Likely edited", "A photo looks changed"),
    ):
        body = requests.post(f"{service.url}/v1/analyze", data=data, timeout=60).json()
        assert body["label"] == label
        page.goto(f"{service.url}{body['report_url']}")
        expect(page.locator("#band")).to_have_text(label)
        expect(page.locator("#band")).to_have_class("band likely_manipulated")
        expect(page.locator("#meaning")).to_contain_text(meaning)
    signals = page.locator("#signals dt")
    expect(signals.filter(has_text="AI generation (the whole picture)")).to_have_count(1)
    expect(page.locator(".caveats")).to_contain_text("image generator")


def test_upload_page_shows_errors_in_words(start_service, browser):
    service = start_service()
    page = browser.new_page()
    page.goto(f"{service.url}/")
    page.fill("#url", "http://127.0.0.1/secret.jpg")
    page.click("#url-form button[type=submit]")
    expect(page.locator("#status")).to_contain_text("not a public address")
    assert page.url == f"{service.url}/"
    assert requests.get(f"{service.url}/healthz", timeout=10).ok


def test_report_page_feedback_works_when_api_keys_are_on(start_service, browser):
    """Bot replies link strangers to the report page: its form has no key to send."""
    service = start_service(api_keys=("k1",))
    analysed = requests.post(
        f"{service.url}/v1/analyze",
        data=jpeg(scene(62, 96, 128), 90),
        headers={"Content-Type": "image/jpeg", "X-API-Key": "k1"},
        timeout=60,
    )
    page = browser.new_page()
    page.goto(f"{service.url}/results/{analysed.json()['id']}")
    page.click("#feedback-open")
    page.select_option("#expected", "likely_manipulated")
    page.click("#feedback-form button[type=submit]")
    expect(page.locator("#feedback-status")).to_contain_text("Thank you")
