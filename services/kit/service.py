"""A stage's life: logging, signals, health server, Kafka clients opened in order and closed in
reverse, and for consuming stages the shared runner."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError

from services.kit import metrics
from services.kit.health import ConsumerWatchdog, Health, KafkaPinger, serve_health
from services.kit.kafka import make_consumer, make_producer
from services.kit.logs import configure_logging, get_logger
from services.kit.runner import Handler, InT, Runner
from services.kit.settings import ConsumingStageSettings, StageSettings

log = get_logger(__name__)


class _Startable(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


@dataclass
class StageContext:
    stage: str
    health: Health
    producer: AIOKafkaProducer
    stop: asyncio.Event
    stack: contextlib.AsyncExitStack
    broker: KafkaPinger


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT: the stage stops taking input and drains."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def start_client(client: _Startable, name: str, stop: asyncio.Event) -> bool:
    """Start a Kafka client, waiting for the broker rather than crashing; False if stopped first."""
    delay = 0.5
    while not stop.is_set():
        try:
            await client.start()
            return True
        except KafkaConnectionError as exc:
            log.warning("broker not reachable; retrying", client=name, error=str(exc), delay_s=delay)
            await client.stop()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, 10.0)
    return False


@contextlib.asynccontextmanager
async def stage_context(
    stage: str, settings: StageSettings, extra_routes: Iterable[web.RouteDef] = ()
) -> AsyncIterator[StageContext | None]:
    """Opens what every stage needs; yields None when stopped before the broker was reached."""
    configure_logging(settings.log_level, settings.log_format)
    stop = stop_on_signals()
    health = Health(stage, settings.stuck_after_s)
    metrics.register_stage(stage)
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(serve_health(health, settings.health_host, settings.health_port, extra_routes))
        producer = make_producer(settings)
        if not await start_client(producer, "producer", stop):
            yield None
            return
        stack.push_async_callback(producer.stop)
        pinger = KafkaPinger(stage, producer, settings.kafka_ping_interval_s, settings.kafka_ping_timeout_s)
        await pinger.ping()
        health.add_readiness("kafka", pinger.check)
        ping_task = asyncio.create_task(pinger.run())
        stack.callback(ping_task.cancel)
        yield StageContext(stage, health, producer, stop, stack, pinger)
    log.info("stage stopped", stage=stage)


async def run_consuming_stage(
    *,
    stage: str,
    settings: ConsumingStageSettings,
    input_topic: str,
    input_model: type[InT],
    build_handler: Callable[[StageContext], Awaitable[Handler[InT]]],
    max_messages: int | None = None,
) -> None:
    async with stage_context(stage, settings) as ctx:
        if ctx is None:
            return
        ctx.health.add_readiness("consumer", lambda: "starting")
        handler = await build_handler(ctx)
        consumer = make_consumer(settings, group_id=settings.group_id)
        if not await start_client(consumer, "consumer", ctx.stop):
            return
        ctx.stack.push_async_callback(consumer.stop)
        # A consumer that stops fetching while the loop turns (aiokafka #1154) fails liveness, so
        # Kubernetes restarts the pod; readiness says the same meanwhile.
        watchdog = ConsumerWatchdog(consumer, settings.stuck_after_s, lambda: ctx.broker.up_since)
        runner: Runner[Any] = Runner(
            stage=stage,
            settings=settings,
            input_topic=input_topic,
            input_model=input_model,
            handler=handler,
            consumer=consumer,
            producer=ctx.producer,
            health=ctx.health,
            watchdog=watchdog,
        )
        ctx.health.add_liveness("consumer", watchdog.check)
        ctx.health.add_readiness("consumer", watchdog.check)
        await runner.run(ctx.stop, max_messages=max_messages)
