"""The fetcher's memory (validators and seen items per feed), kept in a compacted Kafka topic
keyed by feed URL, so that fetcher pods are stateless.

One consumer tails the whole topic, so every replica sees what every feed has published (an
article carried by feeds of two replicas still goes out once). For the partitions this replica
owns it is the only writer: once caught up on them, it trusts its own copy and ignores the
echo of its writes.

A record it cannot read (not JSON, not a FeedState, another schema version, oversized) is
counted and ignored by every replica; the replica that takes its partition over dead-letters it
and writes a tombstone for its key, so that compaction drops it and nobody reads it again."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.partitioner import murmur2
from pydantic import BaseModel, ConfigDict, ValidationError

from services.fetcher import metrics
from services.fetcher.settings import FetcherSettings
from services.kit import metrics as stage_metrics
from services.kit.deadletter import DLQ_MAX_PAYLOAD_BYTES, dead_letter
from services.kit.kafka import Output, make_consumer, send_all
from services.kit.logs import get_logger
from services.kit.models import DeadLetter

log = get_logger(__name__)

_MARKER_PREFIX = "__sitrep_marker__:"
#: a take-over marker not read back within this means the tail lost its place
MARKER_WAIT_S = 10.0
# A feed's state holds at most a few thousand keys (about 1.3 MB for a 10,000-item feed).
MAX_STATE_BYTES = 4 * 1024 * 1024
# A dead letter keeps at most this much of the record (as the runner's do), and the store holds
# at most this many unreadable records awaiting their partition's owner; more are only counted.
_MAX_HELD = 1000


@dataclass(frozen=True)
class _Unreadable:
    record: ConsumerRecord[bytes, bytes]
    reason: str
    error: str


class FeedState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    schema_version: Literal[1] = 1
    feed_url: str
    etag: str | None = None
    last_modified: str | None = None
    #: item keys, oldest first
    seen: list[str] = []
    #: article ids of this feed's items, oldest first (cross-feed dedup)
    articles: list[str] = []
    final_url: str | None = None
    last_success_at: datetime | None = None
    newest_item_at: datetime | None = None
    #: the interval learnt from how often the feed publishes
    adaptive_interval_s: float | None = None

    def remember(self, keys: list[str], article_ids: list[str], limit: int) -> None:
        self.seen = _bounded_union(self.seen, keys, limit)
        self.articles = _bounded_union(self.articles, article_ids, limit)


def _bounded_union(old: list[str], new: list[str], limit: int) -> list[str]:
    """Old then new, each key once at its latest position, the newest `limit` kept."""
    fresh = set(new)
    merged = dict.fromkeys(k for k in old if k not in fresh)
    merged.update(dict.fromkeys(new))
    return list(merged)[-limit:]


def partition_for(feed_url: str, partitions: int) -> int:
    """The partition Kafka's default partitioner gives this key (murmur2, as the Java client)."""
    hashed: int = murmur2(feed_url.encode("utf-8"))
    return (hashed & 0x7FFFFFFF) % partitions


class StateStore:
    def __init__(self, settings: FetcherSettings, producer: AIOKafkaProducer) -> None:
        self._settings = settings
        self._topic = settings.topic_fetcher_state
        self._producer = producer
        self.feeds: dict[str, FeedState] = {}
        self.partitions = 0
        #: partitions whose state this replica writes, and so no longer reads back
        self.authoritative: set[int] = set()
        self._references: Counter[str] = Counter()
        self._claimed: set[str] = set()
        self._markers: dict[str, asyncio.Future[None]] = {}
        self._consumer: AIOKafkaConsumer | None = None
        self._tail: asyncio.Task[None] | None = None
        #: unreadable records by (partition, key), until their key is written again or dead-lettered
        self._unreadable: dict[tuple[int, str], _Unreadable] = {}

    @property
    def loaded(self) -> bool:
        return self._tail is not None

    async def start(self) -> None:
        self.partitions = len(await self._producer.partitions_for(self._topic))
        self._consumer = make_consumer(self._settings, group_id=None)
        await self._consumer.start()
        assigned = [TopicPartition(self._topic, p) for p in range(self.partitions)]
        self._consumer.assign(assigned)
        await self._consumer.seek_to_beginning(*assigned)
        self._tail = asyncio.create_task(self._follow(self._consumer))

    async def stop(self) -> None:
        if self._tail:
            self._tail.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tail
        if self._consumer:
            await self._consumer.stop()

    async def take_over(self, partitions: set[int]) -> None:
        """Read these partitions to their current end, then own them.

        The end is found by a marker this call writes to each partition and waits to read back:
        a broker's reported end offsets can be stale (and are wrong on some brokers)."""
        marker = f"{_MARKER_PREFIX}{uuid.uuid4()}"
        waits = []
        for partition in sorted(partitions):
            key = f"{marker}:{partition}"
            waits.append(self._markers.setdefault(key, asyncio.get_running_loop().create_future()))
            await self._producer.send_and_wait(self._topic, b"{}", key=key.encode(), partition=partition)
        try:
            await asyncio.wait_for(asyncio.gather(*waits), MARKER_WAIT_S)
        except TimeoutError:
            # Never read back: the tail is past the partitions' end, as when the topic was re-created
            # and its offsets start again from 0. Read them again from the start; the caller retries.
            assert self._consumer is not None
            await self._consumer.seek_to_beginning(*(TopicPartition(self._topic, p) for p in partitions))
            raise
        self.authoritative |= partitions
        for partition in partitions:  # tombstones let compaction drop the markers
            await self._producer.send(self._topic, None, key=f"{marker}:{partition}".encode(), partition=partition)
        await self._dead_letter_unreadable(partitions)
        log.info("fetcher state taken over", partitions=sorted(partitions), feeds=len(self.feeds))

    def hand_over(self, partitions: set[int]) -> None:
        self.authoritative -= partitions

    async def _follow(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for record in records:
                    self._apply(record)

    def _apply(self, record: ConsumerRecord[bytes, bytes]) -> None:
        key = record.key.decode("utf-8", "replace") if record.key else ""
        if key.startswith(_MARKER_PREFIX):
            waiter = self._markers.pop(key, None)
            if waiter and not waiter.done():
                waiter.set_result(None)
            return
        if record.partition in self.authoritative:
            return  # the echo of our own write
        self._unreadable.pop((record.partition, key), None)  # a newer record supersedes it
        if record.value is None:
            self._replace(key, None)
            return
        if len(record.value) > MAX_STATE_BYTES:
            self._ignore(record, key, "too_large", f"state of {len(record.value)} bytes exceeds {MAX_STATE_BYTES}")
            return
        try:
            self._replace(key, FeedState.model_validate_json(record.value))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in exc.errors()[:5])
            self._ignore(record, key, "invalid_state", f"not a valid FeedState: {problems}")

    def _ignore(self, record: ConsumerRecord[bytes, bytes], key: str, reason: str, error: str) -> None:
        metrics.STATE_UNREADABLE.labels(reason).inc()
        log.warning("unreadable fetcher state ignored", feed=key[:300], offset=record.offset, error=error[:300])
        if len(self._unreadable) < _MAX_HELD:
            value = (record.value or b"")[: DLQ_MAX_PAYLOAD_BYTES + 1]  # one more byte tells it was cut
            held = dataclasses.replace(record, value=value)
            self._unreadable[(record.partition, key)] = _Unreadable(held, reason, error)

    async def _dead_letter_unreadable(self, partitions: set[int]) -> None:
        """Dead-letter the unreadable records of partitions just taken over, and tombstone their keys."""
        found = [(at, bad) for at, bad in self._unreadable.items() if at[0] in partitions]
        if not found:
            return
        letters = [Output(self._settings.topic_dlq, key or None, _dead_letter(bad)) for (_, key), bad in found]
        await send_all(self._producer, letters, stage="fetcher")
        # Tombstones need a key (compacted topics refuse keyless records); a keyless record stays.
        for partition, key in (at for at, _ in found if at[1]):
            await self._producer.send(self._topic, None, key=key.encode(), partition=partition)
        for at, bad in found:
            self._unreadable.pop(at, None)
            stage_metrics.DEAD_LETTERED.labels("fetcher", bad.reason).inc()
        log.warning("unreadable fetcher state dead-lettered", count=len(found), partitions=sorted(partitions))

    def _replace(self, feed_url: str, state: FeedState | None) -> None:
        old = self.feeds.pop(feed_url, None)
        if old:
            for article in old.articles:
                self._references[article] -= 1
                if self._references[article] <= 0:
                    del self._references[article]
        if state:
            self.feeds[feed_url] = state
            self._references.update(state.articles)

    def snapshot(self, feed_url: str) -> FeedState:
        """A copy of the feed's state to work on; `save` makes it the feed's state."""
        state = self.feeds.get(feed_url)
        if state is None:
            return FeedState(feed_url=feed_url)
        # The lists are the only mutable parts; their strings are shared safely.
        return state.model_copy(update={"seen": list(state.seen), "articles": list(state.articles)})

    def is_published(self, article_id: str) -> bool:
        return self._references[article_id] > 0 or article_id in self._claimed

    def claim(self, article_id: str) -> None:
        """Mark an article as going out now, before the awaits that publish it and save state."""
        self._claimed.add(article_id)

    def touch(self, state: FeedState) -> None:
        """Keep an unchanged state's in-memory details (last success) without writing it."""
        self._replace(state.feed_url, state)

    async def save(self, state: FeedState) -> None:
        self._replace(state.feed_url, state)
        self._claimed.difference_update(state.articles)
        partition = partition_for(state.feed_url, self.partitions)
        await send_all(self._producer, [Output(self._topic, state.feed_url, state, partition)], stage="fetcher")


def _dead_letter(bad: _Unreadable) -> DeadLetter:
    return dead_letter(
        bad.record,
        stage="fetcher",
        error_type="InvalidState",
        error=f"{bad.reason}: {bad.error}",
        retriable=False,
        attempts=1,
    )
