"""Handlers of the JSON API: parse the request, call one thing, shape the answer."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from model.verdict import BANDS
from service import typedefs
from service.errors import ApiError, Code, not_found
from service.intake import read_image
from service.store import Stored
from service.streams import body_deadline, read_json

OPENAPI_FILE = Path(__file__).resolve().parent / "openapi.json"
_ID = re.compile(r"[0-9a-f]{64}")
_PICTURES = {"heatmap.png": "heatmap_png", "ela.png": "ela_png"}
# Stored images are served under the type their magic bytes gave them at analysis.
_IMAGE_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
    "HEIF": "image/heic",  # HEIF of HEVC pictures, the only kind read
}
# A result never changes once stored (its id is the image's hash).
_IMMUTABLE = {"Cache-Control": "public, max-age=86400, immutable"}
_MAX_FEEDBACK_BYTES = 16 * 1024
_MAX_COMMENT_CHARS = 2000


def verdict_body(stored: Stored, cached: bool, started: float) -> dict[str, Any]:
    """The contract's verdict JSON: the model's fields plus where to find the pictures."""
    result_id = stored.verdict["id"]
    body = dict(stored.verdict)
    body["report_url"] = f"/results/{result_id}"
    body["heatmap_url"] = f"/v1/results/{result_id}/heatmap.png"
    body["ela_url"] = f"/v1/results/{result_id}/ela.png"
    if stored.has_image:
        body["image_url"] = f"/v1/results/{result_id}/image"
    body["cached"] = cached
    body["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return body


def is_result_id(value: str) -> bool:
    return _ID.fullmatch(value) is not None


def result_id(request: web.Request) -> str:
    """The id in the path, refused early when it cannot be a sha256."""
    value = request.match_info["id"]
    if not is_result_id(value):
        raise not_found("result")
    return value


async def analyze(request: web.Request) -> web.Response:
    started = time.perf_counter()
    data = await read_image(request, request.app[typedefs.FETCHER], request.app[typedefs.CONFIG])
    stored, cached = await request.app[typedefs.ANALYZER].analyze(data)
    return web.json_response(verdict_body(stored, cached, started))


async def result(request: web.Request) -> web.Response:
    started = time.perf_counter()
    stored = await request.app[typedefs.STORE].latest(result_id(request))
    if stored is None:
        raise not_found("result")
    return web.json_response(verdict_body(stored, True, started))


async def picture(request: web.Request) -> web.Response:
    data = await request.app[typedefs.STORE].picture(
        result_id(request), _PICTURES[request.match_info["name"]]
    )
    if data is None:
        raise not_found("result")
    return web.Response(body=data, content_type="image/png", headers=_IMMUTABLE)


async def image(request: web.Request) -> web.Response:
    store, key = request.app[typedefs.STORE], result_id(request)
    stored = await store.latest(key)
    data = await store.picture(key, "image") if stored else None
    if stored is None or data is None:
        raise not_found("image")
    kind = _IMAGE_TYPES.get(stored.verdict["image"]["format"], "application/octet-stream")
    return web.Response(body=data, content_type=kind, headers=_IMMUTABLE)


async def feedback(request: web.Request) -> web.Response:
    store = request.app[typedefs.STORE]
    stored = await store.latest(result_id(request))
    if stored is None:
        raise not_found("result")
    if request.content_type != "application/json":
        raise ApiError(Code.UNSUPPORTED_MEDIA_TYPE, "Feedback is sent as application/json.")
    async with body_deadline(request.app[typedefs.CONFIG].body_timeout_s):
        document = await read_json(request[typedefs.BODY].read, _MAX_FEEDBACK_BYTES, "feedback")
    if not isinstance(document, dict):
        raise ApiError(Code.INVALID_FIELD, "The body must be a JSON object.")
    expected = document.get("expected")
    comment = document.get("comment", "")
    if expected is not None and expected not in BANDS:
        raise ApiError(Code.INVALID_FIELD, f'"expected" must be one of {", ".join(BANDS)}.')
    if not _storable_text(comment) or len(comment) > _MAX_COMMENT_CHARS:
        raise ApiError(
            Code.INVALID_FIELD, f'"comment" must be text of at most {_MAX_COMMENT_CHARS} chars.'
        )
    feedback_id = await store.add_feedback(stored.verdict, expected, comment)
    return web.json_response({"id": stored.verdict["id"], "feedback_id": feedback_id}, status=201)


async def healthz(request: web.Request) -> web.Response:
    analyzer = request.app[typedefs.ANALYZER]
    model = analyzer.model
    status = "ok" if model else ("failed" if analyzer.load_error else "loading")
    return web.json_response({"status": status, "model_loaded": model is not None, "model": model})


async def metrics(request: web.Request) -> web.Response:
    output = generate_latest(request.app[typedefs.METRICS].registry)
    return web.Response(body=output, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def openapi(request: web.Request) -> web.Response:
    return web.FileResponse(OPENAPI_FILE, headers={"Content-Type": "application/json"})


def _storable_text(value: object) -> bool:
    """Text that UTF-8 can store: JSON may carry lone surrogates ("\\ud800"), which it cannot."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
