"""Bounded HTTP GETs shared by the fetcher and the parser: a size cap enforced while streaming
(on decoded bytes, so a decompression bomb stops at the same cap), a total-time limit, redirects
followed up to a limit, and every failure classified for metrics and backoff."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx

from services.kit.errors import BlockedAddress, FetchError
from services.kit.netguard import GuardedTransport


@dataclass(frozen=True)
class HttpLimits:
    user_agent: str
    max_bytes: int = 15 * 1024 * 1024
    total_timeout_s: float = 30.0
    connect_timeout_s: float = 10.0
    max_redirects: int = 5
    max_connections: int = 100
    # httpcore scans every pooled connection on each request, so a large idle pool costs CPU on
    # every poll; feeds are polled minutes apart, so idle connections are rarely reused anyway.
    max_keepalive: int = 16


@dataclass(frozen=True)
class FetchedResponse:
    url: str
    final_url: str
    status: int
    headers: httpx.Headers
    content: bytes


def make_http_client(limits: HttpLimits, *, allow_private_networks: bool) -> httpx.AsyncClient:
    pool = httpx.Limits(max_connections=limits.max_connections, max_keepalive_connections=limits.max_keepalive)
    return httpx.AsyncClient(
        transport=GuardedTransport(allow_private_networks=allow_private_networks, limits=pool),
        follow_redirects=True,
        max_redirects=limits.max_redirects,
        timeout=httpx.Timeout(limits.total_timeout_s, connect=limits.connect_timeout_s),
        headers={"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate, br"},
        trust_env=False,
    )


def _classify(exc: Exception) -> tuple[str, bool]:
    """(reason, retriable) for a transport failure."""
    if isinstance(exc, httpx.TooManyRedirects):
        return "redirects", False
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timeout", True
    if isinstance(exc, httpx.ConnectError):
        text = str(exc)
        cause = exc.__cause__ or exc.__context__
        if text.startswith("DNS:") or "Name or service not known" in text:
            return "dns", True
        if isinstance(cause, ssl.SSLError) or "SSL" in text or "certificate" in text:
            return "tls", False
        return "connect", True
    if isinstance(exc, httpx.DecodingError):
        return "decoding", False
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "bad_url", False
    return "network", True


async def fetch(
    client: httpx.AsyncClient, url: str, limits: HttpLimits, headers: Mapping[str, str] | None = None
) -> FetchedResponse:
    """GET `url` within `limits`. Any status comes back; transport failures raise FetchError."""
    try:
        async with asyncio.timeout(limits.total_timeout_s):
            async with client.stream("GET", url, headers=headers) as response:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limits.max_bytes:
                    raise FetchError(f"{url}: declares {declared} bytes, cap {limits.max_bytes}", reason="too_large")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > limits.max_bytes:
                        raise FetchError(f"{url}: body exceeds {limits.max_bytes} bytes", reason="too_large")
                return FetchedResponse(url, str(response.url), response.status_code, response.headers, bytes(body))
    except (FetchError, BlockedAddress):
        raise
    except (httpx.HTTPError, TimeoutError, ssl.SSLError) as exc:
        reason, retriable = _classify(exc)
        raise FetchError(f"{url}: {reason}: {exc or type(exc).__name__}", reason=reason, retriable=retriable) from exc


def seconds_until(value: str, now: datetime) -> float | None:
    """Seconds from now until an HTTP date; None when it is not one."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def retry_after_s(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds, from either of its forms (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    return float(value) if value.isdigit() else seconds_until(value, now)
