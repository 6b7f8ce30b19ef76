"""Every endpoint of the contract and every input form, on a live service."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import subprocess
import sys

import requests
from PIL import Image

from model.verdict import BANDS, KINDS, LIKELY_MANIPULATED, label
from service.logs import JsonFormatter
from tests.images import jpeg, png, scene
from tests.service.harness import Origin, StaticResolver, ThreadedServer, analyses, assert_error

PHOTO = jpeg(scene(11, 160, 200), 90)
PHOTO_ID = hashlib.sha256(PHOTO).hexdigest()
VERDICT_KEYS = {
    "id", "verdict", "kind", "label", "score", "reasons", "signals", "image", "model",
    "report_url", "heatmap_url", "ela_url", "cached", "elapsed_ms",
}  # fmt: skip


def post_raw(server: ThreadedServer, data: bytes, kind: str = "image/jpeg") -> requests.Response:
    return requests.post(
        f"{server.url}/v1/analyze", data=data, headers={"Content-Type": kind}, timeout=60
    )


def check_verdict(body: dict, data: bytes) -> None:
    assert VERDICT_KEYS <= set(body)
    assert body["id"] == hashlib.sha256(data).hexdigest()
    assert body["verdict"] in BANDS
    assert (body["kind"] in KINDS) == (body["verdict"] == LIKELY_MANIPULATED)
    assert body["label"] == label(body["verdict"], body["kind"])
    assert 0 <= body["score"] <= 1 and body["reasons"]
    assert body["report_url"] == f"/results/{body['id']}"
    assert body["heatmap_url"] == f"/v1/results/{body['id']}/heatmap.png"


def test_raw_body_then_cached_then_readable_everywhere(service):
    first = post_raw(service, PHOTO)
    assert first.status_code == 200, first.text
    body = first.json()
    check_verdict(body, PHOTO)
    assert body["cached"] is False and "image_url" not in body
    again = post_raw(service, PHOTO)
    assert again.json()["cached"] is True
    assert analyses(service) == 1  # the second request never reached the detector

    stored = requests.get(f"{service.url}/v1/results/{PHOTO_ID}", timeout=10).json()
    assert {k: v for k, v in stored.items() if k != "elapsed_ms"} == {
        k: v for k, v in again.json().items() if k != "elapsed_ms"
    }
    for name in ("heatmap.png", "ela.png"):
        picture = requests.get(f"{service.url}/v1/results/{PHOTO_ID}/{name}", timeout=10)
        assert picture.headers["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(picture.content)).size == (200, 160)
    assert_error(requests.get(f"{service.url}/v1/results/{PHOTO_ID}/image", timeout=10), 404,
                 "not_found")  # fmt: skip
    report = requests.get(f"{service.url}{body['report_url']}", timeout=10)
    assert report.status_code == 200 and report.headers["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in report.headers["Content-Security-Policy"]


def test_multipart_upload(service):
    data = png(Image.fromarray(scene(12, 96, 128)))
    response = requests.post(
        f"{service.url}/v1/analyze",
        files={"image": ("photo.png", data, "application/octet-stream")},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    check_verdict(response.json(), data)
    assert response.json()["image"]["format"] == "PNG"


def test_url_form_fetches_through_the_guard(start_service):
    origin = Origin({"/photo.jpg": PHOTO})
    try:
        service = start_service(
            resolver=StaticResolver({"images.example": "127.0.0.1"}), fetch_allow_loopback=True
        )
        response = requests.post(
            f"{service.url}/v1/analyze",
            json={"url": f"http://images.example:{origin.port}/photo.jpg"},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        check_verdict(response.json(), PHOTO)
        assert origin.hits == ["/photo.jpg"]
    finally:
        origin.stop()


def test_results_survive_a_restart(start_service, tmp_path):
    first = start_service(store_images=True)
    body = post_raw(first, PHOTO).json()
    assert body["image_url"] == f"/v1/results/{PHOTO_ID}/image"
    first.stop()
    second = start_service(store_images=True)
    again = post_raw(second, PHOTO).json()
    assert again["cached"] is True and again["score"] == body["score"]
    assert analyses(second) == 0
    image = requests.get(f"{second.url}{body['image_url']}", timeout=10)
    assert image.content == PHOTO and image.headers["Content-Type"] == "image/jpeg"


def test_feedback_is_stored_and_checked(service):
    post_raw(service, PHOTO)
    url = f"{service.url}/v1/results/{PHOTO_ID}/feedback"
    stored = requests.post(url, json={"expected": "no_evidence", "comment": "my photo"}, timeout=10)
    assert stored.status_code == 201 and stored.json()["id"] == PHOTO_ID
    assert requests.post(url, json={}, timeout=10).json()["feedback_id"] > 0
    assert_error(requests.post(url, json={"expected": "real"}, timeout=10), 422, "invalid_field")
    assert_error(requests.post(url, json={"comment": 5}, timeout=10), 422, "invalid_field")
    lone_surrogate = requests.post(
        url, data=b'{"comment": "\\ud800"}', headers={"Content-Type": "application/json"}
    )
    assert_error(lone_surrogate, 422, "invalid_field")
    assert_error(requests.post(url, json=[1], timeout=10), 422, "invalid_field")
    bad_json = requests.post(url, data="{", headers={"Content-Type": "application/json"})
    assert_error(bad_json, 400, "bad_json")
    assert_error(requests.post(url, data="x", timeout=10), 415, "unsupported_media_type")
    too_long = requests.post(url, json={"comment": "x" * 17_000}, timeout=10)
    assert assert_error(too_long, 413, "body_too_large")["error"]["message"] == (
        "The feedback is over the limit of 16384 bytes."
    )
    unknown = f"{service.url}/v1/results/{'0' * 64}/feedback"
    assert_error(requests.post(unknown, json={}, timeout=10), 404, "not_found")


def test_unknown_results_are_404(service):
    for path in (f"/v1/results/{'a' * 64}", f"/v1/results/{'a' * 64}/ela.png", "/v1/results/x"):
        assert_error(requests.get(service.url + path, timeout=10), 404, "not_found")
    page = requests.get(f"{service.url}/results/{'a' * 64}", timeout=10)
    assert page.status_code == 404 and "No such result" in page.text
    assert_error(requests.get(f"{service.url}/nowhere", timeout=10), 404, "not_found")
    assert_error(requests.get(f"{service.url}/static/", timeout=10), 403, "forbidden")
    wrong_method = requests.delete(f"{service.url}/v1/analyze", timeout=10)
    assert_error(wrong_method, 405, "method_not_allowed")
    assert "POST" in wrong_method.headers["Allow"]


def test_upload_page_health_metrics_openapi(service):
    page = requests.get(f"{service.url}/", timeout=10)
    assert page.status_code == 200 and 'id="drop"' in page.text
    assert requests.get(f"{service.url}/static/upload.js", timeout=10).status_code == 200
    health = requests.get(f"{service.url}/healthz", timeout=10).json()
    assert health == {"status": "ok", "model_loaded": True, "model": health["model"]}
    assert health["model"]["name"] == "ela-cnn"
    post_raw(service, PHOTO)
    post_raw(service, PHOTO)
    metrics = requests.get(f"{service.url}/metrics", timeout=10).text
    for line in (
        'fakecheck_http_requests_total{method="POST",route="/v1/analyze",status="200"} 2.0',
        'fakecheck_cache_lookups_total{result="hit"} 1.0',
        "fakecheck_batch_size_count 1.0",
        "fakecheck_model_loaded 1.0",
        "fakecheck_queue_depth",
    ):
        assert line in metrics
    spec = requests.get(f"{service.url}/openapi.json", timeout=10).json()
    assert set(spec["paths"]) >= {"/v1/analyze", "/v1/results/{id}", "/healthz", "/metrics"}


def test_health_says_when_the_model_is_not_loaded(start_service):
    from model.errors import ModelError

    def fail():
        raise ModelError("no weights here")

    service = start_service(load_detector=fail, wait=False)
    for _ in range(100):
        health = requests.get(f"{service.url}/healthz", timeout=10).json()
        if health["status"] == "failed":
            break
    assert health == {"status": "failed", "model_loaded": False, "model": None}
    refused = post_raw(service, PHOTO)
    assert_error(refused, 503, "unavailable")
    assert refused.headers["Retry-After"]


def test_request_id_is_echoed_and_logged(service):
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("service.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        response = requests.get(f"{service.url}/healthz", headers={"X-Request-Id": "abc-1"})
        other = requests.get(f"{service.url}/healthz", headers={"X-Request-Id": "<script>"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    assert response.headers["X-Request-Id"] == "abc-1"
    assert other.headers["X-Request-Id"] != "<script>"  # only safe ids are echoed
    first, second = (json.loads(line) for line in lines.getvalue().splitlines())
    assert first["request_id"] == "abc-1" and first["route"] == "/healthz"
    assert first["status"] == 200 and second["request_id"] == other.headers["X-Request-Id"]


def test_warnings_are_logged_as_json_lines():
    code = (
        "import warnings; from service import logs; logs.configure('INFO'); "
        "warnings.warn('compiled networks are not kept', RuntimeWarning)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    (line,) = done.stderr.splitlines()
    record = json.loads(line)
    assert record["logger"] == "py.warnings" and record["level"] == "WARNING"
    assert "compiled networks are not kept" in record["message"]
