"""The parser process fed items whose pages misbehave, and poison on its input topic. Each item
ends as a page article, a flagged fallback to the feed's text, a skip with a reason, or a dead
letter; every poison message is dead-lettered; the stage goes on, its log free of tracebacks and
its memory (workers included) under the limit of its Deployment."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devtools.broker import EmbeddedBroker
from devtools.pipeline import StageProcess
from services.kit.models import Article, DeadLetter, NewsItem
from services.kit.urls import article_id, canonical_url
from services.parser.settings import ParserSettings
from tests.hostile.poison import poison_records
from tests.hostile.server import STAND_IN_HOST, HostileServer
from tests.hostile.stages import (
    assert_clean_log,
    dev_memory_limit_bytes,
    eventually,
    get,
    memory_limit_bytes,
    metric,
    produce_raw,
    report,
    run_until_processed,
    stand_in_stage,
)
from tests.support import Topics, read_to_end

pytestmark = pytest.mark.integration

FEED_TEXT = "The feed's own summary of the report, used when the page cannot serve."
MAX_MESSAGE_BYTES = ParserSettings.model_fields["max_message_bytes"].default  # 4 MiB, left as deployed

# (path, whether the item carries feed text) -> outcome: "page", "feed:<fallback reason>",
# "skip:<reason>" or "dlq:<reason>"
CASES: dict[tuple[str, bool], str] = {
    ("/page/ok", True): "page",
    ("/page/slow-drip", True): "feed:timeout",
    ("/page/endless", True): "feed:too_large",
    ("/page/gzip-bomb", True): "feed:too_large",
    ("/page/deflate-bomb", True): "feed:too_large",
    ("/page/br-bomb", True): "feed:too_large",
    ("/page/redirect-loop", True): "feed:redirects",
    ("/page/redirect-chain/20", True): "feed:redirects",
    ("/page/redirect-chain/3", True): "page",
    ("/page/wrong-charset", True): "page",
    ("/page/invalid-charset", True): "page",
    ("/page/binary", True): "feed:no_text",
    ("/page/binary-as-html", True): "feed:no_text",
    ("/page/malformed-html", True): "page",
    ("/page/deep-html", True): "feed:no_text",
    ("/page/429-then-ok", True): "page",
    ("/page/429-long", True): "feed:http_429",
    ("/page/503-long", True): "feed:http_5xx",
    ("/page/gzip-bomb", False): "skip:too_large",
    ("/page/binary-as-html", False): "skip:no_text",
    ("/page/slow-drip", False): "dlq:timeout",
}


def item(url: str, title: str, summary: str | None) -> NewsItem:
    canonical = canonical_url(url)
    return NewsItem(
        article_id=article_id(canonical),
        url=canonical,
        link=url,
        feed_url="http://127.0.0.1/hostile-feed",
        title=title,
        summary=summary,
        fetched_at=datetime.now(UTC),
    )


async def processed(stage: StageProcess, count: int) -> str | None:
    """The stage's metrics once `count` inputs are done (outputs or dead letter acknowledged)."""
    _, text = await get(stage, "/metrics")
    return text if metric(text, "sitrep_processing_seconds_count", stage="parser") >= count else None


@pytest.mark.timeout(180)
async def test_hostile_pages_and_poison_items(broker: EmbeddedBroker, hostile: HostileServer, tmp_path: Path) -> None:
    topics = await Topics(broker.bootstrap).create(partitions=1)
    settings = topics.settings
    items = {
        case: item(f"{hostile.base}{case[0]}?with_feed_text={case[1]}", f"Case {case}", FEED_TEXT if case[1] else None)
        for case in CASES
    }
    huge_title = item(f"{hostile.base}/page/ok?case=huge-title", "T" * 1024 * 1024, None)
    last = item(f"{hostile.base}/page/ok?case=last", "Still working after all that", None)
    poison = poison_records(last.model_dump_json().encode(), MAX_MESSAGE_BYTES)
    records: list[tuple[bytes | None, bytes | None]] = [
        (i.article_id.encode(), i.model_dump_json().encode()) for i in [*items.values(), huge_title]
    ]
    records += [(p.key, p.value) for p in poison]
    records.append((last.article_id.encode(), last.model_dump_json().encode()))
    await produce_raw(broker.bootstrap, settings.topic_items, records)
    env = topics.env(
        allow_private_networks="true",
        per_host_gap_s="0",
        per_host_concurrency="32",
        page_timeout_s="2",
        workers="2",  # as deploy/base/parser.yaml
        max_attempts="2",
        retry_backoff_s="0.1",
    )
    run = await run_until_processed("parser", env, tmp_path, len(records))
    parser, text = run.stage, run.metrics

    articles = {
        a.article_id: a
        for a in (
            Article.model_validate_json(r.value) for r in await read_to_end(broker.bootstrap, settings.topic_articles)
        )
    }
    letters = {
        letter.key: letter
        for letter in (
            DeadLetter.model_validate_json(r.value) for r in await read_to_end(broker.bootstrap, settings.topic_dlq)
        )
    }
    outcomes = {}
    for case, news in items.items():
        if (article := articles.get(news.article_id)) is not None:
            outcomes[case] = "page" if article.text_source == "page" else f"feed:{article.fallback_reason}"
        elif (letter := letters.get(news.article_id)) is not None:
            outcomes[case] = f"dlq:{letter.error.split(': ')[1]}"
        else:
            outcomes[case] = "skip"
    assert {c: o.split(":")[0] if o.startswith("skip") else o for c, o in CASES.items()} == outcomes

    page = {path: articles[items[(path, True)].article_id] for path, _ in CASES if (path, True) in items}
    assert "Харькова" in page["/page/wrong-charset"].text
    assert "Харькова" in page["/page/invalid-charset"].text
    assert "Artillery shelling" in page["/page/malformed-html"].text
    assert hostile.hits_on("/page/429-then-ok") == 2  # the short Retry-After was waited out
    assert all(a.text == FEED_TEXT for a in articles.values() if a.text_source == "feed")
    assert len(articles[huge_title.article_id].title or "") == 1024 * 1024
    assert articles[last.article_id].text_source == "page"

    fallbacks = Counter(o.split(":")[1] for o in CASES.values() if o.startswith("feed:"))
    for reason, count in fallbacks.items():
        assert metric(text, "sitrep_parser_feed_fallbacks_total", reason=reason) == count, reason
    for reason in ("too_large", "no_text"):
        assert metric(text, "sitrep_messages_skipped_total", stage="parser", reason=reason) == 1, reason
    assert metric(text, "sitrep_messages_dead_lettered_total", stage="parser", reason="timeout") == 1
    assert metric(text, "sitrep_messages_failed_total", stage="parser", reason="timeout") == 2  # both attempts
    assert metric(text, "sitrep_messages_dead_lettered_total", stage="parser", reason="invalid_message") == len(poison)
    assert metric(text, "sitrep_messages_failed_total", stage="parser", reason="invalid_message") == len(poison)

    timed_out = letters[items[("/page/slow-drip", False)].article_id]
    assert (timed_out.error_type, timed_out.retriable, timed_out.attempts) == ("FetchError", True, 2)
    offsets = {key: offset for offset, (key, _) in enumerate(records)}
    for p in poison:
        letter = letters[p.key.decode()]
        assert (letter.stage, letter.error_type, letter.topic, letter.partition) == (
            "parser",
            "InvalidMessage",
            settings.topic_items,
            0,
        )
        assert letter.offset == offsets[p.key]
        assert p.error in letter.error, (p.case, letter.error)
        if letter.payload_encoding == "utf-8" and not letter.payload_truncated:
            assert letter.payload.encode() == (p.value or b"")
    assert letters["poison-oversized"].payload_truncated
    assert letters["poison-binary"].payload_encoding == "base64"

    assert_clean_log(parser)
    limit = memory_limit_bytes("parser")
    report("parser", run.peak_bytes, limit, dev_memory_limit_bytes("parser"), run.seconds)
    assert run.peak_processes >= 3  # the stage and its two extraction workers were measured
    assert run.peak_bytes < limit


@pytest.mark.timeout(120)
async def test_guard_refuses_loopback_pages_and_redirects_to_them(
    broker: EmbeddedBroker, hostile: HostileServer, tmp_path: Path
) -> None:
    topics = await Topics(broker.bootstrap).create(partitions=1)
    port = hostile.port
    expected = {
        f"http://127.0.0.1:{port}/page/ok": "feed:blocked_address",
        f"http://localhost:{port}/page/ok?case=via-name": "feed:blocked_address",
        f"{hostile.stand_in_base}/page/redirect-to-refused": "feed:blocked_address",
        f"{hostile.stand_in_base}/page/ok?case=control": "page",
    }
    items = {url: item(url, url, FEED_TEXT) for url in expected}
    await produce_raw(
        broker.bootstrap,
        topics.settings.topic_items,
        [(i.article_id.encode(), i.model_dump_json().encode()) for i in items.values()],
    )
    parser = stand_in_stage("parser", topics.env(per_host_gap_s="0", workers="1"), tmp_path)
    try:
        text = await eventually(lambda: processed(parser, len(items)), 60, "every input processed")
    finally:
        code = await parser.terminate()
    assert code == 0
    articles = {
        a.article_id: a
        for a in (
            Article.model_validate_json(r.value)
            for r in await read_to_end(broker.bootstrap, topics.settings.topic_articles)
        )
    }
    outcomes = {
        url: "page" if (a := articles[i.article_id]).text_source == "page" else f"feed:{a.fallback_reason}"
        for url, i in items.items()
    }
    assert outcomes == expected
    assert metric(text, "sitrep_parser_feed_fallbacks_total", reason="blocked_address") == 3
    assert [h for h in hostile.hits if h.host != STAND_IN_HOST] == []
    assert hostile.hits_on("/page/redirect-to-refused", STAND_IN_HOST) == 1
    assert_clean_log(parser)
