"""API keys and rate limits: 401 without a known key, 429 with Retry-After past the rate."""

from __future__ import annotations

import requests

from service.access import TokenBuckets
from tests.conftest import jpeg, scene
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
    assert [buckets.take("ip:1") for _ in range(2)] == [0.0, 0.0]
    assert buckets.take("ip:1") == 0.5
    assert buckets.take("ip:2") == 0.0  # callers do not share
    now[0] = 0.5
    assert buckets.take("ip:1") == 0.0
    now[0] = 100.0  # never more than the burst
    assert [buckets.take("ip:1") for _ in range(3)][-1] > 0
