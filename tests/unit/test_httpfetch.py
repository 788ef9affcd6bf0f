from __future__ import annotations

import asyncio
import gzip

import pytest
from aiohttp import web

from devtools.broker import free_port
from services.kit.errors import FetchError
from services.kit.httpfetch import HttpLimits, fetch, make_http_client
from tests.loopback import Origin

LIMITS = HttpLimits(user_agent="sitrep-test/1 (+https://sitrep.invalid)", max_bytes=64 * 1024, total_timeout_s=2)


async def get(url: str, limits: HttpLimits = LIMITS) -> tuple[int, bytes]:
    async with make_http_client(limits, allow_private_networks=True) as client:
        response = await fetch(client, url, limits)
    return response.status, response.content


async def test_user_agent_and_decoding(origin: Origin) -> None:
    async def echo(request: web.Request) -> web.Response:
        body = gzip.compress(request.headers["User-Agent"].encode())
        return web.Response(body=body, headers={"Content-Encoding": "gzip"})

    origin.routes["/ua"] = echo
    assert await get(origin.base + "/ua") == (200, b"sitrep-test/1 (+https://sitrep.invalid)")


async def test_declared_length_over_the_cap(origin: Origin) -> None:
    async def big(_: web.Request) -> web.Response:
        return web.Response(body=b"x" * (LIMITS.max_bytes + 1))

    origin.routes["/big"] = big
    with pytest.raises(FetchError) as failed:
        await get(origin.base + "/big")
    assert failed.value.reason == "too_large"


async def test_streamed_body_over_the_cap(origin: Origin) -> None:
    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()  # chunked: no Content-Length to refuse up front
        await response.prepare(request)
        for _ in range(1000):
            await response.write(b"y" * 4096)
        return response

    origin.routes["/endless"] = endless
    with pytest.raises(FetchError) as failed:
        await get(origin.base + "/endless")
    assert failed.value.reason == "too_large"


async def test_decompression_bomb_stops_at_the_same_cap(origin: Origin) -> None:
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))
    assert len(bomb) < LIMITS.max_bytes

    async def serve(_: web.Request) -> web.Response:
        return web.Response(body=bomb, headers={"Content-Encoding": "gzip"})

    origin.routes["/bomb"] = serve
    with pytest.raises(FetchError) as failed:
        await get(origin.base + "/bomb")
    assert failed.value.reason == "too_large"


async def test_total_time_limit(origin: Origin) -> None:
    async def drip(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for _ in range(100):
            await response.write(b".")
            await asyncio.sleep(0.1)
        return response

    origin.routes["/drip"] = drip
    with pytest.raises(FetchError) as failed:
        await get(origin.base + "/drip", HttpLimits(user_agent="t", total_timeout_s=0.5))
    assert failed.value.reason == "timeout"
    assert failed.value.retriable


async def test_redirect_loop(origin: Origin) -> None:
    async def loop(_: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")

    origin.routes["/loop"] = loop
    with pytest.raises(FetchError) as failed:
        await get(origin.base + "/loop")
    assert failed.value.reason == "redirects"
    assert not failed.value.retriable


async def test_connection_refused_is_classified(origin: Origin) -> None:
    with pytest.raises(FetchError) as failed:
        await get(f"http://127.0.0.1:{free_port()}/")
    assert failed.value.reason == "connect"
    assert failed.value.retriable


def test_resolver_failures_are_classified_as_dns() -> None:
    # A real lookup would leave loopback, which tests must not; the guard's message is what is classified.
    import httpx

    from services.kit.httpfetch import _classify

    assert _classify(httpx.ConnectError("DNS: cannot resolve feeds.example: [Errno -2]")) == ("dns", True)
    assert _classify(httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")) == ("tls", False)
