"""Reading a body from a stranger without trusting the size it claims or waiting on it forever."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from service.errors import ApiError

_CHUNK = 64 * 1024


def too_large(limit: int) -> ApiError:
    return ApiError(413, "body_too_large", f"The image is over the limit of {limit} bytes.")


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
            408,
            "body_timeout",
            f"The request body did not arrive within the {seconds:g} s allowed.",
        ) from None


async def read_capped(read_chunk: Callable[[int], Awaitable[bytes]], limit: int) -> bytes:
    """Reads chunks until the end, refusing the body as soon as it passes ``limit`` bytes."""
    body = bytearray()
    while chunk := await read_chunk(_CHUNK):
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    return bytes(body)


async def read_json(read_chunk: Callable[[int], Awaitable[bytes]], limit: int) -> Any:
    """A capped body parsed as JSON; 400 ``bad_json`` when it is not."""
    text = await read_capped(read_chunk, limit)
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        raise ApiError(400, "bad_json", "The body is not valid JSON.") from None
