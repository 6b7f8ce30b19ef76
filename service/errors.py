"""HTTP errors of the service and the one place the detector's errors become statuses.

Every error leaves as ``{"error": {"code": ..., "message": ...}}``; ``code`` is stable for
clients to branch on, ``message`` is a sentence for people.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from model import errors as model_errors

# The detector's typed errors, most specific first (TruncatedImage is a CorruptImage).
_IMAGE_STATUS: tuple[tuple[type[model_errors.ImageError], int], ...] = (
    (model_errors.EmptyImage, 400),
    (model_errors.UnsupportedFormat, 415),
    (model_errors.ImageTooLarge, 413),
    (model_errors.CorruptImage, 422),
    (model_errors.ImageError, 422),
)
# Statuses aiohttp raises itself (no route, wrong method, body over client_max_size).
_HTTP_CODES = {
    400: "bad_request",
    403: "forbidden",  # the static folder itself: no listing
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
}


class ApiError(Exception):
    """An answer other than success, with its status, stable code and optional headers."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def from_image_error(error: model_errors.ImageError) -> ApiError:
    status = next(s for kind, s in _IMAGE_STATUS if isinstance(error, kind))
    return ApiError(status, error.code, str(error) or "The image cannot be analysed.")


def from_http_exception(error: web.HTTPException) -> ApiError:
    code = _HTTP_CODES.get(error.status, "bad_request" if error.status < 500 else "unavailable")
    headers = {k: v for k, v in error.headers.items() if k in ("Allow", "Retry-After")}
    return ApiError(error.status, code, error.reason, headers)


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"No {what} is stored under this id.")


def unavailable(message: str, retry_after: int) -> ApiError:
    return ApiError(503, "unavailable", message, {"Retry-After": str(retry_after)})


def body(error: ApiError) -> dict[str, Any]:
    return {"error": {"code": error.code, "message": error.message}}


def response(error: ApiError) -> web.Response:
    return web.json_response(body(error), status=error.status, headers=error.headers)
