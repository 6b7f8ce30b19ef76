"""Overload behaves: more clients at once than the default queue holds get a 503 with
Retry-After at once, never a 500 or a hung request, and a refused image is never analysed
(what it would hold in memory is never taken). How quickly they come is measured by
``tests/benchmarks/service.py``, not asserted here."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from service.config import ServiceConfig
from tests.images import jpeg, scene
from tests.service.harness import analyses, assert_error

CLIENTS = 64


def test_concurrency_64_on_the_default_queue_gets_503s_with_retry_after(start_service):
    assert ServiceConfig().queue_max < CLIENTS, "the default queue would hold every client"
    service = start_service()
    photos = [jpeg(scene(seed, 240, 320), 90) for seed in range(CLIENTS)]

    def post(data: bytes) -> requests.Response:
        return requests.post(
            f"{service.url}/v1/analyze",
            data=data,
            headers={"Content-Type": "image/jpeg"},
            timeout=120,  # a request left waiting this long fails the test
        )

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(post, photos))
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {200, 503}, statuses
    refused = [answer for answer in answers if answer.status_code == 503]
    assert refused, "the queue should have refused some of 64 images at once"
    for answer in refused:
        assert_error(answer, 503, "unavailable")
        assert int(answer.headers["Retry-After"]) >= 1
    assert analyses(service) == statuses.count(200)  # the refused were never analysed
    again = post(refused[0].request.body)
    assert again.status_code == 200, again.text  # room again once the wave is done
