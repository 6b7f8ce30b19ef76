"""Malformed HTTP from raw sockets: what aiohttp lets the service answer comes back as the
JSON error with a request id, and what its parser answers itself (before any request
exists) is pinned here as the README's deployment section lists it. The process stays up."""

from __future__ import annotations

import json
import socket
import time

import pytest
import requests

from tests.images import jpeg, scene
from tests.service.harness import assert_error


def exchange(service, *parts: bytes) -> tuple[int, dict[str, str], bytes]:
    """Sends ``parts`` as they are, a moment apart, and reads one answer: its status,
    headers (lower-case) and body."""
    with socket.create_connection(("127.0.0.1", service.port), timeout=15) as client:
        for n, part in enumerate(parts):
            time.sleep(0.3 if n else 0)
            client.sendall(part)
        return read_answer(client)


def read_answer(client: socket.socket) -> tuple[int, dict[str, str], bytes]:
    answer = b""
    while b"\r\n\r\n" not in answer or len(_body(answer)) < _length(answer):
        chunk = client.recv(65536)
        if not chunk:
            break
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, body


def _body(answer: bytes) -> bytes:
    return answer.partition(b"\r\n\r\n")[2]


def _length(answer: bytes) -> int:
    for line in answer.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


def assert_json_error(status: int, headers: dict[str, str], body: bytes, code: str) -> None:
    assert headers["content-type"].startswith("application/json"), (status, body)
    assert headers.get("x-request-id"), headers
    assert json.loads(body)["error"]["code"] == code, body


def test_a_static_name_longer_than_the_file_system_allows_is_a_json_404(service):
    assert_error(requests.get(f"{service.url}/static/{'a' * 5000}", timeout=10), 404, "not_found")
    assert_error(requests.get(f"{service.url}/static/../app.py", timeout=10), 404, "not_found")
    assert_error(requests.get(f"{service.url}/static/", timeout=10), 403, "forbidden")
    assert requests.get(f"{service.url}/static/style.css", timeout=10).status_code == 200


@pytest.mark.parametrize("path", ["/v1/analyze", "/healthz"])
def test_an_unknown_expectation_is_a_json_417(service, path):
    method = "POST" if path == "/v1/analyze" else "GET"
    raw = f"{method} {path} HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 0\r\n\r\n"
    status, headers, body = exchange(service, raw.encode())
    assert status == 417
    assert_json_error(status, headers, body, "expectation_failed")


def test_an_unknown_expectation_on_no_route_is_aiohttps_own_417(service):
    raw = b"GET /nowhere HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n"
    status, headers, body = exchange(service, raw)
    assert status == 417 and headers["content-type"].startswith("text/plain"), body


def test_100_continue_is_still_honoured_as_curl_uses_it(service):
    """curl sends larger bodies only once the server says "100 Continue"."""
    data = jpeg(scene(8, 64, 64), 90)
    head = (
        f"POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
        f"Content-Length: {len(data)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", service.port), timeout=15) as client:
        client.sendall(head)
        assert client.recv(65536) == b"HTTP/1.1 100 Continue\r\n\r\n"
        client.sendall(data)
        status, _, body = read_answer(client)
        assert client.recv(1) == b""  # closed once answered, as asked
    assert status == 200 and json.loads(body)["image"]["format"] == "JPEG"


CHUNKED_HEAD = (
    b"POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)
# Chunks that never complete: a size of 2^64-1 bytes, or framing aiohttp's parser refuses
# once the request has started (it stops feeding the body, which then never ends).
ENDLESS_CHUNKS = {
    "2^64-1 bytes": b"ffffffffffffffff\r\n\xff\xd8",
    "broken framing": b"zz\r\nabc\r\n0\r\n\r\n",
}


@pytest.mark.parametrize("name", ENDLESS_CHUNKS)
def test_a_chunked_body_that_never_ends_waits_only_until_the_body_deadline(start_service, name):
    service = start_service(body_timeout_s=1.0)
    with socket.create_connection(("127.0.0.1", service.port), timeout=5) as client:
        client.sendall(CHUNKED_HEAD)
        time.sleep(0.3)
        client.sendall(ENDLESS_CHUNKS[name])
        status, headers, body = read_answer(client)
    # aiohttp reads on (its lingering time) until it sees the close; let it, before the
    # server stops under it.
    time.sleep(0.2)
    assert status == 408
    assert_json_error(status, headers, body, "body_timeout")


# What aiohttp's parser refuses before a request exists: no middleware runs, so these are
# its own text/plain answers, without X-Request-Id (the README lists them).
PARSER_REFUSALS = {
    "not HTTP": b"HELLO THERE\r\n\r\n",
    "bad method": b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n",
    "bad version": b"GET / HTTP/9.z\r\nHost: x\r\n\r\n",
    "control byte in a header": b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n",
    "header name with a space": b"GET / HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n",
    "header line over 8 KB": b"GET / HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 9000 + b"\r\n\r\n",
    "Content-Length and chunked": (
        b"POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    ),
    "negative Content-Length": b"POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    # Read with the headers, before the request exists (arriving later, it is bad_body).
    "broken chunk framing in the headers' packet": CHUNKED_HEAD + ENDLESS_CHUNKS["broken framing"],
}


@pytest.mark.parametrize("name", PARSER_REFUSALS)
def test_what_the_parser_refuses_is_aiohttps_own_400(service, name):
    status, headers, body = exchange(service, PARSER_REFUSALS[name])
    assert status == 400, body
    assert headers["content-type"].startswith("text/plain") and "x-request-id" not in headers
    assert requests.get(f"{service.url}/healthz", timeout=10).json()["model_loaded"]
