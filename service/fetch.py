"""Fetching an image a client names by URL, without letting the URL reach inside.

http and https only, no credentials in the URL; IP literals are vetted here, names by the
``GuardedResolver`` the connector uses (so the connection goes to the vetted address); every
redirect is followed by hand and vetted again; the body streams under a size cap and an
overall timeout. The bytes' magic, not the Content-Type, later decides what they are.
"""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from service.addresses import AddressRefused, GuardedResolver, ends_in_number, is_ip_literal, vet
from service.errors import ApiError, Code
from service.streams import read_capped, too_large

_REDIRECTS = {301, 302, 303, 307, 308}


def _refused(message: str) -> ApiError:
    return ApiError(Code.URL_NOT_ALLOWED, message)


def _failed(message: str) -> ApiError:
    return ApiError(Code.FETCH_FAILED, message)


def _gone(status: int) -> ApiError:
    """Its own code: a deleted image is an answer for the bots, not a fault to retry."""
    return ApiError(Code.IMAGE_GONE, f"The image URL answered HTTP {status}: it is gone.")


class Fetcher:
    def __init__(
        self,
        resolver: AbstractResolver,
        *,
        allow_loopback: bool,
        max_bytes: int,
        timeout: float,
        max_redirects: int,
    ):
        self._allow_loopback = allow_loopback
        self._max_bytes = max_bytes
        self._timeout = timeout
        self._max_redirects = max_redirects
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(resolver, allow_loopback), use_dns_cache=False
        )
        # trust_env off: a proxy from the environment would connect on our behalf, unvetted.
        # auto_decompress off: the size cap must hold for the bytes as they will be decoded.
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=timeout),
            trust_env=False,
            auto_decompress=False,
            headers={"User-Agent": "FakeCheck/1 (+image analysis)"},
        )

    async def close(self) -> None:
        await self._session.close()

    def check(self, url: URL) -> None:
        """Refuses URLs that need no network to refuse (scheme, credentials, IP literals,
        and IPv4 addresses in forms other than a.b.c.d)."""
        try:
            host = url.host  # decoded (IDNA) on first use: "xn--" alone raises here
        except ValueError:
            raise _refused("The URL's host name is not valid.") from None
        if url.scheme not in ("http", "https") or not host:
            raise _refused("Only http and https URLs with a host name can be fetched.")
        if url.user is not None or url.password is not None:
            raise _refused("URLs carrying credentials are not fetched.")
        if is_ip_literal(host):
            try:
                vet(host, self._allow_loopback)
            except AddressRefused as error:
                raise _refused(str(error)) from None
        elif ends_in_number(host):
            raise _refused("IPv4 addresses are fetched only when written as a.b.c.d in decimal.")

    async def fetch(self, text: str) -> bytes:
        """The body at ``text``; raises ApiError (422 refused, 413 too big, 502 failed)."""
        try:
            url = URL(text)
        except (ValueError, TypeError):
            raise _refused("The URL cannot be parsed.") from None
        try:
            async with asyncio.timeout(self._timeout):
                return await self._follow(url)
        except TimeoutError:
            raise _failed("Fetching the image took too long.") from None

    async def _follow(self, url: URL) -> bytes:
        for _ in range(self._max_redirects + 1):
            self.check(url)
            try:
                async with self._session.get(url, allow_redirects=False) as response:
                    location = response.headers.get("Location")
                    if response.status in _REDIRECTS and location:
                        url = url.join(URL(location))
                        continue
                    if response.status in (404, 410):
                        raise _gone(response.status)
                    if response.status != 200:
                        raise _failed(f"The image URL answered HTTP {response.status}.")
                    return await self._read(response)
            except AddressRefused as error:
                raise _refused(str(error)) from None
            except (aiohttp.ClientError, ValueError) as error:
                raise _failed(f"The image could not be fetched: {error}.") from None
        raise _failed(f"More than {self._max_redirects} redirects.")

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        if (response.content_length or 0) > self._max_bytes:
            raise too_large(self._max_bytes)
        return await read_capped(response.content.read, self._max_bytes)
