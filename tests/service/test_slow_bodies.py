"""Clients that stall or trickle mid-body get a 408 once the body deadline passes, instead
of holding their connection and the bytes already sent for as long as they like.

The clients are raw sockets: an HTTP library would send the whole body at once.
"""

from __future__ import annotations

import json
import socket
import time

import pytest
import requests

from tests.images import jpeg, scene

DEADLINE_S = 1.0
PATIENCE_S = 15.0  # far past the deadline: a server without one never answers in time
DECLARED = 1_000_000
JSON_URL_HEAD = b'{"url": "http://exa'
MULTIPART_HEAD = (
    b'--BB\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n'
    b"Content-Type: image/jpeg\r\n\r\n\xff\xd8" + b"\0" * 100_000
)
BODIES = {
    "raw image": ("/v1/analyze", "image/jpeg", b"\xff\xd8" + b"\0" * 500_000),
    "multipart": ("/v1/analyze", "multipart/form-data; boundary=BB", MULTIPART_HEAD),
    "JSON with a URL": ("/v1/analyze", "application/json", JSON_URL_HEAD),
}


def send_part_then_wait(
    service, path: str, kind: str, first: bytes, trickle: bool = False
) -> tuple[int, dict, float]:
    """Declares a body of ``DECLARED`` bytes, sends ``first`` of it, then stalls (or sends a
    byte every 0.2 s) until the server answers; returns the status, JSON body and seconds."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {kind}\r\n"
        f"Content-Length: {DECLARED}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", service.port), timeout=10) as client:
        client.sendall(head + first)
        sent = len(first)
        started = time.monotonic()
        client.settimeout(0.2)
        answer = b""
        while time.monotonic() - started < PATIENCE_S:
            try:
                chunk = client.recv(65536)
            except TimeoutError:
                if trickle:
                    sent += client.send(b"\0")
                continue
            if not chunk:
                break
            answer += chunk
            if _complete(answer):
                break
        elapsed = time.monotonic() - started
        # aiohttp reads and drops what is left of an unread body for up to 10 s after
        # answering ("lingering"); sending it ends that before the test's server stops.
        client.settimeout(10)
        client.sendall(b"\0" * (DECLARED - sent))
    assert _complete(answer), f"no answer within {elapsed:.1f} s: {answer[:200]!r}"
    headers, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in headers.lower()
    return int(headers.split()[1]), json.loads(body), elapsed


def _complete(answer: bytes) -> bool:
    headers, separator, body = answer.partition(b"\r\n\r\n")
    for line in headers.lower().split(b"\r\n"):
        if separator and line.startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def assert_timed_out(status: int, body: dict, elapsed: float) -> None:
    assert status == 408
    assert body["error"]["code"] == "body_timeout"
    assert "did not arrive within the 1 s allowed" in body["error"]["message"]
    assert DEADLINE_S <= elapsed < DEADLINE_S + 4


@pytest.mark.parametrize("name", BODIES)
def test_a_body_that_stalls_is_answered_408_at_the_deadline(start_service, name):
    service = start_service(body_timeout_s=DEADLINE_S)
    assert_timed_out(*send_part_then_wait(service, *BODIES[name]))
    assert requests.get(f"{service.url}/healthz", timeout=10).ok


def test_a_trickled_body_is_held_to_the_whole_deadline(start_service):
    service = start_service(body_timeout_s=DEADLINE_S)
    path, kind, first = BODIES["raw image"]
    assert_timed_out(*send_part_then_wait(service, path, kind, first[:10], trickle=True))


def test_feedback_that_stalls_is_answered_408(start_service):
    service = start_service(body_timeout_s=DEADLINE_S)
    analysed = requests.post(
        f"{service.url}/v1/analyze", data=jpeg(scene(71, 64, 64), 90), timeout=60
    ).json()
    path = f"/v1/results/{analysed['id']}/feedback"
    assert_timed_out(*send_part_then_wait(service, path, "application/json", b'{"comm'))


def test_a_body_within_the_deadline_is_read(start_service):
    service = start_service(body_timeout_s=DEADLINE_S)
    response = requests.post(
        f"{service.url}/v1/analyze", data=jpeg(scene(72, 64, 64), 90), timeout=60
    )
    assert response.status_code == 200
