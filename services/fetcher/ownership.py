"""Which feeds this replica polls. Replicas join one Kafka consumer group on the state topic;
a replica polls the feeds whose state partition it is assigned. When a replica dies its
partitions, and so its feeds, move to the survivors; when one joins they are rebalanced.
Kafka does the membership, failure detection and balancing; nothing here is home-made."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import KafkaError

from services.fetcher.state import StateStore, partition_for
from services.kit.logs import get_logger

log = get_logger(__name__)

#: how long taking over assigned partitions is retried through broker trouble
TAKE_OVER_PATIENCE_S = 60.0


class FeedOwnership(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka ships no type hints
    def __init__(self, store: StateStore, settle: Callable[[Callable[[str], bool]], Awaitable[None]]) -> None:
        self.store = store
        self.owned: set[int] = set()
        self._settle = settle
        self.consumer: AIOKafkaConsumer | None = None

    def owns(self, feed_url: str) -> bool:
        return self.store.partitions > 0 and partition_for(feed_url, self.store.partitions) in self.owned

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        partitions = {tp.partition for tp in revoked}
        self.owned -= partitions
        # Finish what is in flight first: the next owner must not poll a feed we are still polling.
        await self._settle(lambda url: partition_for(url, self.store.partitions) in partitions)
        self.store.hand_over(partitions)
        log.info("feeds handed over", partitions=sorted(partitions))

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        partitions = {tp.partition for tp in assigned}
        if self.consumer is not None and assigned:
            self.consumer.pause(*assigned)  # membership only: the store's own consumer reads the data
        await self._take_over(partitions)
        self.owned |= partitions
        log.info("feeds taken over", partitions=sorted(partitions))

    async def _take_over(self, partitions: set[int]) -> None:
        """Broker trouble (a broker restarting, the state topic not back yet) is waited out: a
        failure here would leave these feeds unpolled until the next rebalance."""
        deadline = time.monotonic() + TAKE_OVER_PATIENCE_S
        delay = 0.5
        while True:
            try:
                await self.store.take_over(partitions)
                return
            except (KafkaError, TimeoutError) as exc:
                if time.monotonic() + delay > deadline:
                    raise
                log.warning("taking over fetcher state failed; retrying", error=repr(exc), delay_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)


async def keep_membership(consumer: AIOKafkaConsumer, stop: asyncio.Event) -> None:
    """Drive the group member until stopped (its partitions are paused, so nothing is fetched)."""
    while not stop.is_set():
        await consumer.getmany(timeout_ms=1000)
