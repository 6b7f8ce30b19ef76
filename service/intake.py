"""The image bytes of a ``POST /v1/analyze``, in whichever of its three forms it came.

multipart/form-data with a field ``image``; a raw body typed ``image/*`` (or
``application/octet-stream``); or JSON ``{"url": "..."}`` fetched safely. Bodies are read
under the size cap, whatever Content-Length claims, and within the body deadline.
"""

from __future__ import annotations

from aiohttp import MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from service import typedefs
from service.config import ServiceConfig
from service.errors import ApiError, Code
from service.fetch import Fetcher
from service.streams import body_deadline, read_capped, read_json, too_large

_RAW_TYPES = ("application/octet-stream",)


async def read_image(request: web.Request, fetcher: Fetcher, config: ServiceConfig) -> bytes:
    max_bytes = config.max_body_bytes
    if (request.content_length or 0) > max_bytes:
        raise too_large(max_bytes, "request body")
    kind = request.content_type
    if kind == "application/json":
        async with body_deadline(config.body_timeout_s):
            url = await _url(request, max_bytes)
        return await fetcher.fetch(url)  # under the fetch timeout, not the body's
    if kind == "multipart/form-data":
        reading = _multipart(request, max_bytes, config.multipart_max_parts)
    elif kind.startswith("image/") or kind in _RAW_TYPES:
        reading = read_capped(request[typedefs.BODY].read, max_bytes)
    else:
        raise ApiError(
            Code.UNSUPPORTED_MEDIA_TYPE,
            "Send multipart/form-data with a field 'image', an image/* body, "
            'or application/json {"url": ...}.',
        )
    async with body_deadline(config.body_timeout_s):
        return await reading


async def _multipart(request: web.Request, max_bytes: int, max_parts: int) -> bytes:
    """The field ``image``, looked for among the first ``max_parts`` parts only: each part
    is parsed on the event loop, so thousands of tiny ones would stall every request."""
    try:
        reader = MultipartReader(request.headers, request[typedefs.BODY])
        # One look past the last part allowed: a body of exactly max_parts parts ends there.
        for count in range(max_parts + 1):
            part = await reader.next()
            if part is None:
                raise ApiError(Code.MISSING_FIELD, "The multipart body has no field named 'image'.")
            if count == max_parts:
                break
            if isinstance(part, MultipartReader):  # parts within parts, never counted here
                raise _bad_multipart("A part of the multipart body is itself multipart.")
            if part.name == "image":
                return await read_capped(part.read_chunk, max_bytes)
            await part.release()
    except (ValueError, HttpProcessingError) as error:  # bad boundary, bad part headers
        raise _bad_multipart(f"The multipart body is malformed: {error}") from None
    raise _bad_multipart(f"The multipart body has no field 'image' in its first {max_parts} parts.")


def _bad_multipart(message: str) -> ApiError:
    return ApiError(Code.BAD_MULTIPART, message)


async def _url(request: web.Request, max_bytes: int) -> str:
    document = await read_json(request[typedefs.BODY].read, max_bytes)
    if not isinstance(document, dict) or "url" not in document:
        raise ApiError(Code.MISSING_FIELD, 'The JSON body needs a field "url".')
    url = document["url"]
    if not isinstance(url, str) or not url:
        raise ApiError(Code.INVALID_FIELD, 'The field "url" must be a non-empty string.')
    return url
