"""SIGTERM during load: each stage drains, commits and exits 0 within its Deployment's grace
period, and when it is started again nothing is reprocessed beyond the batch that was in flight.

Every input gives exactly one output under its own key, so outputs produced twice under one key are
inputs processed twice."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from devtools.broker import EmbeddedBroker
from devtools.feedserver import FeedServer
from services.kit.models import Article, NewsItem
from services.kit.urls import article_id, canonical_url
from tests.faults.scenario import NewsSite, TopicTail, duplicates, fault_env, grace_period_s, report, wait_until_ready
from tests.support import SHARED, Topics, read_to_end, spawn

pytestmark = pytest.mark.faults

BATCH = 32
PAGES = 150  # parser backlog (pages served from loopback) and fetcher load (feed entries)
ARTICLES = 3000  # classifier backlog
FEEDS = 5
TEXT = (SHARED / "samples" / "seed-article-russia-takes-on-isis.txt").read_text(encoding="utf-8")


async def produce(bootstrap: str, topic: str, messages: dict[str, bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20)
    await producer.start()
    try:
        for key, value in messages.items():
            await producer.send(topic, value, key=key.encode())
        await producer.flush()
    finally:
        await producer.stop()


def page_items(site: NewsSite, ids: set[str]) -> dict[str, bytes]:
    now = datetime.now(UTC)
    items = {}
    for n in range(site.published):
        url = canonical_url(site.page_url(n))
        item = NewsItem(article_id=article_id(url), url=url, link=url, feed_url=site.server.base, fetched_at=now)
        items[item.article_id] = item.model_dump_json().encode()
    assert set(items) == ids
    return items


def articles(count: int) -> dict[str, bytes]:
    now = datetime.now(UTC)
    out = {}
    for n in range(count):
        url = f"https://example.test/analysis/{n}"
        article = Article(
            article_id=article_id(url),
            url=url,
            feed_url="https://example.test/rss",
            title=f"Russia takes on ISIS ({n})",
            text=TEXT,
            text_source="page",
            fetched_at=now,
            extracted_at=now,
        )
        out[article.article_id] = article.model_dump_json().encode()
    return out


@pytest.mark.parametrize("stage_name", ["parser", "classifier", "fetcher"])
@pytest.mark.timeout(240)
async def test_sigterm_under_load_drains_commits_and_exits_0(
    broker: EmbeddedBroker, tmp_path: Path, stage_name: str
) -> None:
    grace_s = grace_period_s(stage_name)
    topics = await Topics(broker.bootstrap).create(partitions=2)
    settings = topics.settings
    server = await FeedServer().start()
    site = NewsSite(server, feeds=FEEDS)
    env = fault_env(topics, feeds_file=str(site.feeds_yaml(tmp_path)), batch_size=str(BATCH))
    if stage_name == "parser":
        expected = site.add(PAGES)
        await produce(broker.bootstrap, settings.topic_items, page_items(site, expected))
        output, bound = settings.topic_articles, BATCH
    elif stage_name == "classifier":
        backlog = articles(ARTICLES)
        expected = set(backlog)
        await produce(broker.bootstrap, settings.topic_articles, backlog)
        output, bound = settings.topic_enriched, BATCH
    else:
        expected = site.add(PAGES)
        # The fetcher's batch is a poll: one feed's new entries, published, then its state saved.
        output, bound = settings.topic_items, PAGES // FEEDS
    try:
        async with TopicTail(broker.bootstrap, output).running() as tail:
            stage = spawn(stage_name, env, tmp_path)
            await tail.wait_for_count(1, timeout_s=60)  # under load: outputs are coming out
            signalled = time.monotonic()
            first_code = await stage.terminate(timeout_s=grace_s)
            drain_s = time.monotonic() - signalled
            await asyncio.sleep(1.0)  # for the tail to read the last outputs; the count is reported, not asserted
            before = len(tail.keys)
            stage = spawn(stage_name, env, tmp_path)
            await tail.wait_for(expected, timeout_s=120)
            await wait_until_ready([stage])  # a SIGTERM before the stage's handlers are set kills it
            second_code = await stage.terminate(timeout_s=grace_s)
    finally:
        await server.stop()
    assert first_code == 0, f"{stage_name} exited {first_code} on SIGTERM"
    assert drain_s < grace_s
    keys = Counter(r.key.decode() for r in await read_to_end(broker.bootstrap, output) if r.key is not None)
    assert set(keys) == expected
    reprocessed = duplicates(keys)
    assert reprocessed <= bound
    assert second_code == 0
    assert await read_to_end(broker.bootstrap, settings.topic_dlq) == []
    report(
        f"sigterm-{stage_name}",
        inputs=len(expected),
        done_before_sigterm=before,
        exit_code=first_code,
        drain_s=round(drain_s, 2),
        grace_s=grace_s,
        reprocessed=reprocessed,
        bound=bound,
    )
