"""The fetcher's memory (validators and seen items per feed), kept in a compacted Kafka topic
keyed by feed URL, so that a fetcher pod is stateless: a new one reads the topic and goes on."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

from aiokafka import AIOKafkaProducer, TopicPartition
from pydantic import BaseModel, ConfigDict, ValidationError

from services.fetcher.settings import FetcherSettings
from services.kit.kafka import Output, make_consumer, send_all
from services.kit.logs import get_logger

log = get_logger(__name__)

_MARKER_PREFIX = "__sitrep_marker__:"


class FeedState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    feed_url: str
    etag: str | None = None
    last_modified: str | None = None
    #: item keys, oldest first
    seen: list[str] = []
    #: article ids published from this feed, oldest first (cross-feed dedup)
    articles: list[str] = []
    final_url: str | None = None
    last_success_at: datetime | None = None
    newest_item_at: datetime | None = None

    def remember(self, keys: list[str], article_ids: list[str], limit: int) -> None:
        self.seen = _bounded_union(self.seen, keys, limit)
        self.articles = _bounded_union(self.articles, article_ids, limit)


def _bounded_union(old: list[str], new: list[str], limit: int) -> list[str]:
    """Old then new, each key once at its latest position, the newest `limit` kept."""
    merged = dict.fromkeys(k for k in old if k not in set(new))
    merged.update(dict.fromkeys(new))
    return list(merged)[-limit:]


class StateStore:
    def __init__(self, settings: FetcherSettings, producer: AIOKafkaProducer) -> None:
        self._settings = settings
        self._producer = producer
        self.feeds: dict[str, FeedState] = {}
        #: article ids any feed has published: an article carried by two feeds goes out once
        self.published: set[str] = set()
        self.loaded = False

    def get(self, feed_url: str) -> FeedState:
        return self.feeds.setdefault(feed_url, FeedState(feed_url=feed_url))

    async def load(self) -> None:
        """Read the state topic to its end. The end is found by a marker this call writes to each
        partition, because a broker's end offsets can be stale (and are wrong on some brokers)."""
        topic = self._settings.topic_fetcher_state
        partitions = sorted(await self._producer.partitions_for(topic))
        marker = f"{_MARKER_PREFIX}{uuid.uuid4()}"
        # An explicit partition per marker: the key alone would send them all to one partition.
        acks = [await self._producer.send(topic, b"{}", key=marker.encode(), partition=p) for p in partitions]
        await asyncio.gather(*acks)
        consumer = make_consumer(self._settings, group_id=None)
        await consumer.start()
        try:
            assigned = [TopicPartition(topic, p) for p in partitions]
            consumer.assign(assigned)
            await consumer.seek_to_beginning(*assigned)
            waiting = set(partitions)
            while waiting:
                batches = await consumer.getmany(timeout_ms=1000)
                for tp, records in batches.items():
                    for record in records:
                        key = record.key.decode("utf-8", "replace") if record.key else ""
                        if key == marker:
                            waiting.discard(tp.partition)
                        elif not key.startswith(_MARKER_PREFIX):
                            self._apply(key, record.value)
        finally:
            await consumer.stop()
        # Tombstones let compaction drop the markers.
        acks = [await self._producer.send(topic, None, key=marker.encode(), partition=p) for p in partitions]
        await asyncio.gather(*acks)
        for state in self.feeds.values():
            self.published.update(state.articles)
        self.loaded = True
        log.info("fetcher state loaded", feeds=len(self.feeds), articles=len(self.published))

    def _apply(self, key: str, value: bytes | None) -> None:
        if value is None:
            self.feeds.pop(key, None)
            return
        try:
            self.feeds[key] = FeedState.model_validate_json(value)
        except ValidationError as exc:
            log.warning("unreadable fetcher state ignored", feed=key, error=str(exc)[:200])

    async def save(self, state: FeedState) -> None:
        await send_all(
            self._producer, [Output(self._settings.topic_fetcher_state, state.feed_url, state)], stage="fetcher"
        )
