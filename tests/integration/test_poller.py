"""The poller against a loopback origin and the real broker: conditional GET, every server hint
in the schedule, each error class and its backoff, broken and stale feeds, per-feed metrics."""

from __future__ import annotations

import asyncio
import gzip
import ssl
import subprocess
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import brotli
import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest

from devtools.broker import EmbeddedBroker, free_port
from services.fetcher.feeds import FeedSpec
from services.fetcher.metrics import FeedMetrics
from services.fetcher.poller import Poller
from services.fetcher.settings import FetcherSettings
from services.fetcher.state import StateStore
from services.kit.health import Health
from services.kit.httpfetch import make_http_client
from services.kit.kafka import make_producer
from tests.loopback import Origin
from tests.support import Topics

pytestmark = pytest.mark.integration


def rss(items: int = 1, *, ttl: int | None = None, age: timedelta = timedelta(0)) -> str:
    when = format_datetime(datetime.now(UTC) - age, usegmt=True)
    entries = "".join(
        f"<item><title>T{n}</title><link>https://news.example/{n}</link><pubDate>{when}</pubDate></item>"
        for n in range(items)
    )
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl else ""
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{ttl_tag}{entries}</channel></rss>'


@pytest.fixture
async def poller(broker: EmbeddedBroker) -> AsyncIterator[Poller]:
    topics = await Topics(broker.bootstrap).create(partitions=1)
    settings = FetcherSettings(
        **topics.settings.model_dump(include={"kafka_bootstrap_servers", "topic_items", "topic_fetcher_state"}),
        allow_private_networks=True,
        per_host_gap_s=0,
        poll_interval_s=900,
        min_interval_s=300,
        max_interval_s=86400,
        max_backoff_s=86400,
        broken_after_failures=3,
        request_timeout_s=2,
    )
    producer = make_producer(settings)
    await producer.start()
    store = StateStore(settings, producer)
    await store.start()
    await store.take_over({0})
    async with make_http_client(Poller.http_limits(settings), allow_private_networks=True) as client:
        yield Poller(settings, store, client, producer, Health("fetcher", 60))
    await store.stop()
    await producer.stop()


async def poll(poller: Poller, url: str) -> None:
    spec = FeedSpec(url=url)
    poller.set_feeds([*(s.spec for s in poller.status.values() if s.spec.url != url), spec])
    await poller.poll(spec)


async def test_conditional_get_updates_each_validator_on_its_own(poller: Poller, origin: Origin) -> None:
    seen: list[dict[str, str]] = []
    answers = iter(
        [
            (200, {"ETag": '"v1"', "Last-Modified": "Mon, 02 Mar 2026 10:00:00 GMT"}),
            (200, {"ETag": '"v2"'}),  # Last-Modified unchanged: only the ETag moves on
            (304, {}),
        ]
    )

    async def feed(request: web.Request) -> web.Response:
        seen.append({k: v for k, v in request.headers.items() if k.startswith("If-")})
        status, headers = next(answers)
        return web.Response(status=status, text=rss() if status == 200 else None, headers=headers)

    origin.routes["/f"] = feed
    url = origin.base + "/f"
    for _ in range(3):
        await poll(poller, url)
    assert seen == [
        {},
        {"If-None-Match": '"v1"', "If-Modified-Since": "Mon, 02 Mar 2026 10:00:00 GMT"},
        {"If-None-Match": '"v2"', "If-Modified-Since": "Mon, 02 Mar 2026 10:00:00 GMT"},
    ]
    assert poller.status[url].last_result == "not_modified"
    assert poller.status[url].items_published == 1


async def test_304_without_validators_publishes_nothing(poller: Poller, origin: Origin) -> None:
    async def odd(_: web.Request) -> web.Response:
        return web.Response(status=304)

    origin.routes["/odd"] = odd
    await poll(poller, origin.base + "/odd")
    status = poller.status[origin.base + "/odd"]
    assert (status.last_result, status.items_published, status.consecutive_failures) == ("not_modified", 0, 0)


@pytest.mark.parametrize(
    ("headers", "ttl", "at_least"),
    [
        ({"Cache-Control": "public, max-age=7200"}, None, 7200),
        ({"Expires": "+3h"}, None, 3 * 3600 - 60),  # made absolute when served
        ({}, 240, 240 * 60),
    ],
    ids=["max-age", "expires", "rss-ttl"],
)
async def test_interval_is_never_shorter_than_the_server_asks(
    poller: Poller, origin: Origin, headers: dict[str, str], ttl: int | None, at_least: float
) -> None:
    async def feed(_: web.Request) -> web.Response:
        served = dict(headers)
        if served.get("Expires") == "+3h":
            served["Expires"] = format_datetime(datetime.now(UTC) + timedelta(hours=3), usegmt=True)
        return web.Response(text=rss(ttl=ttl), headers=served)

    origin.routes["/hinted"] = feed
    await poll(poller, origin.base + "/hinted")
    interval = poller.status[origin.base + "/hinted"].interval_s
    assert interval is not None and at_least <= interval < 86400 + 1


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_is_honoured(poller: Poller, origin: Origin, status: int) -> None:
    async def busy(_: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Retry-After": "5400"})

    origin.routes["/busy"] = busy
    await poll(poller, origin.base + "/busy")
    feed = poller.status[origin.base + "/busy"]
    assert feed.last_error_reason == ("http_429" if status == 429 else "http_5xx")
    assert feed.interval_s is not None and feed.interval_s >= 5400


async def test_learnt_interval_follows_the_feed_and_the_operator_overrides_it(poller: Poller, origin: Origin) -> None:
    hourly = "".join(
        f"<item><title>T{n}</title><link>https://news.example/h{n}</link>"
        f"<pubDate>{format_datetime(datetime.now(UTC) - timedelta(hours=n), usegmt=True)}</pubDate></item>"
        for n in range(10)
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>H</title>{hourly}</channel></rss>'

    async def feed(_: web.Request) -> web.Response:
        return web.Response(text=body)

    origin.routes["/hourly"] = feed
    url = origin.base + "/hourly"
    await poll(poller, url)
    assert poller.status[url].interval_s == pytest.approx(1800, rel=0.01)  # half the hourly rhythm
    fixed = FeedSpec(url=url, interval_seconds=120)
    poller.set_feeds([fixed])
    await poller.poll(fixed)
    assert poller.status[url].interval_s == 120


async def test_failures_back_off_then_mark_the_feed_broken(poller: Poller, origin: Origin) -> None:
    async def gone(_: web.Request) -> web.Response:
        return web.Response(status=500)

    origin.routes["/gone"] = gone
    url = origin.base + "/gone"
    intervals = []
    for _ in range(4):
        await poll(poller, url)
        intervals.append(poller.status[url].interval_s or 0)
    assert intervals[0] >= 900 * 0.8 and intervals[3] >= 900 * 8 * 0.8  # doubling, with jitter
    assert intervals == sorted(intervals)
    assert poller.status[url].broken and poller.status[url].consecutive_failures == 4
    origin.routes["/gone"] = _rss_handler
    await poll(poller, url)
    assert not poller.status[url].broken and poller.status[url].consecutive_failures == 0


async def _rss_handler(_: web.Request) -> web.Response:
    return web.Response(text=rss())


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        ("/missing", "http_4xx"),
        ("/empty", "empty_body"),
        ("/html", "not_a_feed"),
        ("/huge", "too_large"),
        ("/slow", "timeout"),
    ],
)
async def test_error_classes(poller: Poller, origin: Origin, route: str, reason: str) -> None:
    async def empty(_: web.Request) -> web.Response:
        return web.Response(text="")

    async def html(_: web.Request) -> web.Response:
        return web.Response(text="<html><body>Welcome</body></html>", content_type="text/html")

    async def huge(_: web.Request) -> web.Response:
        return web.Response(body=b"<rss>" + b" " * (16 * 1024 * 1024))

    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(text=rss())

    origin.routes |= {"/empty": empty, "/html": html, "/huge": huge, "/slow": slow}
    await poll(poller, origin.base + route)
    assert poller.status[origin.base + route].last_error_reason == reason


async def test_connection_refused(poller: Poller) -> None:
    url = f"http://127.0.0.1:{free_port()}/feed"
    await poll(poller, url)
    assert poller.status[url].last_error_reason == "connect"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
async def test_compressed_feeds(poller: Poller, origin: Origin, encoding: str) -> None:
    raw = rss(3).encode()
    body = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[encoding](raw)

    async def feed(_: web.Request) -> web.Response:
        return web.Response(body=body, headers={"Content-Encoding": encoding, "Content-Type": "application/rss+xml"})

    origin.routes["/z"] = feed
    await poll(poller, origin.base + "/z")
    assert poller.status[origin.base + "/z"].last_result == "ok"


async def test_stale_feed_and_per_feed_metrics(poller: Poller, origin: Origin) -> None:
    async def old(_: web.Request) -> web.Response:
        return web.Response(text=rss(age=timedelta(days=45)))

    async def fresh(_: web.Request) -> web.Response:
        return web.Response(text=rss(), headers={"ETag": '"x"'})

    origin.routes |= {"/old": old, "/fresh": fresh}
    await poll(poller, origin.base + "/old")
    await poll(poller, origin.base + "/fresh")
    assert poller.is_stale(origin.base + "/old") and not poller.is_stale(origin.base + "/fresh")
    registry = CollectorRegistry()
    registry.register(FeedMetrics(poller))
    text = generate_latest(registry).decode()
    assert f'sitrep_feed_stale{{feed="{origin.base}/old"}} 1.0' in text
    assert f'sitrep_feed_polls_total{{feed="{origin.base}/fresh",result="ok"}} 1.0' in text
    assert f'sitrep_feed_newest_item_age_seconds{{feed="{origin.base}/old"}}' in text
    assert f'sitrep_feed_last_success_timestamp_seconds{{feed="{origin.base}/fresh"}}' in text
    assert "sitrep_fetcher_feeds_stale 1.0" in text
    status = {f["url"]: f for f in poller.feeds_status()}
    assert status[origin.base + "/old"]["stale"] and status[origin.base + "/fresh"]["etag"] == '"x"'


@pytest.fixture
def tls_origin(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, cert


async def test_untrusted_certificate_is_a_tls_error(poller: Poller, tls_origin: tuple[ssl.SSLContext, Path]) -> None:
    context, _ = tls_origin
    app = web.Application()
    app.router.add_get("/f", _rss_handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port, ssl_context=context).start()
    try:
        await poll(poller, f"https://127.0.0.1:{port}/f")
    finally:
        await runner.cleanup()
    assert poller.status[f"https://127.0.0.1:{port}/f"].last_error_reason == "tls"
