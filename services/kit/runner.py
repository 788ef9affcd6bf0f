"""The consume -> process -> produce loop every consuming stage runs; a stage supplies a handler.

Delivery is at-least-once: an input offset is committed only after everything produced from it
(outputs or its dead letter) has been acknowledged by the broker. A batch's messages are worked on
concurrently; per partition, only the prefix of finished messages is committed, so a drain that
gives up on a slow message leaves it, and everything after it, to be redelivered.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import KafkaError
from aiokafka.structs import OffsetAndMetadata
from pydantic import BaseModel, ValidationError

from services.kit import metrics
from services.kit.deadletter import dead_letter
from services.kit.errors import InvalidMessage
from services.kit.health import ConsumerWatchdog, Health
from services.kit.kafka import UNDELIVERABLE, Output, send_all
from services.kit.logs import get_logger
from services.kit.settings import ConsumingStageSettings

InT = TypeVar("InT", bound=BaseModel)
Handler = Callable[[InT], Awaitable[Sequence[Output]]]

log = get_logger(__name__)

# A dead letter carries at most this much of the original payload, so that it always fits.


class FatalStageError(RuntimeError):
    """The stage cannot go on without losing data (it could not even dead-letter a message)."""


class _Undeliverable(Exception):
    def __init__(self, cause: KafkaError) -> None:
        super().__init__(str(cause))
        self.cause = cause


class Runner(Generic[InT]):
    def __init__(
        self,
        *,
        stage: str,
        settings: ConsumingStageSettings,
        input_topic: str,
        input_model: type[InT],
        handler: Handler[InT],
        consumer: AIOKafkaConsumer,
        producer: AIOKafkaProducer,
        health: Health,
        watchdog: ConsumerWatchdog | None = None,
    ) -> None:
        self.stage = stage
        self.settings = settings
        self.input_topic = input_topic
        self.input_model = input_model
        self.handler = handler
        self.consumer = consumer
        self.producer = producer
        self.health = health
        #: whether the consumer still fetches; without a broker probe, the broker counts as always up
        self.watchdog = watchdog or ConsumerWatchdog(consumer, settings.stuck_after_s, lambda: 0.0)
        self.processed = 0
        self._batch_done = asyncio.Event()
        self._batch_done.set()
        self._pending_commit: dict[TopicPartition, OffsetAndMetadata] = {}
        self._commit_lock = asyncio.Lock()

    async def run(self, stop: asyncio.Event, max_messages: int | None = None) -> None:
        """Work until `stop` is set (or `max_messages` inputs are done), then commit and return."""
        self.consumer.subscribe([self.input_topic], listener=_CommitOnRevoke(self))
        log.info("runner started", stage=self.stage, topic=self.input_topic, group=self.settings.group_id)
        while not stop.is_set():
            self.health.beat()
            records = await self.consumer.getmany(timeout_ms=1000, max_records=self.settings.batch_size)
            batch = [record for partition in records.values() for record in partition]
            self.watchdog.fetched(len(batch))
            if not batch or stop.is_set():
                continue
            self._batch_done.clear()
            self.watchdog.working()
            try:
                finished = await self._process_batch(batch, stop)
                self._pending_commit = _committable(batch, finished)
            finally:
                self._batch_done.set()
            await self._commit()
            self.watchdog.idle()
            self.processed += len(finished)
            if max_messages is not None and self.processed >= max_messages:
                break
        await self._commit()
        log.info("runner stopped", stage=self.stage, processed=self.processed)

    async def _process_batch(self, batch: list[ConsumerRecord[bytes, bytes]], stop: asyncio.Event) -> set[int]:
        """Work on a batch; returns the indexes of the records fully handled."""
        slots = asyncio.Semaphore(self.settings.concurrency)
        tasks = {asyncio.create_task(self._process_one(record, slots, stop)): i for i, record in enumerate(batch)}
        pending: set[asyncio.Task[bool]] = set(tasks)
        drain_deadline: float | None = None
        while pending:
            _, pending = await asyncio.wait(pending, timeout=1.0)
            self.health.beat()
            if stop.is_set() and pending:
                now = time.monotonic()
                drain_deadline = drain_deadline or now + self.settings.drain_timeout_s
                if now >= drain_deadline:
                    log.warning("drain timed out; unfinished messages will be redelivered", count=len(pending))
                    for task in pending:
                        task.cancel()
                    await asyncio.gather(*pending, return_exceptions=True)
                    break
        return {i for task, i in tasks.items() if task.done() and not task.cancelled() and task.result()}

    async def _process_one(
        self, record: ConsumerRecord[bytes, bytes], slots: asyncio.Semaphore, stop: asyncio.Event
    ) -> bool:
        async with slots:
            if stop.is_set():  # stopping: leave what has not started to the next owner
                return False
            metrics.IN_FLIGHT.labels(self.stage).inc()
            started = time.perf_counter()
            try:
                metrics.MESSAGES_IN.labels(self.stage).inc()
                outputs = await self._handle(record)
                try:
                    await self._produce(outputs)
                except _Undeliverable as exc:
                    metrics.MESSAGES_FAILED.labels(self.stage, "undeliverable").inc()
                    await self._produce([self._dead_letter(record, exc.cause, attempts=1)])
                metrics.PROCESSING_SECONDS.labels(self.stage).observe(time.perf_counter() - started)
                return True
            finally:
                metrics.IN_FLIGHT.labels(self.stage).dec()

    def _decode(self, record: ConsumerRecord[bytes, bytes]) -> InT:
        if record.value is None:
            raise InvalidMessage("message has no value")
        if len(record.value) > self.settings.max_message_bytes:
            raise InvalidMessage(f"message of {len(record.value)} bytes exceeds {self.settings.max_message_bytes}")
        try:
            return self.input_model.model_validate_json(record.value)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in exc.errors()[:5])
            raise InvalidMessage(f"not a valid {self.input_model.__name__}: {problems}") from exc

    async def _handle(self, record: ConsumerRecord[bytes, bytes]) -> Sequence[Output]:
        """The handler's outputs, or the record's dead letter once retries are spent."""
        try:
            item = self._decode(record)
        except InvalidMessage as exc:
            metrics.MESSAGES_FAILED.labels(self.stage, exc.reason).inc()
            log.warning("invalid message", stage=self.stage, offset=record.offset, error=str(exc))
            return [self._dead_letter(record, exc, attempts=1)]
        attempt = 0
        while True:
            attempt += 1
            try:
                async with asyncio.timeout(self.settings.handler_timeout_s):
                    return await self.handler(item)
            except Exception as exc:  # noqa: BLE001  # the stage's boundary: any failure is retried or dead-lettered
                retriable = isinstance(exc, TimeoutError) or bool(getattr(exc, "retriable", False))
                reason = str(getattr(exc, "reason", type(exc).__name__))
                metrics.MESSAGES_FAILED.labels(self.stage, reason).inc()
                log.warning(
                    "handler failed",
                    stage=self.stage,
                    offset=record.offset,
                    attempt=attempt,
                    retriable=retriable,
                    error=f"{type(exc).__name__}: {exc}",
                )
                if not retriable or attempt >= self.settings.max_attempts:
                    return [self._dead_letter(record, exc, attempts=attempt)]
                backoff = self.settings.retry_backoff_s * 2 ** (attempt - 1)
                await asyncio.sleep(backoff * random.uniform(0.5, 1.5))

    def _dead_letter(self, record: ConsumerRecord[bytes, bytes], exc: BaseException, attempts: int) -> Output:
        reason = str(getattr(exc, "reason", type(exc).__name__))
        metrics.DEAD_LETTERED.labels(self.stage, reason).inc()
        letter = dead_letter(
            record,
            stage=self.stage,
            error_type=type(exc).__name__,
            error=str(exc),
            retriable=bool(getattr(exc, "retriable", False)),
            attempts=attempts,
        )
        return Output(self.settings.topic_dlq, letter.key, letter)

    async def _produce(self, outputs: Sequence[Output]) -> None:
        try:
            await send_all(self.producer, outputs, stage=self.stage)
        except UNDELIVERABLE as exc:
            if all(o.topic == self.settings.topic_dlq for o in outputs):
                raise FatalStageError(f"cannot dead-letter: {exc}") from exc
            raise _Undeliverable(exc) from exc

    async def _commit(self) -> None:
        async with self._commit_lock:
            offsets, self._pending_commit = self._pending_commit, {}
            if not offsets:
                return
            try:
                await self.consumer.commit(offsets)
            except KafkaError as exc:
                # The partitions moved on; their new owner redelivers from the last commit.
                metrics.COMMITS_FAILED.labels(self.stage).inc()
                log.warning("commit failed", stage=self.stage, error=repr(exc))


def _committable(
    batch: list[ConsumerRecord[bytes, bytes]], finished: set[int]
) -> dict[TopicPartition, OffsetAndMetadata]:
    """Per partition, the offset after the longest run of finished records from the batch's start."""
    by_partition: dict[TopicPartition, list[tuple[int, bool]]] = {}
    for i, record in enumerate(batch):
        by_partition.setdefault(TopicPartition(record.topic, record.partition), []).append(
            (record.offset, i in finished)
        )
    offsets: dict[TopicPartition, OffsetAndMetadata] = {}
    for partition, entries in by_partition.items():
        next_offset = None
        for offset, done in sorted(entries):
            if not done:
                break
            next_offset = offset + 1
        if next_offset is not None:
            offsets[partition] = OffsetAndMetadata(next_offset, "")
    return offsets


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka ships no type hints
    """Before partitions move to another member, let the batch finish and commit it."""

    def __init__(self, runner: Runner[Any]) -> None:
        self._runner = runner

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        try:
            await asyncio.wait_for(self._runner._batch_done.wait(), self._runner.settings.drain_timeout_s)
        except TimeoutError:
            log.warning("rebalance while a batch is still running; it will be redelivered", stage=self._runner.stage)
            return
        await self._runner._commit()

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        log.info("partitions assigned", stage=self._runner.stage, partitions=sorted(str(tp) for tp in assigned))
