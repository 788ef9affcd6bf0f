"""The broker is away for 30 s: the stages neither crash nor need a restart, /readyz says 503 (and
why) during the outage, and work resumes by itself. Two ways:

- restart: the broker process is stopped and started again. The embedded broker keeps nothing
  across a restart, so the test re-creates the topics and checks resumption, not retention: new
  articles keep arriving. What the fetcher found during the outage is counted, not asserted: it
  sends it the moment the broker answers, racing the re-creation of the topics, and the embedded
  broker's memory store can then lose or overwrite records at the re-created offsets.
- freeze: the broker process is stopped with SIGSTOP and continued with SIGCONT. It keeps its data,
  as Apache Kafka keeps its log across a restart, so nothing may be lost: every article served
  before, during and after the outage reaches news.enriched."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import pytest

from devtools.broker import EmbeddedBroker
from devtools.feedserver import FeedServer
from tests.faults.scenario import NewsSite, TopicTail, fault_env, probe, report, wait_until_ready
from tests.support import Topics, spawn

pytestmark = pytest.mark.faults

STAGES = ("fetcher", "parser", "classifier")
OUTAGE_S = 30.0


@pytest.mark.timeout(240)
@pytest.mark.parametrize("mode", ["restart", "freeze"])
async def test_broker_down_30s_then_back_resumes_without_restarts(tmp_path: Path, mode: str) -> None:
    server = await FeedServer().start()
    site = NewsSite(server)
    before = site.add(3)
    # Its own broker: stopping the session's would break every other test's topics.
    # start() and stop() wait on a process; off the loop, which serves the feeds meanwhile.
    broker = await asyncio.to_thread(EmbeddedBroker(tmp_path / "broker.log").start)
    topics = await Topics(broker.bootstrap).create()
    env = fault_env(topics, feeds_file=str(site.feeds_yaml(tmp_path)))
    stages = {name: spawn(name, env, tmp_path) for name in STAGES}
    pids = {name: stage.process.pid for name, stage in stages.items()}
    seen: dict[str, dict[str, set[int]]] = {name: {"/readyz": set(), "/livez": set()} for name in STAGES}
    reasons: dict[str, str] = {}
    first_unready_s: dict[str, float] = {}
    try:
        await wait_until_ready(list(stages.values()))
        async with TopicTail(broker.bootstrap, topics.settings.topic_enriched).running() as tail:
            await tail.wait_for(before, timeout_s=60)

        if mode == "restart":
            await asyncio.to_thread(broker.stop)
        else:
            broker.freeze()
        stopped = time.monotonic()
        during: set[str] = set()
        while (elapsed := time.monotonic() - stopped) < OUTAGE_S:
            if elapsed > OUTAGE_S / 2 and not during:
                during = site.add(3)  # found by the fetcher while it cannot publish
            for name, stage in stages.items():
                assert stage.process.poll() is None, f"{name} exited during the outage"
                for path in ("/readyz", "/livez"):
                    status, body = await probe(stage, path)
                    seen[name][path].add(status)
                    if path == "/readyz" and status == 503 and name not in reasons:
                        reasons[name] = body["failing"].get("kafka", str(body["failing"]))
                        first_unready_s[name] = round(time.monotonic() - stopped, 1)
            await asyncio.sleep(1.0)

        after: set[str] = set()
        if mode == "restart":
            await asyncio.to_thread(broker.start)
            restarted = time.monotonic()
            await topics.create()  # memory-only: the broker came back empty
            async with TopicTail(broker.bootstrap, topics.settings.topic_enriched).running() as tail:
                # Resumption: new articles keep arriving. One at a time, until three have come
                # through; any that the embedded broker's re-created topics lose are counted.
                async with asyncio.timeout(150):
                    while len(after & tail.keys.keys()) < 3:
                        after |= site.add(1)
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(tail.wait_for_count(len(tail.keys) + 1, timeout_s=10), 10)
                arrived = after & tail.keys.keys()
                resumed_s = max(tail.first_seen[key] for key in arrived) - restarted
                during_arrived = len(during & tail.keys.keys())
                after_arrived = len(arrived)
        else:
            broker.thaw()
            restarted = time.monotonic()
            after = site.add(3)
            async with TopicTail(broker.bootstrap, topics.settings.topic_enriched).running() as tail:
                await tail.wait_for(before | during | after, timeout_s=120)
                resumed_s = max(tail.first_seen[key] for key in after) - restarted
                during_arrived = len(during & tail.keys.keys())
                after_arrived = len(after)
        await wait_until_ready(list(stages.values()), timeout_s=30)
        assert {name: stage.process.pid for name, stage in stages.items()} == pids
    finally:
        codes = {name: await stage.terminate() for name, stage in stages.items()}
        await asyncio.to_thread(broker.stop)
        await server.stop()
    assert codes == dict.fromkeys(STAGES, 0)
    for name in STAGES:
        assert 503 in seen[name]["/readyz"], f"{name} never said it was not ready"
        assert seen[name]["/livez"] == {200}, f"{name}'s liveness failed during a broker outage"
        assert "kafka" in reasons[name] or "broker" in reasons[name] or "Kafka" in reasons[name]
    report(
        f"broker-outage-{mode}",
        outage_s=OUTAGE_S,
        readyz_503_after_s=first_unready_s,
        readyz_reason=reasons,
        livez_statuses={name: sorted(seen[name]["/livez"]) for name in STAGES},
        articles_during_outage=len(during),
        of_which_enriched=during_arrived,
        articles_after=len(after),
        of_which_enriched_after=after_arrived,
        enriched_after_return_s=round(resumed_s, 1),
        restarts=0,
        exit_codes=codes,
    )
