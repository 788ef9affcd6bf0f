"""The shared runner against the real broker: poison and failing messages are dead-lettered with
what is needed to replay them, the stage goes on, and offsets are committed after the outputs."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from aiokafka import TopicPartition

from devtools.broker import EmbeddedBroker
from services.kit.errors import TransientError
from services.kit.health import Health
from services.kit.kafka import Output, make_consumer, make_producer
from services.kit.models import DeadLetter, NewsItem
from services.kit.runner import Runner
from services.kit.settings import ConsumingStageSettings
from tests.support import Topics, read_to_end

pytestmark = pytest.mark.integration


def news(title: str) -> NewsItem:
    return NewsItem(
        article_id=title,
        url=f"https://x.test/{title}",
        link=f"https://x.test/{title}",
        feed_url="https://x.test/rss",
        title=title,
        fetched_at=datetime.now(UTC),
    )


async def test_poison_and_failures_go_to_the_dead_letter_topic(broker: EmbeddedBroker) -> None:
    topics = await Topics(broker.bootstrap).create(partitions=1)
    base = topics.settings
    settings = ConsumingStageSettings(
        **base.model_dump(include={"kafka_bootstrap_servers", "topic_items", "topic_articles", "topic_dlq"}),
        group_id=f"runner-{topics.suffix}",
        max_attempts=3,
        retry_backoff_s=0.01,
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
    )
    calls: Counter[str] = Counter()

    async def handler(item: NewsItem) -> Sequence[Output]:
        title = item.title or ""
        calls[title] += 1
        if title == "boom":
            raise ValueError("cannot handle this one")
        if title == "always-transient" or (title == "flaky" and calls[title] < 3):
            raise TransientError("dependency away")
        return [Output(settings.topic_articles, item.article_id, item)]

    inputs: list[tuple[bytes, bytes]] = [
        (b"k0", b"not json"),
        (b"k1", news("v2").model_dump_json().replace('"schema_version":1', '"schema_version":2').encode()),
        (b"k2", json.dumps({"schema_version": 1, "article_id": "x"}).encode()),
        (b"ok", news("ok").model_dump_json().encode()),
        (b"boom", news("boom").model_dump_json().encode()),
        (b"flaky", news("flaky").model_dump_json().encode()),
        (b"always", news("always-transient").model_dump_json().encode()),
        (b"k7", b"\xff\xfe binary"),
    ]
    producer = make_producer(settings)
    await producer.start()
    for key, value in inputs:
        await producer.send_and_wait(settings.topic_items, value, key=key)
    consumer = make_consumer(settings, group_id=settings.group_id)
    await consumer.start()
    try:
        runner: Runner[NewsItem] = Runner(
            stage="test",
            settings=settings,
            input_topic=settings.topic_items,
            input_model=NewsItem,
            handler=handler,
            consumer=consumer,
            producer=producer,
            health=Health("test", 60),
        )
        await asyncio.wait_for(runner.run(asyncio.Event(), max_messages=len(inputs)), 60)
        committed = await consumer.committed(TopicPartition(settings.topic_items, 0))
    finally:
        await consumer.stop()
        await producer.stop()

    assert committed == len(inputs)
    outputs = await read_to_end(broker.bootstrap, settings.topic_articles)
    assert sorted(r.key for r in outputs) == [b"flaky", b"ok"]
    assert calls["flaky"] == 3
    assert calls["boom"] == 1
    assert calls["always-transient"] == 3

    letters = {
        r.key: DeadLetter.model_validate_json(r.value) for r in await read_to_end(broker.bootstrap, settings.topic_dlq)
    }
    assert set(letters) == {b"k0", b"k1", b"k2", b"boom", b"always", b"k7"}
    for offset, (key, value) in enumerate(inputs):
        if key in letters:
            letter = letters[key]
            assert (letter.stage, letter.topic, letter.partition, letter.offset) == (
                "test",
                settings.topic_items,
                0,
                offset,
            )
            restored = letter.payload.encode() if letter.payload_encoding == "utf-8" else None
            assert restored == value or letter.payload_encoding == "base64"
    assert letters[b"k0"].error_type == "InvalidMessage"
    assert "Invalid JSON" in letters[b"k0"].error
    assert "schema_version" in letters[b"k1"].error
    assert "url" in letters[b"k2"].error
    assert (letters[b"boom"].error_type, letters[b"boom"].attempts, letters[b"boom"].retriable) == (
        "ValueError",
        1,
        False,
    )
    assert (letters[b"always"].attempts, letters[b"always"].retriable) == (3, True)
    assert letters[b"k7"].payload_encoding == "base64"
