"""The image bytes of a ``POST /v1/analyze``, in whichever of its three forms it came.

multipart/form-data with a field ``image``; a raw body typed ``image/*`` (or
``application/octet-stream``); or JSON ``{"url": "..."}`` fetched safely. Bodies are read
under the size cap, whatever Content-Length claims, and within the body deadline.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from service.errors import ApiError
from service.fetch import Fetcher
from service.streams import body_deadline, read_capped, read_json, too_large

_RAW_TYPES = ("application/octet-stream",)


async def read_image(
    request: web.Request, fetcher: Fetcher, max_bytes: int, body_timeout: float
) -> bytes:
    if (request.content_length or 0) > max_bytes:
        raise too_large(max_bytes)
    kind = request.content_type
    if kind == "application/json":
        async with body_deadline(body_timeout):
            url = await _url(request, max_bytes)
        return await fetcher.fetch(url)  # under the fetch timeout, not the body's
    if kind == "multipart/form-data":
        reading = _multipart(request, max_bytes)
    elif kind.startswith("image/") or kind in _RAW_TYPES:
        reading = read_capped(request.content.read, max_bytes)
    else:
        raise ApiError(
            415,
            "unsupported_media_type",
            "Send multipart/form-data with a field 'image', an image/* body, "
            'or application/json {"url": ...}.',
        )
    async with body_deadline(body_timeout):
        return await reading


async def _multipart(request: web.Request, max_bytes: int) -> bytes:
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if getattr(part, "name", None) == "image":
                return await read_capped(part.read_chunk, max_bytes)
            await part.release()
    except (ValueError, HttpProcessingError) as error:  # bad boundary, bad part headers
        raise ApiError(400, "bad_multipart", f"The multipart body is malformed: {error}") from None
    raise ApiError(422, "missing_field", "The multipart body has no field named 'image'.")


async def _url(request: web.Request, max_bytes: int) -> str:
    document = await read_json(request.content.read, max_bytes)
    if not isinstance(document, dict) or "url" not in document:
        raise ApiError(422, "missing_field", 'The JSON body needs a field "url".')
    url = document["url"]
    if not isinstance(url, str) or not url:
        raise ApiError(422, "invalid_field", 'The field "url" must be a non-empty string.')
    return url
