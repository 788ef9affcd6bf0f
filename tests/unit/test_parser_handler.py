"""The parser's handler against a real loopback origin and a real extraction pool."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web

from services.kit.errors import FetchError
from services.kit.httpfetch import make_http_client
from services.kit.models import Article, NewsItem
from services.kit.urls import article_id
from services.parser.extract import ExtractorPool
from services.parser.handler import ParserHandler
from services.parser.settings import ParserSettings
from tests.loopback import Origin, Route

PAGE = (
    Path(__file__).resolve().parents[2] / "demo" / "pages" / "somalia-mogadishu-al-shabaab-bombing.html"
).read_text()
SETTINGS = ParserSettings(kafka_bootstrap_servers="unused:9092", allow_private_networks=True, fetch_attempts=2)


@pytest.fixture(scope="module")
def pool() -> Iterator[ExtractorPool]:
    extractor = ExtractorPool(workers=1, max_tasks=50, timeout_s=30)
    yield extractor
    extractor.close()


@pytest.fixture
async def handler(pool: ExtractorPool) -> AsyncIterator[ParserHandler]:
    async with make_http_client(ParserHandler.http_limits(SETTINGS), allow_private_networks=True) as client:
        yield ParserHandler(SETTINGS, client, pool)


def item(url: str, content: str | None = None) -> NewsItem:
    return NewsItem(
        article_id=article_id(url),
        url=url,
        link=url,
        feed_url="http://feeds.test/rss",
        title="Feed title",
        summary="A summary.",
        content=content,
        feed_language="en",
        fetched_at=datetime.now(UTC),
    )


async def parse(handler: ParserHandler, news: NewsItem) -> Article | None:
    outputs = await handler(news)
    assert all(o.topic == SETTINGS.topic_articles and o.key == news.article_id for o in outputs)
    return Article.model_validate(outputs[0].value) if outputs else None


async def test_page_text(handler: ParserHandler, origin: Origin) -> None:
    async def page(_: web.Request) -> web.Response:
        return web.Response(text=PAGE.replace("__BASE__", origin.base), content_type="text/html")

    origin.routes["/a"] = page
    article = await parse(handler, item(origin.base + "/a"))
    assert article is not None
    assert article.text_source == "page"
    assert article.fallback_reason is None
    assert "al-Shabaab" in article.text
    assert article.language == "en"
    assert article.author


async def test_bot_protection_falls_back_to_feed_content(handler: ParserHandler, origin: Origin) -> None:
    async def forbidden(_: web.Request) -> web.Response:
        return web.Response(status=403, text="Access denied")

    origin.routes["/blocked"] = forbidden
    article = await parse(handler, item(origin.base + "/blocked", content="Full text from the feed. " * 20))
    assert article is not None
    assert (article.text_source, article.fallback_reason) == ("feed", "http_4xx")
    assert article.text.startswith("Full text from the feed.")


async def test_non_html_is_skipped_without_feed_text(handler: ParserHandler, origin: Origin) -> None:
    async def pdf(_: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.7", content_type="application/pdf")

    origin.routes["/doc.pdf"] = pdf
    news = item(origin.base + "/doc.pdf").model_copy(update={"summary": None})
    assert await parse(handler, news) is None


async def test_retries_5xx_honouring_retry_after_then_succeeds(handler: ParserHandler, origin: Origin) -> None:
    calls = 0

    async def flaky(_: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return web.Response(status=503, headers={"Retry-After": "0"})
        return web.Response(text=PAGE.replace("__BASE__", origin.base), content_type="text/html")

    origin.routes["/flaky"] = flaky
    article = await parse(handler, item(origin.base + "/flaky"))
    assert calls == 2
    assert article is not None
    assert article.text_source == "page"


async def test_transient_failure_without_feed_text_is_raised_for_retry(handler: ParserHandler, origin: Origin) -> None:
    async def down(_: web.Request) -> web.Response:
        return web.Response(status=502, headers={"Retry-After": "0"})

    origin.routes["/down"] = down
    news = item(origin.base + "/down").model_copy(update={"summary": None})
    with pytest.raises(FetchError) as failed:
        await handler(news)
    assert failed.value.retriable
    assert failed.value.reason == "http_5xx"


async def test_guard_refusal_falls_back(pool: ExtractorPool, origin: Origin) -> None:
    guarded = ParserSettings(kafka_bootstrap_servers="unused:9092")
    async with make_http_client(ParserHandler.http_limits(guarded), allow_private_networks=False) as client:
        article = await parse(ParserHandler(guarded, client, pool), item(origin.base + "/x", content="Feed body " * 30))
    assert article is not None
    assert article.fallback_reason == "blocked_address"
    assert origin.paths == []


async def test_legacy_charset_page_and_the_length_cap(pool: ExtractorPool, origin: Origin) -> None:
    paragraph = "Російські війська вночі завдали ракетного удару по Харкову, пошкоджено енергетичну інфраструктуру."
    html = (
        '<html><head><meta charset="windows-1251"><title>Удар по Харкову</title></head><body><article>'
        + "".join(f"<p>{paragraph} ({n})</p>" for n in range(40))
        + "</article></body></html>"
    ).encode("windows-1251")

    async def page(_: web.Request) -> web.Response:
        return web.Response(body=html, headers={"Content-Type": "text/html"})

    origin.routes["/uk"] = page
    capped = ParserSettings(kafka_bootstrap_servers="unused:9092", allow_private_networks=True, max_text_chars=1000)
    async with make_http_client(ParserHandler.http_limits(capped), allow_private_networks=True) as client:
        article = await parse(ParserHandler(capped, client, pool), item(origin.base + "/uk"))
    assert article is not None
    assert article.text.startswith("Російські війська") and article.language == "uk"
    assert article.truncated and len(article.text) == 1000


async def test_robots_disallow_falls_back_to_feed_text(pool: ExtractorPool, origin: Origin) -> None:
    async def robots(_: web.Request) -> web.Response:
        return web.Response(text="User-agent: sitrep\nDisallow: /private/\n")

    origin.routes |= {"/robots.txt": robots, "/private/a": _page_route(origin)}
    async with make_http_client(ParserHandler.http_limits(SETTINGS), allow_private_networks=True) as client:
        article = await parse(
            ParserHandler(SETTINGS, client, pool), item(origin.base + "/private/a", "Feed text. " * 30)
        )
    assert article is not None
    assert (article.text_source, article.fallback_reason) == ("feed", "robots")
    assert "/private/a" not in origin.paths  # the page itself was never requested


async def test_index_pages_are_skipped_not_dead_lettered(handler: ParserHandler, origin: Origin) -> None:
    links = "".join(
        f'<li><a href="/2026/03/0{n % 9 + 1}/story-{n}">Headline number {n} about the front line</a></li>'
        for n in range(30)
    )
    listing = f"<html><head><title>Ukraine</title></head><body><h1>Ukraine</h1><ul>{links}</ul></body></html>"

    async def tag_page(_: web.Request) -> web.Response:
        return web.Response(text=listing, content_type="text/html")

    origin.routes["/tag/ukraine"] = tag_page
    assert await parse(handler, item(origin.base + "/tag/ukraine", content="Feed text. " * 30)) is None


async def test_a_short_page_gives_way_to_longer_feed_text(handler: ParserHandler, origin: Origin) -> None:
    async def stub(_: web.Request) -> web.Response:
        return web.Response(
            text="<html><body><article><p>Developing story.</p></article></body></html>", content_type="text/html"
        )

    origin.routes["/stub"] = stub
    article = await parse(handler, item(origin.base + "/stub", content="The full report from the feed. " * 20))
    assert article is not None
    assert (article.text_source, article.fallback_reason) == ("feed", "too_little_text")


async def test_paywalled_teaser_is_flagged(handler: ParserHandler, origin: Origin) -> None:
    teaser = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": false}</script>'
        "</head><body><article><h1>Exclusive: inside the siege</h1>"
        + "<p>Residents describe weeks of shelling and shortages in the besieged town, where aid has not arrived.</p>"
        * 3
        + "<p>Subscribe to continue reading.</p></article></body></html>"
    )

    async def gated(_: web.Request) -> web.Response:
        return web.Response(text=teaser, content_type="text/html")

    origin.routes["/gated"] = gated
    article = await parse(handler, item(origin.base + "/gated"))
    assert article is not None
    assert article.paywalled and article.text_source == "page"


def _page_route(origin: Origin) -> Route:
    async def page(_: web.Request) -> web.Response:
        return web.Response(text=PAGE.replace("__BASE__", origin.base), content_type="text/html")

    return page
