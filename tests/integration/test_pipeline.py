"""The whole path, for real: three stage processes, the embedded broker, feeds and pages served
from loopback; what arrives on the enriched topic is what is asserted."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from devtools.broker import EmbeddedBroker
from devtools.feedserver import FeedServer
from services.kit.models import EnrichedArticle, NewsItem
from services.kit.urls import article_id, canonical_url
from tests.support import SHARED, Topics, read_to_end, spawn, wait_for_records

pytestmark = pytest.mark.integration

SAMPLE = SHARED / "samples" / "seed-article-russia-takes-on-isis.txt"


def sample_page() -> str:
    """The shared sample article as a web page, with the boilerplate a real site carries."""
    lines = [line.strip() for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines[3:])
    return f"""<!doctype html><html lang="en"><head><title>Russia takes on ISIS</title>
<meta property="article:published_time" content="2017-08-21T09:00:00Z"></head><body>
<nav><a href="/">Home</a> <a href="/insights">Expert Insights</a> <a href="/about">About us</a></nav>
<article><h1>Russia takes on ISIS</h1><p class="date">August 21, 2017 | Expert Insights</p>
{body}</article><footer>Copyright 2017. All rights reserved. Privacy policy.</footer></body></html>"""


def rss(base: str, items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><title>{html.escape(title)}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<pubDate>Mon, 21 Aug 2017 09:00:00 GMT</pubDate><description>{html.escape(title)}</description></item>"
        for path, title in items
    )
    channel = f"<title>Analysis</title><link>{base}/</link>{entries}"
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{channel}</channel></rss>'


def page_ids(server: FeedServer) -> set[str]:
    return {article_id(canonical_url(server.base + path)) for path in server.resources if path.startswith("/pages/")}


@pytest.mark.timeout(300)
async def test_feeds_to_enriched_exactly_once_then_304_then_new_item(
    broker: EmbeddedBroker, feed_server: FeedServer, tmp_path: Path
) -> None:
    topics = await Topics(broker.bootstrap).create()
    server = feed_server
    server.put("/pages/russia-takes-on-isis.html", sample_page(), "text/html; charset=utf-8")
    analysis = [("/pages/russia-takes-on-isis.html", "Russia takes on ISIS")]
    server.put("/feeds/analysis.rss.xml", rss(server.base, analysis), "application/rss+xml")
    feeds = sorted(p for p in server.resources if p.startswith("/feeds/"))
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text(server.feeds_yaml(feeds))
    env = topics.env(feeds_file=str(feeds_file), allow_private_networks="true")
    settings = topics.settings
    stages = [spawn("parser", env, tmp_path), spawn("classifier", env, tmp_path)]
    try:
        # First poll: every article, exactly once, though one is carried by two feeds.
        assert await spawn("fetcher", env, tmp_path, "--once").wait(60) == 0
        expected = page_ids(server)
        assert len(expected) == 11
        arrived = await wait_for_records(broker.bootstrap, settings.topic_enriched, len(expected), timeout_s=90)
        enriched = [EnrichedArticle.model_validate_json(r.value) for r in arrived]
        assert {a.article_id for a in enriched} == expected
        assert all(
            r.key is not None and r.key.decode() == EnrichedArticle.model_validate_json(r.value).article_id
            for r in arrived
        )

        sample = next(a for a in enriched if a.url.endswith("russia-takes-on-isis.html"))
        assert sample.text_source == "page"
        assert "Deir ez-Zor" in sample.text
        assert "Skip to main content" not in sample.text
        assert sample.theaters[0].country_code == "SY"
        actor_countries = {(a.country_code, a.actor_type) for a in sample.actors}
        assert ("RU", "State forces") in actor_countries
        assert ("SY", "State forces") in actor_countries
        assert any("Islamic State" in a.name or "ISIS" in a.name for a in sample.actors)
        assert (sample.events[0].event_type, sample.events[0].sub_event_type) == (
            "Explosions/Remote violence",
            "Air/drone strike",
        )

        # Second poll, by a new fetcher process: answered 304, nothing new published.
        hits_before = len(server.hits)
        assert await spawn("fetcher", env, tmp_path, "--once").wait(60) == 0
        second = [h for h in server.hits[hits_before:] if h.path.startswith("/feeds/")]
        assert len(second) == len(feeds)
        assert all(h.status == 304 and h.conditional for h in second)

        # An item added later arrives, and only it.
        server.put("/pages/late.html", sample_page().replace("Russia takes on ISIS", "Late report"), "text/html")
        analysis.append(("/pages/late.html", "Late report"))
        server.put("/feeds/analysis.rss.xml", rss(server.base, analysis), "application/rss+xml")
        assert await spawn("fetcher", env, tmp_path, "--once").wait(60) == 0
        arrived = await wait_for_records(broker.bootstrap, settings.topic_enriched, len(expected) + 1, timeout_s=60)
        late = {EnrichedArticle.model_validate_json(r.value).article_id for r in arrived} - expected
        assert late == {article_id(canonical_url(server.base + "/pages/late.html"))}
    finally:
        codes = [await stage.terminate() for stage in stages]
    assert codes == [0, 0]
    # Read with the stages stopped (the end markers would otherwise be inputs to them).
    # Each article was published once over three fetcher runs, and enriched once.
    items = [NewsItem.model_validate_json(r.value) for r in await read_to_end(broker.bootstrap, settings.topic_items)]
    assert sorted(i.article_id for i in items) == sorted(expected | late)
    enriched_ids = [r.key for r in await read_to_end(broker.bootstrap, settings.topic_enriched)]
    assert sorted(k.decode() for k in enriched_ids if k) == sorted(expected | late)
    assert await read_to_end(broker.bootstrap, settings.topic_dlq) == []
