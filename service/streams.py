"""Reading a body from a stranger without trusting the size it claims or waiting on it forever."""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import StreamReader
from aiohttp.base_protocol import BaseProtocol

from service.errors import ApiError, Code

_CHUNK = 64 * 1024
# The Content-Encodings a body may come in, with zlib's window bits for each.
_INFLATE_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
_GZIP_MEMBERS = 64  # gzip members one body may hold


def too_large(limit: int, what: str = "image") -> ApiError:
    return ApiError(Code.BODY_TOO_LARGE, f"The {what} is over the limit of {limit} bytes.")


@asynccontextmanager
async def body_deadline(seconds: float) -> AsyncIterator[None]:
    """Bounds the whole time a body takes to arrive, answering 408 ``body_timeout`` after.

    A client that stalls or trickles mid-body would otherwise hold its connection and the
    bytes already buffered for it for as long as it likes; leaving the read drops them.
    """
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError:
        raise ApiError(
            Code.BODY_TIMEOUT,
            f"The request body did not arrive within the {seconds:g} s allowed.",
        ) from None


async def read_capped(
    read_chunk: Callable[[int], Awaitable[bytes]], limit: int, what: str = "image"
) -> bytes:
    """Reads chunks until the end, refusing the body as soon as it passes ``limit`` bytes;
    ``what`` names the body in the refusal."""
    body = bytearray()
    while chunk := await read_chunk(_CHUNK):
        body += chunk
        if len(body) > limit:
            raise too_large(limit, what)
    return bytes(body)


async def read_json(
    read_chunk: Callable[[int], Awaitable[bytes]], limit: int, what: str = "request body"
) -> Any:
    """A capped body parsed as JSON; 400 ``bad_json`` when it is not."""
    text = await read_capped(read_chunk, limit, what)
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        raise ApiError(Code.BAD_JSON) from None


def encoding_of(header: str) -> str | None:
    """None for a body sent as is, else the encoding to inflate; 415 for any other."""
    encoding = header.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding not in _INFLATE_WBITS:
        raise ApiError(
            Code.UNSUPPORTED_MEDIA_TYPE,
            "Send the body as is, or with Content-Encoding gzip or deflate.",
        )
    return encoding


def inflated(data: bytes, encoding: str, limit: int, protocol: BaseProtocol) -> StreamReader:
    """``data`` inflated, as a stream at its end; 413 past ``limit`` bytes, 400 if not valid.

    A gzip body may be several members one after another (RFC 1952), as concatenated
    files are; each is inflated in turn, up to _GZIP_MEMBERS, since each costs a step on
    the event loop. Bytes after the last member are not valid."""
    invalid = ApiError(Code.BAD_BODY, f"The request body is not valid {encoding} data.")
    wbits = _INFLATE_WBITS[encoding]
    if encoding == "deflate" and data[:1] and data[0] & 0x0F != zlib.DEFLATED:
        wbits = -zlib.MAX_WBITS  # raw deflate, without the zlib header: some clients send it
    parts: list[bytes] = []
    size, rest = 0, data
    for _ in range(_GZIP_MEMBERS if encoding == "gzip" else 1):
        inflater = zlib.decompressobj(wbits)
        try:
            parts.append(inflater.decompress(rest, limit + 1 - size))
        except zlib.error:
            raise invalid from None
        size += len(parts[-1])
        if size > limit:
            raise too_large(limit, "request body")
        if not inflater.eof:  # cut short
            raise invalid
        rest = inflater.unused_data
        if not rest:
            break
    if rest:
        raise invalid
    body = b"".join(parts)
    # A limit above the size: feeding it all at once must not pause the connection.
    stream = StreamReader(protocol, len(body) + 1, loop=asyncio.get_running_loop())
    stream.feed_data(body)
    stream.feed_eof()
    return stream
