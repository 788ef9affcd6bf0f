"""The fetcher process against hostile feeds and a poisoned state topic. Each feed ends in a
classified result on /feeds and in the metrics; the process stays alive, its log free of
tracebacks, and its memory under the limit of its Deployment."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.broker import EmbeddedBroker
from devtools.pipeline import StageProcess
from services.fetcher.entries import MAX_ENTRIES, MAX_TITLE_CHARS
from services.fetcher.state import MAX_STATE_BYTES
from services.kit.models import DeadLetter, NewsItem
from tests.hostile.memory import MemorySampler
from tests.hostile.server import CYRILLIC_TITLE, RETRY_AFTER_S, STAND_IN_HOST, HostileServer
from tests.hostile.stages import (
    assert_clean_log,
    dev_memory_limit_bytes,
    eventually,
    feeds,
    get,
    memory_limit_bytes,
    metric,
    produce_raw,
    report,
    stand_in_stage,
)
from tests.support import Topics, read_to_end, spawn

pytestmark = pytest.mark.integration

# path -> the poll's result: "ok", or the error's reason
EXPECTED = {
    "/feed/ok": "ok",
    "/feed/slow-drip": "timeout",
    "/feed/endless": "too_large",
    "/feed/gzip-bomb": "too_large",
    "/feed/deflate-bomb": "too_large",
    "/feed/br-bomb": "too_large",
    "/feed/redirect-loop": "redirects",
    "/feed/redirect-chain/20": "redirects",
    "/feed/redirect-chain/3": "ok",
    "/feed/wrong-charset": "ok",
    "/feed/invalid-charset": "ok",
    "/feed/invalid-bytes": "ok",
    "/feed/binary": "not_a_feed",
    "/feed/binary-as-html": "not_a_feed",
    "/feed/malformed-truncated": "ok",
    "/feed/malformed-garbage": "not_a_feed",
    "/feed/html-page": "not_a_feed",
    "/feed/deep-xml": "ok",
    "/feed/deep-json": "not_a_feed",
    "/feed/entity-bomb": "ok",
    "/feed/10k-items": "ok",
    "/feed/100k-items": "ok",
    "/feed/1mb-titles": "ok",
    "/feed/429-long": "http_429",
    "/feed/503-long": "http_5xx",
}


def write_feeds(path: Path, urls: list[str]) -> Path:
    path.write_text(yaml.safe_dump({"feeds": [{"url": url} for url in urls]}))
    return path


def poison_states(topic: str) -> list[tuple[bytes | None, bytes | None]]:
    oversized = json.dumps({"feed_url": "http://poison/oversized", "seen": ["k" * 64] * (MAX_STATE_BYTES // 60)})
    return [
        (b"http://poison/invalid-json", b'{"feed_url": "http://poison/invalid-json", "etag":'),
        (b"http://poison/binary", bytes(range(256)) * 16),
        (b"http://poison/wrong-schema-version", b'{"schema_version": 2, "feed_url": "http://poison/v2"}'),
        (b"http://poison/missing-fields", b'{"etag": "\\"x\\""}'),
        (b"http://poison/oversized", oversized.encode()),
    ]


@pytest.mark.timeout(240)
async def test_hostile_feeds_and_poisoned_state(broker: EmbeddedBroker, hostile: HostileServer, tmp_path: Path) -> None:
    topics = await Topics(broker.bootstrap).create(partitions=2)
    settings = topics.settings
    poison = poison_states(settings.topic_fetcher_state)
    await produce_raw(broker.bootstrap, settings.topic_fetcher_state, poison)
    urls = {hostile.base + path: path for path in EXPECTED}
    env = topics.env(
        feeds_file=str(write_feeds(tmp_path / "feeds.yaml", list(urls))),
        allow_private_networks="true",
        request_timeout_s="3",
        per_host_gap_s="0",
        per_host_concurrency="64",
        max_concurrency="64",
    )
    started = time.monotonic()
    fetcher = spawn("fetcher", env, tmp_path)
    try:
        with MemorySampler(fetcher.process.pid) as memory:

            async def all_polled() -> list[dict[str, Any]] | None:
                status = await feeds(fetcher)
                return status if all(f["last_result"] for f in status) and len(status) == len(urls) else None

            status = await eventually(all_polled, 150, "every feed polled once")
            text = await eventually(lambda: _metrics_when_dead_lettered(fetcher, len(poison)), 30, "dead letters")
            live, _ = await get(fetcher, "/livez")
        seconds = time.monotonic() - started
    finally:
        code = await fetcher.terminate()
    assert code == 0
    assert live == 200

    outcomes = {
        urls[f["url"]]: f["last_result"] if f["last_result"] != "error" else f["last_error_reason"] for f in status
    }
    assert outcomes == EXPECTED
    by_path = {urls[f["url"]]: f for f in status}
    for path in ("/feed/429-long", "/feed/503-long"):  # Retry-After outweighs the first failure's backoff
        assert by_path[path]["next_poll_in_s"] >= RETRY_AFTER_S - 120
    errors = Counter(reason for reason in EXPECTED.values() if reason != "ok")
    for reason, count in errors.items():
        assert metric(text, "sitrep_fetcher_errors_total", reason=reason) == count, reason
        assert metric(text, "sitrep_messages_failed_total", stage="fetcher", reason=reason) == count, reason
    assert metric(text, "sitrep_fetcher_entries_over_cap_total") == 100_000 - MAX_ENTRIES
    assert metric(text, "sitrep_fetcher_malformed_feeds_total") >= 1
    assert metric(text, "sitrep_fetcher_state_unreadable_total", reason="invalid_state") == 4
    assert metric(text, "sitrep_fetcher_state_unreadable_total", reason="too_large") == 1
    assert metric(text, "sitrep_messages_dead_lettered_total", stage="fetcher") == len(poison)

    items = [NewsItem.model_validate_json(r.value) for r in await read_to_end(broker.bootstrap, settings.topic_items)]
    per_feed = Counter(urls[i.feed_url] for i in items)
    assert per_feed["/feed/10k-items"] == 10_000
    assert per_feed["/feed/100k-items"] == MAX_ENTRIES
    assert per_feed["/feed/1mb-titles"] == 5
    titles = {urls[i.feed_url]: i.title or "" for i in items}
    assert all(len(i.title or "") == MAX_TITLE_CHARS for i in items if urls[i.feed_url] == "/feed/1mb-titles")
    assert titles["/feed/wrong-charset"] == CYRILLIC_TITLE
    assert titles["/feed/invalid-charset"] == CYRILLIC_TITLE
    assert "MARK" in titles["/feed/invalid-bytes"]
    assert len(titles["/feed/entity-bomb"]) < 100  # never expanded

    letters = [DeadLetter.model_validate_json(r.value) for r in await read_to_end(broker.bootstrap, settings.topic_dlq)]
    assert sorted(letter.key or "" for letter in letters) == sorted(k.decode() for k, _ in poison if k)
    for letter in letters:
        assert (letter.stage, letter.topic, letter.partition, letter.error_type) == (
            "fetcher",
            settings.topic_fetcher_state,
            0,
            "InvalidState",
        )
    oversized = next(letter for letter in letters if letter.key == "http://poison/oversized")
    assert oversized.payload_truncated and "too_large" in oversized.error
    # The poison keys are tombstoned, so compaction drops them and no replica reads them again.
    state = await read_to_end(broker.bootstrap, settings.topic_fetcher_state)
    tombstoned = {r.key for r in state if r.value is None}
    assert {k for k, _ in poison} <= tombstoned

    assert_clean_log(fetcher)
    limit = memory_limit_bytes("fetcher")
    report("fetcher", memory.peak_bytes, limit, dev_memory_limit_bytes("fetcher"), seconds)
    assert memory.peak_bytes < limit


async def _metrics_when_dead_lettered(stage: StageProcess, count: int) -> str | None:
    _, text = await get(stage, "/metrics")
    return text if metric(text, "sitrep_messages_dead_lettered_total", stage="fetcher") >= count else None


@pytest.mark.timeout(120)
async def test_guard_refuses_loopback_and_redirects_to_it(
    broker: EmbeddedBroker, hostile: HostileServer, tmp_path: Path
) -> None:
    topics = await Topics(broker.bootstrap).create(partitions=1)
    port = hostile.port
    expected = {
        f"http://127.0.0.1:{port}/feed/ok": "blocked_address",
        f"http://localhost:{port}/feed/ok?via=name": "blocked_address",
        f"http://[::ffff:127.0.0.1]:{port}/feed/ok?via=mapped": "blocked_address",
        f"{hostile.stand_in_base}/feed/redirect-to-refused": "blocked_address",
        f"{hostile.stand_in_base}/feed/ok?control": "ok",  # the stand-in itself is reachable
    }
    env = topics.env(feeds_file=str(write_feeds(tmp_path / "feeds.yaml", list(expected))), per_host_gap_s="0")
    fetcher = stand_in_stage("fetcher", env, tmp_path)
    try:

        async def all_polled() -> list[dict[str, Any]] | None:
            status = await feeds(fetcher)
            return status if all(f["last_result"] for f in status) and len(status) == len(expected) else None

        status = await eventually(all_polled, 60, "every feed polled once")
        _, text = await get(fetcher, "/metrics")
    finally:
        code = await fetcher.terminate()
    assert code == 0
    outcomes = {f["url"]: f["last_error_reason"] or f["last_result"] for f in status}
    assert outcomes == expected
    assert all("private networks are not allowed" in f["last_error"] for f in status if f["last_error"])
    assert metric(text, "sitrep_fetcher_errors_total", reason="blocked_address") == 4
    # The refused address never saw a request; the stand-in saw the redirect and the control.
    assert [h for h in hostile.hits if h.host != STAND_IN_HOST] == []
    assert hostile.hits_on("/feed/redirect-to-refused", STAND_IN_HOST) == 1
    assert_clean_log(fetcher)
