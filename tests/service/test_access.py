"""API keys and rate limits: 401 without a known key, 429 with Retry-After past the rate."""

from __future__ import annotations

import asyncio

import requests

from service.access import TokenBuckets
from tests.images import jpeg, scene
from tests.service.harness import assert_error

PHOTO = jpeg(scene(31, 64, 64), 90)


def post(service, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(
        f"{service.url}/v1/analyze",
        data=PHOTO,
        headers={"Content-Type": "image/jpeg", **(headers or {})},
        timeout=60,
    )


def test_api_keys_guard_work_but_not_reading(start_service):
    service = start_service(api_keys=("k1", "k2"))
    assert_error(post(service), 401, "unauthorized")
    assert_error(post(service, {"Authorization": "Bearer wrong"}), 401, "unauthorized")
    ok = post(service, {"Authorization": "Bearer k2"})
    assert ok.status_code == 200
    assert post(service, {"X-API-Key": "k1"}).status_code == 200
    assert_error(post(service, {"X-API-Key": b"\xff\xfe"}), 401, "unauthorized")
    assert requests.get(f"{service.url}/v1/results/{ok.json()['id']}", timeout=10).ok
    assert requests.get(f"{service.url}/healthz", timeout=10).ok


def send_feedback(service, result_id: str, headers: dict[str, str] | None = None):
    return requests.post(
        f"{service.url}/v1/results/{result_id}/feedback",
        json={"expected": "no_evidence", "comment": "my own photo"},
        headers=headers,
        timeout=10,
    )


def test_feedback_needs_no_key_but_stays_rate_limited(start_service):
    """The report page's form runs in a browser holding no key; bot replies link to it."""
    service = start_service(api_keys=("k1",), rate_per_second=0.1, rate_burst=2)
    result_id = post(service, {"X-API-Key": "k1"}).json()["id"]
    assert send_feedback(service, result_id).status_code == 201
    assert_error(send_feedback(service, result_id, {"X-API-Key": "forged"}), 401, "unauthorized")
    assert send_feedback(service, result_id, {"Authorization": "Bearer k1"}).status_code == 201
    assert_error(post(service), 401, "unauthorized")  # analysing still needs a key
    # Without a key the caller is its IP, whose bucket of 2 the first feedback began.
    assert send_feedback(service, result_id).status_code == 201
    assert_error(send_feedback(service, result_id), 429, "rate_limited")


def test_rate_limit_answers_429_with_retry_after(start_service):
    service = start_service(rate_per_second=0.5, rate_burst=3)
    statuses = [post(service).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = post(service)
    assert_error(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1


def test_each_key_has_its_own_bucket(start_service):
    service = start_service(api_keys=("a", "b"), rate_per_second=0.1, rate_burst=1)
    assert post(service, {"X-API-Key": "a"}).status_code == 200
    assert post(service, {"X-API-Key": "a"}).status_code == 429
    assert post(service, {"X-API-Key": "b"}).status_code == 200


def test_token_bucket_refills_at_its_rate():
    now = [0.0]
    buckets = TokenBuckets(rate=2.0, burst=2, clock=lambda: now[0])

    def take(caller: str) -> float:
        return asyncio.run(buckets.take(caller))

    assert [take("ip:1") for _ in range(2)] == [0.0, 0.0]
    assert take("ip:1") == 0.5
    assert take("ip:2") == 0.0  # callers do not share
    now[0] = 0.5
    assert take("ip:1") == 0.0
    now[0] = 100.0  # never more than the burst
    assert [take("ip:1") for _ in range(3)][-1] > 0
