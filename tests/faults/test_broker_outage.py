"""The broker stops for 30 s and starts again: the stages neither crash nor need a restart,
/readyz says 503 (and why) during the outage, and work resumes by itself.

The embedded broker keeps nothing across a restart, so the test re-creates the topics and checks
resumption, not retention: articles published after it arrive. Articles the fetcher found during
the outage are counted, not asserted: it sends them the moment the broker answers, racing the
test's re-creation of the topics."""

from __future__ import annotations

import asyncio
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
async def test_broker_down_30s_then_back_resumes_without_restarts(tmp_path: Path) -> None:
    server = await FeedServer().start()
    site = NewsSite(server)
    before = site.add(3)
    # Its own broker: stopping the session's would break every other test's topics.
    broker = EmbeddedBroker(tmp_path / "broker.log").start()
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

        broker.stop()
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

        broker.start()
        restarted = time.monotonic()
        await topics.create()  # memory-only: the broker came back empty
        after = site.add(3)
        async with TopicTail(broker.bootstrap, topics.settings.topic_enriched).running() as tail:
            await tail.wait_for(after, timeout_s=120)
            resumed_s = max(tail.first_seen[key] for key in after) - restarted
            # Not asserted: the fetcher sends these as soon as the broker is back, which can be before
            # the test has re-created the topics (and the embedded broker then drops them).
            during_arrived = len(during & tail.keys.keys())
        await wait_until_ready(list(stages.values()), timeout_s=30)
        assert {name: stage.process.pid for name, stage in stages.items()} == pids
    finally:
        codes = {name: await stage.terminate() for name, stage in stages.items()}
        broker.stop()
        await server.stop()
    assert codes == dict.fromkeys(STAGES, 0)
    for name in STAGES:
        assert 503 in seen[name]["/readyz"], f"{name} never said it was not ready"
        assert seen[name]["/livez"] == {200}, f"{name}'s liveness failed during a broker outage"
        assert "kafka" in reasons[name] or "broker" in reasons[name] or "Kafka" in reasons[name]
    report(
        "broker-outage",
        outage_s=OUTAGE_S,
        readyz_503_after_s=first_unready_s,
        readyz_reason=reasons,
        livez_statuses={name: sorted(seen[name]["/livez"]) for name in STAGES},
        articles_during_outage=len(during),
        of_which_enriched=during_arrived,
        articles_after=len(after),
        all_enriched_after_restart_s=round(resumed_s, 1),
        restarts=0,
        exit_codes=codes,
    )
