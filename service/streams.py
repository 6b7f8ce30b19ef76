"""Reading a body from a stranger without trusting the size it claims."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from service.errors import ApiError

_CHUNK = 64 * 1024


def too_large(limit: int) -> ApiError:
    return ApiError(413, "body_too_large", f"The image is over the limit of {limit} bytes.")


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
