"""Fetcher replicas share the feed list through a Kafka consumer group: no feed is polled by two,
none is orphaned, a killed replica's feeds move to the survivor, a new one takes its share, and
each item is still published once."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from devtools.broker import EmbeddedBroker
from devtools.feedserver import FeedServer
from devtools.pipeline import StageProcess
from tests.support import Topics, read_to_end, spawn

pytestmark = pytest.mark.integration

FEEDS = 12


def one_item_feed(base: str, n: int) -> str:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title><link>{base}/</link>'
        f"<item><title>Item {n}</title><link>{base}/pages/{n}.html</link><guid>item-{n}</guid></item>"
        "</channel></rss>"
    )


async def owned(replica: StageProcess) -> set[str]:
    async with aiohttp.ClientSession() as session:
        try:
            async with session.get(f"http://127.0.0.1:{replica.health_port}/feeds") as response:
                feeds: list[dict[str, Any]] = json.loads(await response.text()) if response.status == 200 else []
        except aiohttp.ClientConnectionError:
            return set()
    return {f["url"] for f in feeds if f["owned"]}


async def wait_for_split(replicas: list[StageProcess], urls: set[str], timeout_s: float = 60) -> list[set[str]]:
    """Waits until the live replicas own every feed between them, each feed once, each replica some."""
    async with asyncio.timeout(timeout_s):
        while True:
            shares = [await owned(r) for r in replicas]
            union = set().union(*shares)
            if union == urls and sum(map(len, shares)) == len(urls) and all(shares):
                return shares
            await asyncio.sleep(0.5)


async def polled_by(server: FeedServer, seconds: float) -> dict[str, set[str]]:
    """For each feed path, which replicas (by User-Agent) polled it during the next `seconds`."""
    start = len(server.hits)
    await asyncio.sleep(seconds)
    agents: dict[str, set[str]] = {}
    for hit in server.hits[start:]:
        agents.setdefault(hit.path, set()).add(hit.agent)
    return agents


@pytest.mark.timeout(300)
async def test_replicas_split_fail_over_and_rebalance(broker: EmbeddedBroker, tmp_path: Path) -> None:
    topics = await Topics(broker.bootstrap).create(partitions=6)
    server = await FeedServer().start()
    try:
        paths = [f"/feeds/{n}.xml" for n in range(FEEDS)]
        for n, path in enumerate(paths):
            server.put(path, one_item_feed(server.base, n), "application/rss+xml")
        feeds_file = tmp_path / "feeds.yaml"
        lines = ["feeds:"] + [f"  - url: {server.base}{p}\n    interval_seconds: 0.5" for p in paths]
        feeds_file.write_text("\n".join(lines) + "\n")
        urls = {server.base + p for p in paths}
        env = topics.env(
            feeds_file=str(feeds_file), allow_private_networks="true", per_host_gap_s="0", per_host_concurrency="16"
        )

        def replica(name: str) -> StageProcess:
            return spawn("fetcher", env | {"SITREP_USER_AGENT": name}, tmp_path / name)

        a, b = replica("replica-a"), replica("replica-b")
        try:
            await wait_for_split([a, b], urls)
            window = await polled_by(server, 3)
            assert set(window) == set(paths)  # none orphaned
            assert all(len(agents) == 1 for agents in window.values())  # none polled twice

            a.process.send_signal(signal.SIGKILL)
            await a.wait(10)
            async with asyncio.timeout(60):
                while await owned(b) != urls:
                    await asyncio.sleep(0.5)
            window = await polled_by(server, 3)
            assert set(window) == set(paths)
            assert all(agents == {"replica-b"} for agents in window.values())

            c = replica("replica-c")
            try:
                share_b, share_c = await wait_for_split([b, c], urls)
                assert share_b and share_c
                window = await polled_by(server, 3)
                assert set(window) == set(paths)
                assert all(len(agents) == 1 for agents in window.values())
            finally:
                assert await c.terminate(10) == 0
        finally:
            assert await b.terminate(10) == 0
    finally:
        await server.stop()
    # The hand-overs lost nothing and repeated nothing: each feed's one item went out once.
    items = await read_to_end(broker.bootstrap, topics.settings.topic_items)
    assert sorted(r.key for r in items) == sorted({r.key for r in items})
    assert len(items) == FEEDS
