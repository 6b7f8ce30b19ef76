"""The overlay over an image in a scrolling box, in real Chromium: where the box hides the
image, the overlay is neither seen nor clicked, so the page around the box keeps both."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import Page, expect

from tests.extension.conftest import click_image, configure, overlay

RED = (204, 0, 0)
# A header above a box that scrolls, holding an image at its top; the header counts clicks.
BUILD = """(src) => {
    const header = Object.assign(document.createElement("header"), { id: "header" });
    header.style.cssText = "height:150px;background:rgb(204,0,0);margin:0";
    header.onclick = () => { header.dataset.clicks = Number(header.dataset.clicks || 0) + 1; };
    const box = Object.assign(document.createElement("div"), { id: "box" });
    box.style.cssText = "height:200px;overflow:auto";
    const img = Object.assign(new Image(320, 240), { src, id: "clipped" });
    img.style.display = "block";
    box.append(img, Object.assign(document.createElement("div"), { style: "height:600px" }));
    document.body.prepend(header, box);
}"""
# The middle of the overlay's panel, once the overlay sits on the image again.
PANEL = """() => {
    const host = document.querySelector("fakecheck-overlay[data-src$='?clipped']");
    const image = document.getElementById("clipped").getBoundingClientRect();
    if (Math.abs(host.getBoundingClientRect().top - image.top) >= 1) return null;
    const panel = host.shadowRoot.querySelector(".panel").getBoundingClientRect();
    return [panel.left + panel.width / 2, panel.top + panel.height / 2];
}"""
HIT = "([x, y]) => document.elementFromPoint(x, y)?.localName"


def scroll_box(page: Page, top: int) -> tuple[float, float]:
    """Scrolls the box; returns the middle of the panel once the overlay has followed."""
    page.evaluate("(top) => { document.getElementById('box').scrollTop = top; }", top)
    return page.wait_for_function(PANEL).json_value()


def colour(page: Page, point: tuple[float, float]) -> tuple[int, int, int]:
    shot = page.screenshot(clip={"x": point[0], "y": point[1], "width": 1, "height": 1})
    return Image.open(io.BytesIO(shot)).convert("RGB").getpixel((0, 0))


def test_an_overlay_scrolled_out_of_its_box_leaves_the_header_seen_and_clickable(
    browser, worker, site, service
):
    configure(worker, service.url)
    page = browser.new_page()
    page.goto(site.url + "/")
    page.evaluate(BUILD, site.url + "/untouched.jpg?clipped")
    click_image(worker, site.url + "/", site.url + "/untouched.jpg?clipped")
    expect(overlay(page, "?clipped").locator(".band")).to_have_count(1)

    # In the box, the panel is drawn and takes clicks.
    inside = scroll_box(page, 0)
    assert page.evaluate(HIT, inside) == "fakecheck-overlay"

    # Scrolled up by 100 px, the image's top and the panel lie behind the header.
    over_header = scroll_box(page, 100)
    assert over_header[1] < page.locator("#header").bounding_box()["height"]
    assert colour(page, over_header) == RED
    assert page.evaluate(HIT, over_header) == "header"
    page.mouse.click(*over_header)
    expect(page.locator("#header")).to_have_attribute("data-clicks", "1")

    # Out of the box altogether, and back: the panel returns with the image.
    scroll_box(page, 400)
    assert page.evaluate(HIT, scroll_box(page, 100)) == "header"
    assert page.evaluate(HIT, scroll_box(page, 0)) == "fakecheck-overlay"
