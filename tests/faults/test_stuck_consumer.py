"""A consumer that stops fetching (aiokafka issue #1154: after a rebalance or a broker restart the
consumer can hang silently) is detected by /livez, which then fails; an idle healthy consumer's
/livez stays 200. The stage is the kit's runner with an echo handler, run as a process against the
real broker; tests/faults/stuck_stage.py makes its consumer stop on cue."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from devtools.broker import EmbeddedBroker
from devtools.pipeline import StageProcess
from services.kit.models import NewsItem
from tests.faults.scenario import TopicTail, fault_env, probe, report
from tests.support import Topics

pytestmark = pytest.mark.faults

STUCK_AFTER_S = 3.0


def harness(mode: str, trigger: Path, env: dict[str, str], log_dir: Path) -> StageProcess:
    """tests/faults/stuck_stage.py as a child process, serving its probes on a free port."""
    return StageProcess(
        "stuck", env, log_dir, (mode, str(trigger)), module="tests.faults.stuck_stage", name=f"stuck-{mode}"
    )


def item(n: int) -> NewsItem:
    url = f"https://example.test/story-{n}"
    return NewsItem(
        article_id=f"id-{n}", url=url, link=url, feed_url="https://example.test/rss", fetched_at=datetime.now(UTC)
    )


async def produce(bootstrap: str, topic: str, numbers: range) -> set[str]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for n in numbers:
            await producer.send_and_wait(topic, item(n).model_dump_json().encode(), key=f"id-{n}".encode())
    finally:
        await producer.stop()
    return {f"id-{n}" for n in numbers}


async def wait_ready(stage: StageProcess) -> None:
    async with asyncio.timeout(60):
        while (await probe(stage.health_port, "/readyz"))[0] != 200:
            assert stage.process.poll() is None, f"stage exited with {stage.process.returncode}"
            await asyncio.sleep(0.2)


@pytest.mark.parametrize("mode", ["hang", "silent"])
@pytest.mark.timeout(120)
async def test_a_consumer_that_stops_fetching_fails_livez(broker: EmbeddedBroker, tmp_path: Path, mode: str) -> None:
    topics = await Topics(broker.bootstrap).create(partitions=2)
    settings = topics.settings
    trigger = tmp_path / "stop-fetching"
    env = fault_env(topics, stuck_after_s=str(STUCK_AFTER_S))
    stuck = harness(mode, trigger, env, tmp_path)
    try:
        await wait_ready(stuck)
        async with TopicTail(broker.bootstrap, settings.topic_articles).running() as tail:
            await tail.wait_for(await produce(broker.bootstrap, settings.topic_items, range(5)), timeout_s=60)
            trigger.touch()
            stopped = time.monotonic()
            await produce(broker.bootstrap, settings.topic_items, range(5, 10))  # lag the consumer should take
            async with asyncio.timeout(STUCK_AFTER_S + 30):
                while (live := await probe(stuck.health_port, "/livez"))[0] != 503:
                    await asyncio.sleep(0.5)
            detected_s = time.monotonic() - stopped
            ready = await probe(stuck.health_port, "/readyz")
            arrived_after = len(tail.keys) - 5
    finally:
        # A consumer hung inside getmany cannot drain; there is nothing in flight to lose then.
        code = await stuck.terminate(timeout_s=10)
    body = live[1]
    assert body["failing"]["consumer"].startswith("consumer has not fetched for")
    assert ready[0] == 503
    assert ready[1]["failing"]["consumer"].startswith("consumer has not fetched for")
    if mode == "silent":
        assert "loop" in body["ok"], "the loop turns: only the fetch-progress check sees this"
        assert code == 0
    report(
        f"stuck-consumer-{mode}",
        stuck_after_s=STUCK_AFTER_S,
        livez_503_after_s=round(detected_s, 1),
        livez_body=body,
        readyz_status=ready[0],
        exit_code_on_sigterm=code,
        # taken by the getmany already under way when the fault was injected
        handled_after_injection=arrived_after,
    )


@pytest.mark.timeout(120)
async def test_an_idle_healthy_consumer_stays_live(broker: EmbeddedBroker, tmp_path: Path) -> None:
    topics = await Topics(broker.bootstrap).create(partitions=2)
    settings = topics.settings
    env = fault_env(topics, stuck_after_s=str(STUCK_AFTER_S))
    stuck = harness("none", tmp_path / "never", env, tmp_path)
    statuses: list[int] = []
    try:
        await wait_ready(stuck)
        # Idle for four times the stuck limit, then some work, then idle again.
        for _ in range(int(4 * STUCK_AFTER_S / 0.5)):
            statuses.append((await probe(stuck.health_port, "/livez"))[0])
            await asyncio.sleep(0.5)
        async with TopicTail(broker.bootstrap, settings.topic_articles).running() as tail:
            await tail.wait_for(await produce(broker.bootstrap, settings.topic_items, range(5)), timeout_s=60)
        for _ in range(int(2 * STUCK_AFTER_S / 0.5)):
            statuses.append((await probe(stuck.health_port, "/livez"))[0])
            await asyncio.sleep(0.5)
    finally:
        code = await stuck.terminate(timeout_s=15)
    assert set(statuses) == {200}
    assert code == 0
    report(
        "idle-consumer", stuck_after_s=STUCK_AFTER_S, livez_probes=len(statuses), livez_statuses=sorted(set(statuses))
    )
