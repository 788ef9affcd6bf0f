"""aiokafka clients configured from settings, and the message encoding every stage uses."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError, MessageSizeTooLargeError, RecordTooLargeError
from pydantic import BaseModel

from services.kit import metrics
from services.kit.logs import get_logger
from services.kit.settings import StageSettings

log = get_logger(__name__)


@dataclass(frozen=True)
class Output:
    """One message to produce: a model, keyed (for articles, by `article_id`)."""

    topic: str
    key: str | None
    value: BaseModel
    #: None lets the producer's partitioner choose from the key
    partition: int | None = None

    def encode(self) -> tuple[bytes | None, bytes]:
        return (self.key.encode() if self.key is not None else None), self.value.model_dump_json().encode()


def make_producer(settings: StageSettings, **overrides: Any) -> AIOKafkaProducer:
    options: dict[str, Any] = {
        # Every replica acknowledges before an input offset is committed: at-least-once.
        "acks": "all",
        "enable_idempotence": settings.kafka_idempotence,
        "linger_ms": 5,
        "max_request_size": 8 * 1024 * 1024,
        "request_timeout_ms": 30_000,
    }
    return AIOKafkaProducer(**settings.kafka_client_options(), **(options | overrides))


def make_consumer(settings: StageSettings, *topics: str, group_id: str | None, **overrides: Any) -> AIOKafkaConsumer:
    options: dict[str, Any] = {
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "session_timeout_ms": settings.session_timeout_ms,
        "heartbeat_interval_ms": settings.heartbeat_interval_ms,
        "max_partition_fetch_bytes": 8 * 1024 * 1024,
        "fetch_max_bytes": 16 * 1024 * 1024,
    }
    return AIOKafkaConsumer(*topics, **settings.kafka_client_options(), **(options | overrides))


# The broker will never take these, however often they are sent.
UNDELIVERABLE = (MessageSizeTooLargeError, RecordTooLargeError)


async def send_all(producer: AIOKafkaProducer, outputs: Sequence[Output], *, stage: str) -> None:
    """Send and wait for every acknowledgement. Broker trouble is waited out, never raised, so an
    outage pauses a stage instead of crashing it; only UNDELIVERABLE errors come back."""
    delay = 0.5
    while True:
        try:
            acks = []
            for output in outputs:
                key, value = output.encode()
                acks.append(await producer.send(output.topic, value, key=key, partition=output.partition))
            await asyncio.gather(*acks)
        except UNDELIVERABLE:
            raise
        except KafkaError as exc:
            metrics.PRODUCE_RETRIES.labels(stage).inc()
            log.warning("produce failed; retrying", stage=stage, error=repr(exc), delay_s=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
            continue
        for output in outputs:
            metrics.MESSAGES_OUT.labels(stage, output.topic).inc()
        return
