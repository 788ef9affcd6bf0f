"""What the fault tests share: a news site that publishes articles while the test runs, a reader
of the enriched topic, the stages' probes, and the figures each test reports for
docs/reliability.md."""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from devtools.feedserver import DEMO_DIR, FeedServer
from devtools.pipeline import StageProcess
from services.kit.urls import article_id, canonical_url
from tests.support import MARKER, REPO, Topics

#: the demo pages: real article layouts that pass the parser's article gate
_PAGES = sorted((DEMO_DIR / "pages").glob("*.html"))

#: stage settings that make the fault tests quick: polls every second, no politeness gap on
#: loopback, and group rebalances that notice a killed member within seconds
FAST = {
    "allow_private_networks": "true",
    "poll_interval_s": "1",
    "min_interval_s": "1",
    "per_host_gap_s": "0",
    "per_host_concurrency": "8",
    "kafka_ping_interval_s": "1",
    "kafka_ping_timeout_s": "2",
    "log_level": "INFO",
}


def fault_env(topics: Topics, **extra: str) -> dict[str, str]:
    """The stages' environment for a test's topics, with FAST and `extra` settings."""
    env = topics.env(**(FAST | extra))
    # A killed member is noticed after the session timeout; Topics' 6 s would make kills slow.
    return env | {"SITREP_SESSION_TIMEOUT_MS": "3000", "SITREP_HEARTBEAT_INTERVAL_MS": "300"}


def report(case: str, **figures: Any) -> None:
    """One line of figures per case, shown by `make test-faults` (pytest -s) for docs/reliability.md."""
    print(f"\nFIGURES {case}: {json.dumps(figures, sort_keys=True, default=str)}", flush=True)


class NewsSite:
    """Feeds on a loopback FeedServer that gain articles as the test publishes them."""

    def __init__(self, server: FeedServer, feeds: int = 3) -> None:
        self.server = server
        self.feed_paths = [f"/feeds/wire-{n}.rss.xml" for n in range(feeds)]
        self._items: dict[str, list[tuple[str, str]]] = {path: [] for path in self.feed_paths}
        self.ids: set[str] = set()
        self.published = 0
        for path in self.feed_paths:
            self._put_feed(path)

    def feeds_yaml(self, directory: Path) -> Path:
        lines = ["feeds:"]
        for path in self.feed_paths:
            lines += [f"  - url: {self.server.base}{path}", "    language: en", "    interval_seconds: 1"]
        feeds_file = directory / "feeds.yaml"
        feeds_file.write_text("\n".join(lines) + "\n")
        return feeds_file

    def page_url(self, n: int) -> str:
        return f"{self.server.base}/pages/story-{n:04d}.html"

    def add(self, count: int) -> set[str]:
        """Publish `count` new articles, spread over the feeds; their ids."""
        added: set[str] = set()
        touched: set[str] = set()
        for _ in range(count):
            n = self.published
            self.published += 1
            page = _PAGES[n % len(_PAGES)].read_text(encoding="utf-8").replace("__BASE__", self.server.base)
            path = f"/pages/story-{n:04d}.html"
            self.server.put(path, page, "text/html; charset=utf-8")
            feed = self.feed_paths[n % len(self.feed_paths)]
            self._items[feed].append((path, f"Story {n}"))
            touched.add(feed)
            added.add(article_id(canonical_url(self.page_url(n))))
        for feed in touched:
            self._put_feed(feed)
        self.ids |= added
        return added

    def _put_feed(self, path: str) -> None:
        base = self.server.base
        entries = "".join(
            f"<item><title>{html.escape(title)}</title><link>{base}{page}</link><guid>{base}{page}</guid>"
            f"<pubDate>Tue, 10 Mar 2026 17:25:00 GMT</pubDate><description>{html.escape(title)}</description></item>"
            for page, title in reversed(self._items[path])
        )
        channel = f"<title>Wire {path}</title><link>{base}/</link>{entries}"
        self.server.put(
            path, f'<?xml version="1.0"?><rss version="2.0"><channel>{channel}</channel></rss>', "application/rss+xml"
        )


class TopicTail:
    """Reads a topic from its start in the background, without a group, counting keys."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.keys: Counter[str] = Counter()
        self.first_seen: dict[str, float] = {}
        self._arrived = asyncio.Event()

    async def _read(self) -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = None
            while not partitions:
                partitions = consumer.partitions_for_topic(self.topic)
                if not partitions:
                    await consumer._client.force_metadata_update()  # the topic may be new to this client
                    await asyncio.sleep(0.2)
            assigned = [TopicPartition(self.topic, p) for p in sorted(partitions)]
            consumer.assign(assigned)
            await consumer.seek_to_beginning(*assigned)
            while True:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    self._take(batch)
        finally:
            await consumer.stop()

    def _take(self, batch: list[ConsumerRecord[bytes, bytes]]) -> None:
        for record in batch:
            if record.key is None or record.key == MARKER:
                continue
            key = record.key.decode()
            self.keys[key] += 1
            self.first_seen.setdefault(key, time.monotonic())
        self._arrived.set()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[TopicTail]:
        task = asyncio.create_task(self._read())
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def wait_for(self, keys: set[str], timeout_s: float) -> None:
        """Until every one of `keys` has arrived; fails after timeout_s, naming how many are missing."""
        try:
            async with asyncio.timeout(timeout_s):
                while not keys <= self.keys.keys():
                    self._arrived.clear()
                    await self._arrived.wait()
        except TimeoutError:
            missing = len(keys - self.keys.keys())
            raise AssertionError(f"{missing} of {len(keys)} keys never reached {self.topic}") from None

    async def wait_for_count(self, count: int, timeout_s: float) -> None:
        async with asyncio.timeout(timeout_s):
            while len(self.keys) < count:
                self._arrived.clear()
                await self._arrived.wait()


async def probe(stage: StageProcess | int, path: str) -> tuple[int, dict[str, Any]]:
    """A probe's status and JSON body (of a stage, or of whatever serves on a port); (0, {}) when
    nothing answers."""
    port = stage if isinstance(stage, int) else stage.health_port
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as session,
            session.get(f"http://127.0.0.1:{port}{path}") as response,
        ):
            return response.status, await response.json()
    except (aiohttp.ClientError, TimeoutError):
        return 0, {}


async def wait_until_ready(stages: list[StageProcess], timeout_s: float = 60) -> None:
    async with asyncio.timeout(timeout_s):
        for stage in stages:
            while (await probe(stage, "/readyz"))[0] != 200:
                assert stage.process.poll() is None, f"{stage.stage} exited with {stage.process.returncode}"
                await asyncio.sleep(0.2)


def grace_period_s(stage: str) -> float:
    """terminationGracePeriodSeconds of the stage's Deployment in deploy/base."""
    for doc in yaml.safe_load_all((REPO / "deploy" / "base" / f"{stage}.yaml").read_text()):
        if doc and doc.get("kind") == "Deployment":
            return float(doc["spec"]["template"]["spec"]["terminationGracePeriodSeconds"])
    raise AssertionError(f"no Deployment in deploy/base/{stage}.yaml")


def duplicates(keys: Counter[Any]) -> int:
    """Records beyond the first under each key."""
    return sum(count - 1 for count in keys.values())
