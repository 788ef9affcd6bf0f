"""Bounded HTTP GETs shared by the fetcher and the parser: a size cap enforced while streaming
(on decoded bytes, so a decompression bomb stops at the same cap), a total-time limit, redirects
followed up to a limit, and every failure classified for metrics and backoff.

Bodies are decoded here, not by httpx: its decoders expand each network chunk whole, and a few
hundred bytes of brotli expand to hundreds of megabytes (a 64 kB chunk of gzip to 64 MB) before
any cap can be checked. These stop producing output at the cap."""

from __future__ import annotations

import asyncio
import ssl
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

import brotli
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


class _TooLarge(Exception):
    pass


class _Inflate:
    """gzip or deflate (zlib-wrapped, or raw as some servers send it), at most `limit` bytes out."""

    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._started = False
        self._decompressor = zlib.decompressobj(wbits)

    def decode(self, data: bytes, limit: int) -> bytes:
        try:
            out = self._decompressor.decompress(data, limit + 1)
        except zlib.error:
            if self._started or self._wbits != zlib.MAX_WBITS:
                raise
            self._decompressor = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate
            out = self._decompressor.decompress(data, limit + 1)
        self._started = True
        if self._decompressor.unconsumed_tail:
            raise _TooLarge  # stopped at the limit with input left
        return out

    def flush(self) -> bytes:
        return self._decompressor.flush() if self._started else b""


class _Unbrotli:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes, limit: int) -> bytes:
        out: bytes = self._decompressor.process(data, output_buffer_limit=limit + 1)
        while not self._decompressor.can_accept_more_data():  # stopped at the buffer limit
            if len(out) > limit:
                raise _TooLarge
            out += self._decompressor.process(b"", output_buffer_limit=limit + 1 - len(out))
        return out

    def flush(self) -> bytes:
        return b""


_Decoder = _Inflate | _Unbrotli


def _decoders(content_encoding: str) -> list[_Decoder]:
    """Decoders for a Content-Encoding, in the order to apply them (the reverse of the header's)."""
    decoders: list[_Decoder] = []
    for coding in reversed([c.strip().lower() for c in content_encoding.split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip"):
            decoders.append(_Inflate(zlib.MAX_WBITS | 16))
        elif coding == "deflate":
            decoders.append(_Inflate(zlib.MAX_WBITS))
        elif coding == "br":
            decoders.append(_Unbrotli())
        elif coding != "identity":
            raise FetchError(f"unsupported content-encoding {coding!r}", reason="decoding")
    return decoders


def _decoded(decoders: list[_Decoder], data: bytes, limit: int, final: bool = False) -> bytes:
    """`data` through every decoder, each stopping (with _TooLarge) past `limit` bytes out."""
    for decoder in decoders:
        data = decoder.decode(data, limit) if data else b""
        if final:
            data += decoder.flush()
        if len(data) > limit:
            raise _TooLarge
    return data


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
                decoders = _decoders(response.headers.get("content-encoding", ""))
                body = bytearray()
                try:
                    async for chunk in response.aiter_raw():
                        body += _decoded(decoders, chunk, limits.max_bytes - len(body))
                        if len(body) > limits.max_bytes:
                            raise _TooLarge
                    body += _decoded(decoders, b"", limits.max_bytes - len(body), final=True)
                except _TooLarge:
                    raise FetchError(f"{url}: body exceeds {limits.max_bytes} bytes", reason="too_large") from None
                if len(body) > limits.max_bytes:
                    raise FetchError(f"{url}: body exceeds {limits.max_bytes} bytes", reason="too_large")
                return FetchedResponse(url, str(response.url), response.status_code, response.headers, bytes(body))
    except (FetchError, BlockedAddress):
        raise
    except (zlib.error, brotli.error) as exc:
        raise FetchError(f"{url}: decoding: {exc}", reason="decoding") from exc
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
