"""Each kind of bad input gets its own 4xx status and code, never a 500."""

from __future__ import annotations

import gzip
import io
import logging
import random
import struct
import zlib

import pytest
import requests
from PIL import Image

from tests.images import jpeg, png, scene
from tests.service.harness import assert_error


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG declaring a huge size: compressed zero rows, as decompression bombs are."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 64, 9)  # a few rows are enough to claim it
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def _huge_jpeg_header() -> bytes:
    """A real JPEG whose frame header claims 60000 x 60000 pixels."""
    data = bytearray(jpeg(scene(3, 64, 64), 90))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 60000, 60000)
    return bytes(data)


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
CASES = {
    "zero bytes": (b"", "image/jpeg", 400, "empty_image"),
    "truncated JPEG": (jpeg(scene(1, 128, 128), 90)[:700], "image/jpeg", 422, "truncated_image"),
    "text posing as JPEG": (
        b"hello, I am a JPEG" * 20,
        "image/jpeg",
        415,
        "unsupported_media_type",
    ),
    "SVG": (SVG, "image/svg+xml", 415, "unsupported_media_type"),
    "decompression bomb": (_bomb_png(50_000, 50_000), "image/png", 413, "image_too_large"),
    "huge dimensions": (_huge_jpeg_header(), "image/jpeg", 413, "image_too_large"),
    "body of an unknown type": (b"x", "text/plain", 415, "unsupported_media_type"),
    # Its first directory lies at a 64-bit offset past the end, beyond what struct addresses.
    "BigTIFF of random bytes": (
        b"II+\x00" + random.Random(0).randbytes(20_000),
        "image/tiff",
        422,
        "truncated_image",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_image(service, name):
    data, kind, status, code = CASES[name]
    response = requests.post(
        f"{service.url}/v1/analyze", data=data, headers={"Content-Type": kind}, timeout=60
    )
    assert_error(response, status, code)


def test_over_size_body_is_refused_by_length_and_by_stream(start_service):
    service = start_service(max_body_bytes=50_000)
    big = png(Image.fromarray(scene(4, 300, 300)))
    assert len(big) > 50_000
    url = f"{service.url}/v1/analyze"
    declared = requests.post(url, data=big, headers={"Content-Type": "image/png"}, timeout=30)
    assert_error(declared, 413, "body_too_large")
    streamed = requests.post(  # chunked: no Content-Length to trust
        url, data=iter([big[i : i + 8192] for i in range(0, len(big), 8192)]),
        headers={"Content-Type": "image/png"}, timeout=30,
    )  # fmt: skip
    assert_error(streamed, 413, "body_too_large")
    multipart = requests.post(url, files={"image": ("a.png", big)}, timeout=30)
    assert_error(multipart, 413, "body_too_large")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ('{"url": ', 400, "bad_json"),
        ("\xff\xfe", 400, "bad_json"),
        ("{}", 422, "missing_field"),
        ("[]", 422, "missing_field"),
        ('{"link": "http://example.org/a.jpg"}', 422, "missing_field"),
        ('{"url": 5}', 422, "invalid_field"),
        ('{"url": ""}', 422, "invalid_field"),
        ("[" * 100_000, 400, "bad_json"),  # nested past Python's recursion limit
    ],
)
def test_bad_json(service, body, status, code):
    response = requests.post(
        f"{service.url}/v1/analyze",
        data=body.encode("latin-1"),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert_error(response, status, code)


def test_multipart_without_an_image_field(service):
    response = requests.post(
        f"{service.url}/v1/analyze", files={"photo": ("a.jpg", jpeg(scene(5, 64, 64), 90))}
    )
    assert_error(response, 422, "missing_field")
    broken = requests.post(
        f"{service.url}/v1/analyze",
        data=b"--nope\r\nnot a part",
        headers={"Content-Type": "multipart/form-data; boundary=other"},
        timeout=10,
    )
    assert_error(broken, 400, "bad_multipart")


def _multipart(*parts: tuple[bytes, bytes]) -> bytes:
    """A multipart body with boundary BB of (headers, content) parts."""
    encoded = [b"--BB\r\n" + head + b"\r\n\r\n" + data + b"\r\n" for head, data in parts]
    return b"".join(encoded) + b"--BB--\r\n"


def _field(name: str, data: bytes = b"1") -> tuple[bytes, bytes]:
    return f'Content-Disposition: form-data; name="{name}"'.encode(), data


def post_multipart(service, body: bytes) -> requests.Response:
    return requests.post(
        f"{service.url}/v1/analyze",
        data=body,
        headers={"Content-Type": "multipart/form-data; boundary=BB"},
        timeout=60,
    )


def test_multipart_of_many_parts_is_refused_after_the_first_few(start_service):
    service = start_service(multipart_max_parts=4)
    photo = jpeg(scene(7, 64, 64), 90)
    fields = [_field(name) for name in ("a", "b", "c")]
    assert post_multipart(service, _multipart(*fields, _field("image", photo))).ok
    late = _multipart(*fields, _field("d"), _field("image", photo))
    body = assert_error(post_multipart(service, late), 400, "bad_multipart")
    assert "first 4 parts" in body["error"]["message"]
    full = _multipart(*fields, _field("d"))  # as many parts as allowed, none of them "image"
    assert_error(post_multipart(service, full), 422, "missing_field")
    many = _multipart(*[_field("x")] * 20_000, _field("image", photo))
    assert_error(post_multipart(service, many), 400, "bad_multipart")
    assert requests.get(f"{service.url}/healthz", timeout=10).ok


def test_multipart_nested_in_a_part_is_refused(service):
    """Parts inside a part would each be parsed too, past the count of the outer ones."""
    inner = b"--CC\r\n\r\n\r\n" * 20_000 + b"--CC--\r\n"  # parts of no headers, no content
    nested = (_field("x")[0] + b"\r\nContent-Type: multipart/mixed; boundary=CC", inner)
    photo = _field("image", jpeg(scene(8, 64, 64), 90))
    assert_error(post_multipart(service, _multipart(nested, photo)), 400, "bad_multipart")


def test_a_real_image_sent_with_a_lying_type_is_judged_by_its_bytes(service):
    data = png(Image.fromarray(scene(6, 64, 64)))
    response = requests.post(
        f"{service.url}/v1/analyze",
        files={"image": ("photo.jpg", io.BytesIO(data), "image/jpeg")},
        timeout=60,
    )
    assert response.status_code == 200 and response.json()["image"]["format"] == "PNG"


@pytest.mark.parametrize("kind", ["image/jpeg", "application/json", "multipart"])
def test_a_body_that_does_not_decode_as_its_content_encoding(service, kind):
    if kind == "multipart":
        request = requests.Request(
            "POST", f"{service.url}/v1/analyze", files={"image": ("a.jpg", b"x")}
        ).prepare()
        body, headers = request.body, dict(request.headers)
    else:
        body, headers = b"not gzip at all", {"Content-Type": kind}
    response = requests.post(
        f"{service.url}/v1/analyze",
        data=body,
        headers={**headers, "Content-Encoding": "gzip"},
        timeout=10,
    )
    assert_error(response, 400, "bad_body")


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, br", "x-unknown"])
def test_content_encodings_not_decoded_here_are_refused_in_json(service, encoding, caplog):
    """aiohttp knows br and zstd but cannot decode them here: it used to answer text/plain."""
    response = requests.post(
        f"{service.url}/v1/analyze",
        data=b"\x1b\x00\x00 not decodable",
        headers={"Content-Type": "image/jpeg", "Content-Encoding": encoding},
        timeout=10,
    )
    body = assert_error(response, 415, "unsupported_media_type")
    assert "gzip or deflate" in body["error"]["message"]
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("encoding", "wbits"), [("gzip", 31), ("deflate", 15), ("deflate", -15), ("GZip", 31)]
)
def test_gzip_and_deflate_bodies_are_inflated_under_the_size_cap(start_service, encoding, wbits):
    service = start_service(max_body_bytes=100_000)

    def send(data: bytes) -> requests.Response:
        packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
        return requests.post(
            f"{service.url}/v1/analyze",
            data=packer.compress(data) + packer.flush(),
            headers={"Content-Type": "image/jpeg", "Content-Encoding": encoding},
            timeout=60,
        )

    assert send(jpeg(scene(9, 64, 64), 90)).json()["image"]["format"] == "JPEG"
    assert_error(send(b"\0" * 10_000_000), 413, "body_too_large")  # 10 MB from 10 KB


def test_a_gzip_body_of_several_members_is_inflated_whole_and_trailing_bytes_refused(
    start_service,
):
    service = start_service()
    data = jpeg(scene(9, 64, 64), 90)

    def send(body: bytes) -> requests.Response:
        return requests.post(
            f"{service.url}/v1/analyze",
            data=body,
            headers={"Content-Type": "image/jpeg", "Content-Encoding": "gzip"},
            timeout=60,
        )

    members = gzip.compress(data[:1000]) + gzip.compress(data[1000:])
    assert send(members).json()["image"]["format"] == "JPEG"
    assert_error(send(gzip.compress(data) + b"trailing junk"), 400, "bad_body")
    assert_error(send(gzip.compress(b"x") * 65), 400, "bad_body")  # more members than read
