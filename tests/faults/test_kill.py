"""kill -9 of each stage, repeatedly and in random order, while articles flow: after the restarts
every article the site published reaches the enriched topic, and the only duplicates are
redeliveries under the article's own key."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from devtools.broker import EmbeddedBroker
from devtools.feedserver import FeedServer
from devtools.pipeline import StageProcess
from services.kit.models import EnrichedArticle
from tests.faults.scenario import NewsSite, TopicTail, duplicates, fault_env, report, wait_until_ready
from tests.support import Topics, read_to_end, spawn

pytestmark = pytest.mark.faults

STAGES = ("fetcher", "parser", "classifier")
KILLS = 6
ARTICLES_PER_ROUND = 3
ROUND_S = 0.8


def kill_plan(rng: random.Random) -> list[str]:
    """Every stage at least once, in random order, then random stages up to KILLS."""
    plan = list(STAGES) + [rng.choice(STAGES) for _ in range(KILLS - len(STAGES))]
    rng.shuffle(plan)
    return plan


@pytest.mark.timeout(240)
async def test_kill_9_each_stage_mid_stream_loses_nothing(broker: EmbeddedBroker, tmp_path: Path) -> None:
    seed = int(os.environ.get("SITREP_FAULT_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    plan = kill_plan(rng)
    topics = await Topics(broker.bootstrap).create(partitions=4)
    server = await FeedServer().start()
    site = NewsSite(server)
    site.add(ARTICLES_PER_ROUND)
    env = fault_env(topics, feeds_file=str(site.feeds_yaml(tmp_path)))
    stages: dict[str, StageProcess] = {name: spawn(name, env, tmp_path) for name in STAGES}
    kills: list[dict[str, object]] = []
    done = asyncio.Event()

    async def publish() -> None:
        """A few articles every ROUND_S until the kills are over."""
        while not done.is_set():
            await asyncio.sleep(ROUND_S)
            site.add(ARTICLES_PER_ROUND)

    tail = TopicTail(broker.bootstrap, topics.settings.topic_enriched)
    try:
        await wait_until_ready(list(stages.values()))
        async with tail.running():
            publisher = asyncio.create_task(publish())
            await tail.wait_for_count(1, timeout_s=60)  # articles flow end to end
            for victim in plan:
                await asyncio.sleep(rng.uniform(1.5, 4.0))
                stage = stages[victim]
                stage.process.send_signal(signal.SIGKILL)
                code = await stage.wait(10)
                assert code == -signal.SIGKILL
                kills.append({"stage": victim, "published": site.published, "enriched": len(tail.keys)})
                stages[victim] = spawn(victim, env, tmp_path)
            done.set()
            await publisher
            started = time.monotonic()
            await tail.wait_for(site.ids, timeout_s=120)
            caught_up_s = time.monotonic() - started
    finally:
        done.set()
        codes = {name: await stage.terminate() for name, stage in stages.items()}
        await server.stop()
    assert codes == dict.fromkeys(STAGES, 0)

    # Read with the stages stopped: the end markers would otherwise be inputs to them.
    settings = topics.settings
    enriched = await read_to_end(broker.bootstrap, settings.topic_enriched)
    keys = Counter(r.key.decode() for r in enriched if r.key is not None)
    assert set(keys) == site.ids, "every published article enriched, and nothing else"
    assert all(
        r.key is not None and r.key.decode() == EnrichedArticle.model_validate_json(r.value).article_id
        for r in enriched
    ), "a duplicate is a redelivery under the article's own key"
    items = Counter(r.key for r in await read_to_end(broker.bootstrap, settings.topic_items))
    articles = Counter(r.key for r in await read_to_end(broker.bootstrap, settings.topic_articles))
    dead = await read_to_end(broker.bootstrap, settings.topic_dlq)
    assert dead == []
    report(
        "kill-9",
        seed=seed,
        kills=kills,
        articles=len(site.ids),
        enriched_records=len(enriched),
        duplicates_items=duplicates(items),
        duplicates_articles=duplicates(articles),
        duplicates_enriched=duplicates(keys),
        duplicated_keys=sum(1 for c in keys.values() if c > 1),
        catch_up_after_last_kill_s=round(caught_up_s, 1),
    )
