"""Concurrent requests share detector passes; a full queue answers 503 at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from service.typedefs import METRICS
from tests.images import jpeg, scene
from tests.service.harness import analyses, assert_error


def post(service, data: bytes) -> requests.Response:
    return requests.post(
        f"{service.url}/v1/analyze", data=data, headers={"Content-Type": "image/jpeg"}, timeout=120
    )


class GatedDetector:
    """The real detector behind a gate the test opens: a stand-in for a busy machine."""

    def __init__(self, detector):
        self.detector = detector
        self.model_info = detector.model_info
        self.gate = threading.Event()
        self.calls: list[int] = []

    def analyze_batch(self, items):
        self.gate.wait(timeout=60)
        self.calls.append(len(items))
        return self.detector.analyze_batch(items)


def test_fifty_parallel_requests_are_answered_in_batches(start_service):
    service = start_service(batch_max_size=8, batch_max_wait_ms=20, workers=2, queue_max=64)
    images = [jpeg(scene(100 + i, 64, 80), 85) for i in range(50)]
    with ThreadPoolExecutor(50) as pool:
        responses = list(pool.map(lambda data: post(service, data), images))
    assert [r.status_code for r in responses] == [200] * 50
    assert len({r.json()["id"] for r in responses}) == 50
    registry = service.app[METRICS].registry
    batches = registry.get_sample_value("fakecheck_batch_size_count")
    assert analyses(service) == 50 and batches < 50  # some batch held more than one image
    assert registry.get_sample_value("fakecheck_batch_size_bucket", {"le": "1.0"}) < batches


def test_full_queue_answers_503_with_retry_after(start_service, detector):
    gated = GatedDetector(detector)
    service = start_service(load_detector=lambda: gated, batch_max_size=1, queue_max=2, workers=1)
    images = [jpeg(scene(200 + i, 64, 64), 85) for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        pending = [pool.submit(post, service, data) for data in images]
        # One image is with the detector, two wait: the other five are refused at once.
        for _ in range(200):
            if sum(f.done() for f in pending) >= 5:
                break
            time.sleep(0.05)
        time.sleep(0.3)  # and nothing else is answered while the detector is busy
        refused = [f.result() for f in pending if f.done()]
        gated.gate.set()
        answered = [f.result(timeout=60) for f in pending]
    assert len(refused) == 5
    for response in refused:
        assert_error(response, 503, "unavailable")
        assert response.headers["Retry-After"] == "1"
    assert sorted(r.status_code for r in answered) == [200] * 3 + [503] * 5


def test_the_same_image_at_once_is_analysed_once(start_service, detector):
    gated = GatedDetector(detector)
    service = start_service(load_detector=lambda: gated)
    data = jpeg(scene(300, 64, 64), 85)
    with ThreadPoolExecutor(4) as pool:
        pending = [pool.submit(post, service, data) for _ in range(4)]
        time.sleep(0.5)
        gated.gate.set()
        bodies = [f.result(timeout=60).json() for f in pending]
    assert gated.calls == [1]
    assert sorted(b["cached"] for b in bodies) == [False, True, True, True]


class FaultyDetector(GatedDetector):
    """The real detector, with a bug that one image triggers."""

    def __init__(self, detector, trigger: bytes):
        super().__init__(detector)
        self.trigger = trigger

    def analyze_batch(self, items):
        self.calls.append(len(items))
        if self.trigger in items:
            raise RuntimeError("a bug this image triggers")
        return self.detector.analyze_batch(items)


def test_a_bug_one_image_triggers_fails_only_its_own_request(start_service, detector):
    images = [jpeg(scene(400 + i, 64, 64), 85) for i in range(4)]
    faulty = FaultyDetector(detector, trigger=images[0])
    service = start_service(
        load_detector=lambda: faulty, batch_max_size=8, batch_max_wait_ms=1000, workers=1
    )
    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(lambda data: post(service, data), images))
    assert faulty.calls[0] == 4  # they shared a batch, which failed; then each went alone
    assert_error(responses[0], 500, "internal_error")
    assert [r.status_code for r in responses[1:]] == [200] * 3
