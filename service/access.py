"""Who may ask for work, and how often: optional API keys and a token bucket per caller.

Only requests that cost work or write (``POST /v1/...``) are guarded; reading a stored result
needs its id, the sha256 of the image, which only someone holding the image can know.
Feedback needs no key: the report page's "Wrong verdict?" form, which bot replies link to,
runs in a stranger's browser that has none, and feedback only records an opinion on a
result that exists. It stays under the rate limit and its size cap.
A caller is its API key when it sends one (checked wherever it is sent), else its IP address.
"""

from __future__ import annotations

import hmac
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from aiohttp import web

from service.errors import ApiError, Code

# Callers remembered at most; the least recently seen are forgotten first (a full bucket).
_MAX_CALLERS = 10_000
# Routes anyone may post to without a key (rate-limited all the same).
_KEYLESS_ROUTES = frozenset({"/v1/results/{id}/feedback"})


class Buckets(Protocol):
    async def take(self, caller: str) -> float:
        """0 when the caller's request may go ahead, else the seconds until it may."""
        ...


class TokenBuckets:
    """Each caller earns ``rate`` tokens per second up to ``burst``; a request spends one.
    Kept in this process's memory: the limit of a service alone on its store (SQLite)."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self._rate = rate
        self._burst = burst
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def take(self, caller: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = self._clock()
        tokens, then = self._buckets.pop(caller, (float(self._burst), now))
        tokens = min(float(self._burst), tokens + (now - then) * self._rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self._rate
        self._buckets[caller] = (tokens - 1 if wait == 0 else tokens, now)
        if len(self._buckets) > _MAX_CALLERS:
            self._buckets.popitem(last=False)
        return wait


class Access:
    def __init__(self, api_keys: tuple[str, ...], buckets: Buckets | None):
        """``buckets``: each caller's rate limit (None: no limit)."""
        self._keys = tuple(key.encode("utf-8", "surrogateescape") for key in api_keys)
        self._buckets = buckets

    @staticmethod
    def guards(request: web.Request) -> bool:
        return request.method == "POST" and request.path.startswith("/v1/")

    async def check(self, request: web.Request) -> None:
        """Raises ApiError 401 (no or unknown key) or 429 (over the rate, with Retry-After)."""
        key = _presented_key(request)
        if self._keys and key is not None:
            # Header bytes that are not UTF-8 arrive as surrogates: compared as the bytes sent.
            presented = key.encode("utf-8", "surrogateescape")
            if not any(hmac.compare_digest(presented, known) for known in self._keys):
                raise ApiError(Code.UNAUTHORIZED, "The API key is not known.")
        elif self._keys and _route(request) not in _KEYLESS_ROUTES:
            raise ApiError(Code.UNAUTHORIZED, "An API key is needed (Authorization: Bearer).")
        if self._buckets is None:
            return
        caller = f"key:{key}" if key and self._keys else f"ip:{request.remote}"
        wait = await self._buckets.take(caller)
        if wait > 0:
            raise ApiError(Code.RATE_LIMITED, headers={"Retry-After": str(max(1, math.ceil(wait)))})


def _route(request: web.Request) -> str | None:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else None


def _presented_key(request: web.Request) -> str | None:
    authorization = request.headers.get("Authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("X-API-Key") or None
