"""HTTP errors of the service: the one catalogue of their codes, and the one place the
detector's errors and aiohttp's own become statuses.

Every error leaves as ``{"error": {"code": ..., "message": ...}}``; ``code`` is stable for
clients to branch on, ``message`` is a sentence for people. ``Code`` lists every code the
service answers with, once, with its status; ``openapi.json`` lists the same codes as the
Error schema's enum (tests/service/test_error_codes.py holds the two, and every code the bots
and the extension branch on, to this table).
"""

from __future__ import annotations

from enum import StrEnum
from http import HTTPStatus
from typing import Any, Self

from aiohttp import web

from model import errors as model_errors


class Code(StrEnum):
    """Every error code with its status and, where every answer says the same, its message.

    ``bad_request`` and ``unavailable`` also stand for any other 4xx or 5xx status aiohttp
    raises itself, which the answer keeps (see ``from_http_exception``).
    """

    status: int
    message: str | None

    def __new__(cls, code: str, status: int, message: str | None = None) -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member.status = status
        member.message = message
        return member

    # The request's form: its body, its framing, its fields.
    BAD_REQUEST = "bad_request", 400
    BAD_BODY = "bad_body", 400
    BAD_JSON = "bad_json", 400, "The body is not valid JSON."
    BAD_MULTIPART = "bad_multipart", 400
    BODY_TIMEOUT = "body_timeout", 408
    BODY_TOO_LARGE = "body_too_large", 413
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", 415  # a body type, encoding or format
    EXPECTATION_FAILED = "expectation_failed", 417
    MISSING_FIELD = "missing_field", 422
    INVALID_FIELD = "invalid_field", 422
    # Who asks, and how often.
    UNAUTHORIZED = "unauthorized", 401
    RATE_LIMITED = "rate_limited", 429, "Too many requests; slow down."
    # What is asked for.
    FORBIDDEN = "forbidden", 403  # the static folder itself: no listing
    NOT_FOUND = "not_found", 404
    METHOD_NOT_ALLOWED = "method_not_allowed", 405
    # The image: the detector's typed errors (model.errors), by their own codes.
    EMPTY_IMAGE = "empty_image", 400
    IMAGE_TOO_LARGE = "image_too_large", 413
    CORRUPT_IMAGE = "corrupt_image", 422
    TRUNCATED_IMAGE = "truncated_image", 422
    INVALID_IMAGE = "invalid_image", 422
    # An image URL the service fetches.
    URL_NOT_ALLOWED = "url_not_allowed", 422
    FETCH_FAILED = "fetch_failed", 502
    IMAGE_GONE = "image_gone", 502
    # The service itself.
    UNAVAILABLE = "unavailable", 503
    INTERNAL_ERROR = "internal_error", 500, "Something failed on our side; it is logged."


# Codes nothing answers with today, each with why it stays declared (clients may branch on
# it: the extension reads invalid_image as "not an image").
RESERVED = {
    Code.INVALID_IMAGE: "the detector's ImageError itself; today it raises only its subclasses",
}
# Statuses aiohttp raises itself (no route, wrong method, body over client_max_size).
_HTTP_CODES = {
    code.status: code
    for code in (
        Code.BAD_REQUEST,
        Code.FORBIDDEN,
        Code.NOT_FOUND,
        Code.METHOD_NOT_ALLOWED,
        Code.BODY_TOO_LARGE,
        Code.UNSUPPORTED_MEDIA_TYPE,
    )
}


class ApiError(Exception):
    """An answer other than success: its code, a message where the code has none of its own,
    optional headers. The status is the code's; only aiohttp's own errors give theirs."""

    def __init__(
        self,
        code: Code,
        message: str | None = None,
        headers: dict[str, str] | None = None,
        *,
        status: int | None = None,
    ):
        self.code = code
        self.status = status or code.status
        # A call site says one unless its code has its own; aiohttp's reason may be empty.
        self.message = message or code.message or HTTPStatus(self.status).phrase
        super().__init__(self.message)
        self.headers = headers or {}


def from_image_error(error: model_errors.ImageError) -> ApiError:
    """The detector's error under its own code (TruncatedImage's, else CorruptImage's, …)."""
    return ApiError(Code(error.code), str(error) or "The image cannot be analysed.")


def from_http_exception(error: web.HTTPException) -> ApiError:
    fallback = Code.BAD_REQUEST if error.status < 500 else Code.UNAVAILABLE
    code = _HTTP_CODES.get(error.status, fallback)
    headers = {k: v for k, v in error.headers.items() if k in ("Allow", "Retry-After")}
    return ApiError(code, error.reason, headers, status=error.status)


def not_found(what: str) -> ApiError:
    return ApiError(Code.NOT_FOUND, f"No {what} is stored under this id.")


def unavailable(message: str, retry_after: int) -> ApiError:
    return ApiError(Code.UNAVAILABLE, message, {"Retry-After": str(retry_after)})


def body(error: ApiError) -> dict[str, Any]:
    return {"error": {"code": error.code.value, "message": error.message}}


def response(error: ApiError) -> web.Response:
    return web.json_response(body(error), status=error.status, headers=error.headers)
