"""Helpers the integration tests share: per-test topics on the session's broker, and reading a
topic to its end (by marker, since the embedded broker's end offsets are wrong)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from devtools.pipeline import StageProcess, stage_env
from devtools.topics import create_topics
from services.kit.settings import StageSettings

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
MARKER = b"__test_end_marker__"


@dataclass
class Topics:
    """A test's own topic names and the environment that points the stages at them."""

    bootstrap: str
    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    @property
    def settings(self) -> StageSettings:
        return StageSettings(
            kafka_bootstrap_servers=self.bootstrap,
            topic_items=f"news.items.{self.suffix}",
            topic_articles=f"news.articles.{self.suffix}",
            topic_enriched=f"news.enriched.{self.suffix}",
            topic_dlq=f"news.dlq.{self.suffix}",
            topic_fetcher_state=f"sitrep.fetcher.state.{self.suffix}",
        )

    def env(self, **extra: str) -> dict[str, str]:
        s = self.settings
        return stage_env(
            self.bootstrap,
            topic_items=s.topic_items,
            topic_articles=s.topic_articles,
            topic_enriched=s.topic_enriched,
            topic_dlq=s.topic_dlq,
            topic_fetcher_state=s.topic_fetcher_state,
            group_id=f"test-{self.suffix}",
            session_timeout_ms="6000",
            heartbeat_interval_ms="500",
            **extra,
        )

    async def create(self, partitions: int = 2) -> Topics:
        await create_topics(self.settings, partitions)
        return self


def spawn(stage: str, env: dict[str, str], log_dir: Path, *args: str) -> StageProcess:
    # Stages share a group id per test, so each stage gets its own.
    return StageProcess(stage, env | {"SITREP_GROUP_ID": f"{env['SITREP_GROUP_ID']}-{stage}"}, log_dir, args)


async def read_to_end(bootstrap: str, topic: str, timeout_s: float = 30.0) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record now in `topic`: writes an end marker to each partition and reads up to it."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        partitions = sorted(await producer.partitions_for(topic))
        for partition in partitions:
            await producer.send_and_wait(topic, MARKER, key=MARKER, partition=partition)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        assigned = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        waiting = set(partitions)
        async with asyncio.timeout(timeout_s):
            while waiting:
                for tp, batch in (await consumer.getmany(timeout_ms=500)).items():
                    for record in batch:
                        if record.key == MARKER:
                            waiting.discard(tp.partition)
                        else:
                            records.append(record)
    finally:
        await consumer.stop()
    return records


async def wait_for_records(
    bootstrap: str, topic: str, count: int, timeout_s: float
) -> list[ConsumerRecord[bytes, bytes]]:
    """Reads `topic` from the start until `count` records have arrived (or fails after timeout_s)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        async with asyncio.timeout(timeout_s):
            while len(records) < count:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    records.extend(r for r in batch if r.key != MARKER)
    finally:
        await consumer.stop()
    return records
