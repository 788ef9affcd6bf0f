"""SSRF guard shared by the fetcher and the parser.

Feeds and articles name arbitrary hosts; a hostile one could point sitrep at the cluster's own
services or a cloud metadata endpoint. The guard sits at the socket layer of httpx: every
connection (the first request and each redirect) resolves its host once, refuses it when any
address is loopback, private, link-local, multicast or reserved, and connects to the very address
it checked, so a DNS answer that changes between check and connect (rebinding) gains nothing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import typing

import httpcore
import httpx

from services.kit.errors import BlockedAddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def refusal(address: IPAddress) -> str | None:
    """Why this address must not be reached, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for attribute in ("is_loopback", "is_private", "is_link_local", "is_multicast", "is_reserved", "is_unspecified"):
        if getattr(address, attribute):
            return f"{address} {attribute.removeprefix('is_').replace('_', '-')}"
    if not address.is_global:
        return f"{address} not global"
    return None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"DNS: cannot resolve {host}: {exc}") from exc
        return [ipaddress.ip_address(info[4][0]) for info in infos]

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port, timeout)
        # One refused address refuses the host: a mixed answer is how rebinding attacks start.
        for address in addresses:
            reason = refusal(address)
            if reason is not None:
                raise BlockedAddress(f"refused {host}: {reason} (private networks are not allowed)")
        last_error: Exception | None = None
        for address in dict.fromkeys(addresses):
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("unix sockets are never reachable from fetched URLs")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the guard at its socket layer (and never a proxy, which would bypass it)."""

    def __init__(self, *, allow_private_networks: bool, limits: httpx.Limits) -> None:
        super().__init__(trust_env=False, limits=limits)
        if not allow_private_networks:
            # httpx exposes no network_backend option; rebuild its pool as its own __init__ does, plus the guard.
            self._pool = httpcore.AsyncConnectionPool(
                ssl_context=httpx.create_ssl_context(trust_env=False),
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry,
                network_backend=GuardedBackend(httpcore.AnyIOBackend()),
            )
