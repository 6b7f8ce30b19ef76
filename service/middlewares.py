"""What every request goes through: an id, a log line and metrics; access checks; and the
one place any failure becomes the ``{"error": ...}`` body. Also the routes' answer to an
``Expect`` header, which aiohttp asks for before any middleware runs."""

from __future__ import annotations

import logging
import re
import time
import uuid

from aiohttp import HttpVersion11, hdrs, web
from aiohttp.typedefs import Handler

from service import errors, typedefs
from service.logs import request_id
from service.streams import body_deadline, encoding_of, inflated, read_capped

log = logging.getLogger("service.access")
_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Outermost: the errors middleware inside it guarantees a response to measure."""
    given = request.headers.get("X-Request-Id", "")
    token = request_id.set(given if _CLIENT_ID.fullmatch(given) else uuid.uuid4().hex)
    started = time.perf_counter()
    try:
        response = await handler(request)
        response.headers["X-Request-Id"] = request_id.get() or ""
        elapsed = time.perf_counter() - started
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        status = str(response.status)
        metrics = request.app[typedefs.METRICS]
        metrics.requests.labels(route, request.method, status).inc()
        metrics.latency.labels(route, status).observe(elapsed)
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "route": route,
                "status": response.status,
                "ms": round(elapsed * 1000, 1),
                "remote": request.remote,
            },
        )
        return response
    finally:
        request_id.reset(token)


@web.middleware
async def handle_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except errors.ApiError as error:
        return errors.response(error)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return errors.response(errors.from_http_exception(error))
    except (web.RequestPayloadError, ConnectionResetError) as error:
        # The body stopped arriving or its chunked framing is broken: the client's doing,
        # answered if it still listens.
        return errors.response(
            errors.ApiError(errors.Code.BAD_BODY, f"The request body could not be read: {error}")
        )
    except Exception:
        log.exception("unexpected failure")
        return errors.response(errors.ApiError(errors.Code.INTERNAL_ERROR))


@web.middleware
async def check_access(request: web.Request, handler: Handler) -> web.StreamResponse:
    access = request.app[typedefs.ACCESS]
    if access.guards(request):
        await access.check(request)
    return await handler(request)


@web.middleware
async def decode_body(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Hands handlers the body as ``request[BODY]``, inflated here when gzip or deflate.

    aiohttp's own decoding is off (see create_app): it fails on encodings it knows but
    cannot decode here (br, zstd) before any middleware runs, as a text/plain 400 and a
    logged traceback. Here any other encoding is refused before the body is read.
    """
    encoding = encoding_of(request.headers.get(hdrs.CONTENT_ENCODING, ""))
    if encoding is None or not request.body_exists:
        request[typedefs.BODY] = request.content
        return await handler(request)
    config = request.app[typedefs.CONFIG]
    async with body_deadline(config.body_timeout_s):
        sent = await read_capped(request.content.read, config.max_body_bytes, "request body")
    request[typedefs.BODY] = inflated(sent, encoding, config.max_body_bytes, request.protocol)
    return await handler(request)


async def expect_continue(request: web.Request) -> None:
    """Every route's ``expect_handler``: says "100 Continue" to a client that waits for it
    and leaves any other expectation to ``check_expect``. aiohttp's own handler refuses those
    itself, before the middlewares, as a text/plain 417 without a request id."""
    expected = request.headers.get(hdrs.EXPECT, "").lower()
    if request.version == HttpVersion11 and expected == "100-continue":
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0  # the interim answer is not the response's start


@web.middleware
async def check_expect(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuses an ``Expect`` the service cannot meet (any but 100-continue), as HTTP says."""
    expected = request.headers.get(hdrs.EXPECT)
    if expected is not None and expected.lower() != "100-continue":
        raise errors.ApiError(
            errors.Code.EXPECTATION_FAILED, f"The expectation {expected!r} cannot be met here."
        )
    return await handler(request)
