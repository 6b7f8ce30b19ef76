"""Fetching image URLs: what is fetched, and every way a URL might reach inside, refused.

The origins listen on loopback and count their hits, so "refused" is checked as "never
fetched", not only as a status code.
"""

from __future__ import annotations

import ipaddress
import time

import pytest
import requests

from service.addresses import is_public
from tests.images import jpeg, scene
from tests.service.harness import Origin, StaticResolver, assert_error

PHOTO = jpeg(scene(21, 96, 96), 90)


@pytest.fixture
def origin():
    origin = Origin({"/photo.jpg": PHOTO, "/big.jpg": PHOTO + b"\0" * 200_000})
    yield origin
    origin.stop()


def ask(service, url: str) -> requests.Response:
    return requests.post(f"{service.url}/v1/analyze", json={"url": url}, timeout=60)


def test_addresses_that_must_never_be_reached():
    refused = [
        "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1", "0.0.0.0",
        "169.254.169.254", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::",
        "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
        "64:ff9b::a00:1", "2002:a00:1::1", "2001:db8::1", "fec0::1", "feff::1",
    ]  # fmt: skip
    assert not [a for a in refused if is_public(ipaddress.ip_address(a))]
    assert all(is_public(ipaddress.ip_address(a)) for a in ("93.184.216.34", "2606:4700::1111"))


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "10.0.0.1", "[::1]", "169.254.169.254", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]"],
)
def test_ip_literals_are_refused_unfetched(start_service, origin, host):
    service = start_service()
    started = time.monotonic()
    response = ask(service, f"http://{host}:{origin.port}/photo.jpg")
    assert_error(response, 422, "url_not_allowed")
    assert time.monotonic() - started < 5  # refused before any connection attempt
    assert origin.hits == []


@pytest.mark.parametrize(
    "host", ["2130706433", "0177.0.0.1", "127.1", "0x7f000001", "0x7f.1", "127.0.0.1.", "8.8.8.010"]
)
def test_ip_addresses_in_other_forms_are_refused_unfetched(start_service, origin, host):
    """The resolver reads each of these as an IPv4 address (most as 127.0.0.1)."""
    started = time.monotonic()
    response = ask(start_service(), f"http://{host}:{origin.port}/photo.jpg")
    body = assert_error(response, 422, "url_not_allowed")
    assert "a.b.c.d" in body["error"]["message"]
    assert time.monotonic() - started < 5  # refused before any connection attempt
    assert origin.hits == []


@pytest.mark.parametrize("url", ["http://xn--/photo.jpg", "http://xn--a/", "https://a.xn--/"])
def test_host_names_that_cannot_be_decoded_are_refused(start_service, url):
    assert_error(ask(start_service(), url), 422, "url_not_allowed")


def test_ipv6_loopback_origin_is_not_fetched(start_service):
    origin = Origin({"/photo.jpg": PHOTO}, host="::1")
    try:
        response = ask(start_service(), f"http://[::1]:{origin.port}/photo.jpg")
        assert_error(response, 422, "url_not_allowed")
        assert origin.hits == []
    finally:
        origin.stop()


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1"])
def test_names_resolving_to_private_addresses_are_refused(start_service, origin, address):
    service = start_service(resolver=StaticResolver({"intranet.example": address}))
    response = ask(service, f"http://intranet.example:{origin.port}/photo.jpg")
    body = assert_error(response, 422, "url_not_allowed")
    assert "intranet.example resolves to" in body["error"]["message"]
    assert origin.hits == []


def test_localhost_is_refused_with_the_system_resolver(start_service, origin):
    response = ask(start_service(), f"http://localhost:{origin.port}/photo.jpg")
    assert_error(response, 422, "url_not_allowed")
    assert origin.hits == []


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/photo.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://private.example/photo.jpg",
        "file:///etc/passwd",
        "http://xn--/photo.jpg",  # a host name IDNA cannot decode
    ],
)
def test_redirects_to_private_addresses_are_refused(start_service, origin, target):
    """The public-looking origin is reachable; where it redirects to is checked again."""
    origin.redirects["/go"] = target
    service = start_service(
        resolver=StaticResolver({"public.example": "127.0.0.1", "private.example": "10.0.0.1"}),
        fetch_allow_loopback=True,  # the test's stand-in for a public origin is on loopback
    )
    response = ask(service, f"http://public.example:{origin.port}/go")
    assert_error(response, 422, "url_not_allowed")
    assert origin.hits == ["/go"]


def test_redirects_are_followed_at_most_three_times(start_service, origin):
    origin.redirects.update({"/r1": "/r2", "/r2": "/r3", "/r3": "/photo.jpg"})
    origin.redirects.update({"/s1": "/s2", "/s2": "/s3", "/s3": "/s4", "/s4": "/photo.jpg"})
    service = start_service(
        resolver=StaticResolver({"public.example": "127.0.0.1"}), fetch_allow_loopback=True
    )
    base = f"http://public.example:{origin.port}"
    assert ask(service, f"{base}/r1").status_code == 200
    assert_error(ask(service, f"{base}/s1"), 502, "fetch_failed")
    # Three redirects lead to /s4; its fourth is not followed.
    assert origin.hits[-4:] == ["/s1", "/s2", "/s3", "/s4"]


def test_fetch_failures_and_limits(start_service, origin):
    service = start_service(
        resolver=StaticResolver({"public.example": "127.0.0.1"}),
        fetch_allow_loopback=True,
        max_body_bytes=100_000,
    )
    base = f"http://public.example:{origin.port}"
    assert_error(ask(service, f"{base}/big.jpg"), 413, "body_too_large")
    assert_error(ask(service, f"{base}/missing.jpg"), 502, "image_gone")
    assert_error(ask(service, f"http://nowhere.example:{origin.port}/a.jpg"), 502, "fetch_failed")
    assert_error(ask(service, "ftp://public.example/a.jpg"), 422, "url_not_allowed")
    assert_error(ask(service, "javascript:alert(1)"), 422, "url_not_allowed")
    assert_error(ask(service, f"http://user:pw@public.example:{origin.port}/"), 422,
                 "url_not_allowed")  # fmt: skip
    assert_error(ask(service, "http://[::1"), 422, "url_not_allowed")
    # Served as text/plain, analysed as what its bytes are.
    assert ask(service, f"{base}/photo.jpg").json()["image"]["format"] == "JPEG"
