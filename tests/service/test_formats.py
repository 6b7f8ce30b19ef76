"""AVIF and HEIC, as browsers and phones save them, sent every way the service takes images."""

from __future__ import annotations

import hashlib
import io

import pytest
import requests
from PIL import Image

from tests.images import scene
from tests.service.harness import assert_error

# The name the verdict gives each format, and the Content-Type it is sent and served as.
FORMATS = {"AVIF": "image/avif", "HEIF": "image/heic"}


def saved(fmt: str, seed: int, height: int = 160, width: int = 200) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(scene(seed, height, width)).save(buffer, fmt, quality=85)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
def test_raw_upload_gets_a_verdict_and_the_stored_image_its_type(start_service, fmt):
    service = start_service(store_images=True)
    data = saved(fmt, 61)
    response = requests.post(
        f"{service.url}/v1/analyze", data=data, headers={"Content-Type": FORMATS[fmt]}, timeout=60
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == hashlib.sha256(data).hexdigest()
    assert body["image"]["format"] == fmt
    assert (body["image"]["width"], body["image"]["height"]) == (200, 160)
    assert body["verdict"] in ("likely_manipulated", "inconclusive", "no_evidence")
    image = requests.get(f"{service.url}{body['image_url']}", timeout=10)
    assert image.content == data and image.headers["Content-Type"] == FORMATS[fmt]


def test_heic_multipart_upload(service):
    data = saved("HEIF", 62, 96, 128)
    response = requests.post(
        f"{service.url}/v1/analyze",
        files={"image": ("IMG_0001.HEIC", data, "image/heic")},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert response.json()["image"]["format"] == "HEIF"


@pytest.mark.parametrize("fmt", FORMATS)
def test_cut_short_is_a_422_with_a_message(service, fmt):
    data = saved(fmt, 63)
    response = requests.post(
        f"{service.url}/v1/analyze",
        data=data[: len(data) // 2],
        headers={"Content-Type": FORMATS[fmt]},
        timeout=60,
    )
    body = assert_error(response, 422, "truncated_image")
    assert f"{fmt} file is cut short" in body["error"]["message"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_huge_declared_size_is_a_413(service, fmt):
    data = bytearray(saved(fmt, 64, 40, 64))
    at = data.index(b"ispe")  # the picture's size property: version and flags, then the size
    data[at + 8 : at + 16] = (50_000).to_bytes(4, "big") * 2
    response = requests.post(
        f"{service.url}/v1/analyze",
        data=bytes(data),
        headers={"Content-Type": FORMATS[fmt]},
        timeout=60,
    )
    body = assert_error(response, 413, "image_too_large")
    assert "50000x50000" in body["error"]["message"]
