from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from devtools.broker import free_port
from services.kit.httpfetch import HttpLimits, make_http_client
from services.parser.robots import RobotsCache
from tests.loopback import Origin

LIMITS = HttpLimits(user_agent="sitrep-test/1 (+https://sitrep.invalid)", max_bytes=64 * 1024, total_timeout_s=2)

ROBOTS = """\
User-agent: sitrep
Disallow: /private/
Disallow: /drafts

User-agent: *
Disallow: /
"""


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with make_http_client(LIMITS, allow_private_networks=True) as running:
        yield running


def serve_robots(origin: Origin, body: str | bytes, status: int = 200, delay_s: float = 0.0) -> None:
    async def robots(_: web.Request) -> web.Response:
        if delay_s:
            await asyncio.sleep(delay_s)
        return web.Response(body=body.encode() if isinstance(body, str) else body, status=status)

    origin.routes["/robots.txt"] = robots


def robots_fetches(origin: Origin) -> int:
    return origin.paths.count("/robots.txt")


async def test_sitrep_group_blocks_one_path_and_allows_another(origin: Origin, client: httpx.AsyncClient) -> None:
    serve_robots(origin, ROBOTS)
    cache = RobotsCache(client, LIMITS)
    assert not await cache.allowed(origin.base + "/private/report.html")
    assert not await cache.allowed(origin.base + "/drafts?id=3")
    assert await cache.allowed(origin.base + "/news/2026/03/04/odesa-strike")
    # The `*` group disallows everything, but a group naming us takes its place.
    assert await cache.allowed(origin.base + "/")


async def test_star_group_applies_without_a_sitrep_group(origin: Origin, client: httpx.AsyncClient) -> None:
    serve_robots(origin, "User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /search\n")
    cache = RobotsCache(client, LIMITS)
    assert not await cache.allowed(origin.base + "/search?q=kharkiv")
    assert await cache.allowed(origin.base + "/world/kharkiv-shelling")


async def test_bom_and_junk_lines_are_tolerated(origin: Origin, client: httpx.AsyncClient) -> None:
    body = b"\xef\xbb\xbfUser-agent: *\n<html>not robots</html>\n\xff\xfe garbage\nDisallow: /admin\n"
    serve_robots(origin, body)
    cache = RobotsCache(client, LIMITS)
    assert not await cache.allowed(origin.base + "/admin/users")
    assert await cache.allowed(origin.base + "/story")


@pytest.mark.parametrize("status", [401, 403, 404, 410])
async def test_4xx_allows_everything(origin: Origin, client: httpx.AsyncClient, status: int) -> None:
    serve_robots(origin, "User-agent: *\nDisallow: /\n", status=status)  # the body of an error is no robots.txt
    cache = RobotsCache(client, LIMITS)
    assert await cache.allowed(origin.base + "/anything")


async def test_missing_route_404_allows_everything(origin: Origin, client: httpx.AsyncClient) -> None:
    cache = RobotsCache(client, LIMITS)
    assert await cache.allowed(origin.base + "/anything")
    assert robots_fetches(origin) == 1


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_server_errors_disallow_then_retry(origin: Origin, client: httpx.AsyncClient, status: int) -> None:
    serve_robots(origin, "", status=status)
    cache = RobotsCache(client, LIMITS, ttl_s=0.2)  # failures are cached for min(ttl, 300 s)
    assert not await cache.allowed(origin.base + "/story")
    assert not await cache.allowed(origin.base + "/other")
    assert robots_fetches(origin) == 1
    await asyncio.sleep(0.3)
    serve_robots(origin, "User-agent: *\nDisallow:\n")
    assert await cache.allowed(origin.base + "/story")
    assert robots_fetches(origin) == 2


async def test_a_failure_after_a_good_answer_keeps_the_good_answer(origin: Origin, client: httpx.AsyncClient) -> None:
    serve_robots(origin, ROBOTS)
    cache = RobotsCache(client, LIMITS, ttl_s=0.1)
    assert await cache.allowed(origin.base + "/story")
    await asyncio.sleep(0.2)
    serve_robots(origin, "", status=503)
    assert await cache.allowed(origin.base + "/story")
    assert not await cache.allowed(origin.base + "/private/x")
    assert robots_fetches(origin) == 2


async def test_unreachable_origin_is_disallowed(client: httpx.AsyncClient) -> None:
    cache = RobotsCache(client, LIMITS)
    assert not await cache.allowed(f"http://127.0.0.1:{free_port()}/story")  # nothing listens there


async def test_timeout_is_disallowed(origin: Origin, client: httpx.AsyncClient) -> None:
    serve_robots(origin, "User-agent: *\nDisallow:\n", delay_s=1.0)
    limits = HttpLimits(user_agent=LIMITS.user_agent, total_timeout_s=0.2)
    cache = RobotsCache(client, limits)
    assert not await cache.allowed(origin.base + "/story")


async def test_oversized_robots_txt_is_disallowed(origin: Origin, client: httpx.AsyncClient) -> None:
    serve_robots(origin, "User-agent: *\nDisallow:\n" + "# padding\n" * 2000)
    cache = RobotsCache(client, LIMITS, max_bytes=1024)
    assert not await cache.allowed(origin.base + "/story")


async def test_fetched_once_for_many_urls(origin: Origin, client: httpx.AsyncClient) -> None:
    serve_robots(origin, ROBOTS)
    cache = RobotsCache(client, LIMITS)
    results = [await cache.allowed(f"{origin.base}/news/{i}") for i in range(20)]
    assert results == [True] * 20
    assert robots_fetches(origin) == 1


async def test_concurrent_calls_share_one_fetch(origin: Origin, client: httpx.AsyncClient) -> None:
    serve_robots(origin, ROBOTS, delay_s=0.1)  # keep the fetch in flight while the others arrive
    cache = RobotsCache(client, LIMITS)
    urls = [f"{origin.base}/news/{i}" for i in range(9)] + [origin.base + "/private/x"]
    results = await asyncio.gather(*(cache.allowed(url) for url in urls))
    assert results == [True] * 9 + [False]
    assert robots_fetches(origin) == 1


async def test_a_cancelled_caller_does_not_cancel_the_shared_fetch(origin: Origin, client: httpx.AsyncClient) -> None:
    serve_robots(origin, ROBOTS, delay_s=0.1)
    cache = RobotsCache(client, LIMITS)
    first = asyncio.create_task(cache.allowed(origin.base + "/a"))
    await asyncio.sleep(0.02)
    second = asyncio.create_task(cache.allowed(origin.base + "/b"))
    await asyncio.sleep(0.02)
    first.cancel()
    assert await second
    assert robots_fetches(origin) == 1


async def test_fetched_again_after_the_ttl(origin: Origin, client: httpx.AsyncClient) -> None:
    serve_robots(origin, ROBOTS)
    cache = RobotsCache(client, LIMITS, ttl_s=0.1)
    assert await cache.allowed(origin.base + "/a")
    assert await cache.allowed(origin.base + "/b")
    assert robots_fetches(origin) == 1
    await asyncio.sleep(0.2)
    serve_robots(origin, "User-agent: sitrep\nDisallow: /a\n")
    assert not await cache.allowed(origin.base + "/a")
    assert robots_fetches(origin) == 2


async def test_oldest_origins_are_dropped_past_the_cap(origin: Origin, client: httpx.AsyncClient) -> None:
    serve_robots(origin, ROBOTS)
    cache = RobotsCache(client, LIMITS, max_origins=2)
    assert await cache.allowed(origin.base + "/a")
    for _ in range(2):  # two more origins (nothing listens there: cached as failures)
        assert not await cache.allowed(f"http://127.0.0.1:{free_port()}/a")
    assert len(cache) == 2
    assert await cache.allowed(origin.base + "/b")  # evicted, so fetched again
    assert robots_fetches(origin) == 2


@pytest.mark.parametrize("url", ["ftp://example.test/file", "mailto:someone@example.test", "/relative/path", "http://"])
async def test_non_http_urls_are_not_allowed(client: httpx.AsyncClient, url: str) -> None:
    assert not await RobotsCache(client, LIMITS).allowed(url)
