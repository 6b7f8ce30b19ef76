"""Which network addresses a fetched URL may reach, and a resolver that enforces it.

Only public unicast addresses pass: loopback, private, shared (CGNAT), link-local (cloud
metadata lives at 169.254.169.254), multicast, reserved and unspecified ones are refused,
also when hidden in IPv6 (IPv4-mapped, 6to4, Teredo; NAT64 is never global). The resolver vets every
address a name resolves to and hands the connector only vetted ones, so the connection goes
to the address that was checked: a second lookup cannot swap in another (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import re
import socket

from aiohttp.abc import AbstractResolver, ResolveResult

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# A decimal, octal (leading 0) or hexadecimal (0x) number: the parts of IPv4 in any form.
_NUMBER = re.compile(r"0x[0-9a-f]*|[0-9]+", re.IGNORECASE)


class AddressRefused(Exception):
    """The URL leads to an address the service must not reach."""

    def __init__(self, address: str, name: str | None = None):
        via = f"{name} resolves to" if name else "The URL leads to"
        super().__init__(f"{via} {address}, which is not a public address.")
        self.address = address


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    return address.teredo[1] if address.teredo is not None else None


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id or address.is_site_local:  # fec0::/10: deprecated, yet routed
            return False
        inner = _embedded_ipv4(address)
        if inner is not None and not is_public(inner):
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_link_local
        or address.is_loopback
        or address.is_unspecified
    )


def vet(host: str, allow_loopback: bool) -> None:
    """Raises AddressRefused unless ``host``, an IP literal, may be reached."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        raise AddressRefused(host) from None
    loopback = address.is_loopback or (
        isinstance(address, ipaddress.IPv6Address)
        and address.ipv4_mapped is not None
        and address.ipv4_mapped.is_loopback
    )
    if not (is_public(address) or (allow_loopback and loopback)):
        raise AddressRefused(str(address))


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def ends_in_number(host: str) -> bool:
    """Whether URL parsers and the system resolver read ``host`` as an IPv4 address, in
    whatever form: 2130706433, 0177.0.0.1, 127.1 and 0x7f.1 all mean 127.0.0.1 (the URL
    standard's "ends in a number" rule)."""
    return _NUMBER.fullmatch(host.rstrip(".").rsplit(".", 1)[-1]) is not None


class GuardedResolver(AbstractResolver):
    """Resolves with ``inner`` and refuses the name if any address it gives is not public.

    Refusing the whole name (not just its bad addresses) keeps a name that mixes public and
    private answers from reaching the private one on a retry.
    """

    def __init__(self, inner: AbstractResolver, allow_loopback: bool):
        self._inner = inner
        self._allow_loopback = allow_loopback

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            try:
                vet(result["host"], self._allow_loopback)
            except AddressRefused as error:
                raise AddressRefused(error.address, host) from None
        return results

    async def close(self) -> None:
        await self._inner.close()
