"""A running fetcher follows edits of its feed list without a restart."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from devtools.broker import EmbeddedBroker
from devtools.feedserver import FeedServer
from tests.support import Topics, spawn

pytestmark = pytest.mark.integration


def feed(base: str, name: str) -> str:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
        f"<item><title>{name}</title><link>{base}/pages/{name}.html</link></item></channel></rss>"
    )


async def hits_during(server: FeedServer, seconds: float) -> set[str]:
    start = len(server.hits)
    await asyncio.sleep(seconds)
    return {hit.path for hit in server.hits[start:]}


@pytest.mark.timeout(180)
async def test_added_feeds_are_polled_and_removed_ones_stop(broker: EmbeddedBroker, tmp_path: Path) -> None:
    topics = await Topics(broker.bootstrap).create()
    server = await FeedServer().start()
    try:
        for name in ("one", "two"):
            server.put(f"/feeds/{name}.xml", feed(server.base, name), "application/rss+xml")
        feeds_file = tmp_path / "feeds.yaml"

        def write(names: list[str]) -> None:
            entries = "".join(f"  - url: {server.base}/feeds/{n}.xml\n    interval_seconds: 0.3\n" for n in names)
            tmp = tmp_path / "feeds.yaml.tmp"
            tmp.write_text("feeds:\n" + entries)
            os.replace(tmp, feeds_file)

        write(["one"])
        env = topics.env(
            feeds_file=str(feeds_file), allow_private_networks="true", per_host_gap_s="0", feeds_reload_interval_s="0.5"
        )
        fetcher = spawn("fetcher", env, tmp_path)
        try:
            async with asyncio.timeout(60):
                while "/feeds/one.xml" not in await hits_during(server, 0.5):
                    pass
            write(["two"])
            async with asyncio.timeout(30):
                while "/feeds/two.xml" not in await hits_during(server, 0.5):
                    pass
            assert await hits_during(server, 2) == {"/feeds/two.xml"}
        finally:
            assert await fetcher.terminate(10) == 0
    finally:
        await server.stop()
