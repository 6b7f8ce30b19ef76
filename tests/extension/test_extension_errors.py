"""Failures said in words over the image: the service stopped, an image over the service's
size limit, bytes that are not an image, too many checks, a service that never answers, a
server that answers but is not FakeCheck."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator

import pytest
from aiohttp import web
from playwright.sync_api import expect

from tests.extension.conftest import add_image, badge, click_image, configure, overlay
from tests.service.harness import ThreadedServer


@pytest.fixture
def silent() -> Iterator[str]:
    """An address that takes connections and never answers, as a hung service would: the
    kernel completes the handshakes, nobody reads the requests."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.fixture
def impostor() -> Iterator[ThreadedServer]:
    """A web app answering 200 with a page to every address, as a catch-all page or a
    captive portal does."""

    async def answer(request: web.Request) -> web.Response:
        return web.Response(text="<html>Welcome</html>", content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{path:.*}", answer)
    server = ThreadedServer(app)
    yield server
    server.stop()


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


def test_a_silent_service_times_out_and_the_spinner_can_be_closed(browser, worker, site, silent):
    page = browser.new_page()
    page.goto(site.url + "/")
    spliced = overlay(page, "/spliced.jpg")
    configure(worker, silent)

    click_image(worker, site.url + "/", site.url + "/spliced.jpg", settle=False)
    expect(spliced.locator("[role=status]")).to_contain_text("Checking with FakeCheck")
    spliced.locator("button.close").click()
    expect(spliced).to_have_count(0)

    worker.evaluate("() => chrome.storage.sync.set({ timeoutSeconds: 1 })")
    click_image(worker, site.url + "/", site.url + "/spliced.jpg")
    expect(spliced.locator(".message")).to_have_text(
        f"The check timed out: the FakeCheck service at {silent} did not answer within 1 s."
        " Try again later."
    )
    text, title = badge(worker, site.url + "/")
    assert text == "err"
    assert "timed out" in title


def test_a_server_that_is_not_fakecheck_gives_no_verdict(browser, worker, site, impostor):
    page = browser.new_page()
    page.goto(site.url + "/")
    spliced = overlay(page, "/spliced.jpg")
    configure(worker, impostor.url)
    click_image(worker, site.url + "/", site.url + "/spliced.jpg")
    expect(spliced.locator(".message")).to_have_text(
        f"Something answers at {impostor.url} (HTTP 200), but not as a FakeCheck service."
    )
    expect(spliced.locator(".band")).to_have_count(0)
    assert badge(worker, site.url + "/")[0] == "err"
