"""Fetcher throughput per core, beside a bare httpx + feedparser loop over the same responses.

    .venv/bin/python -m bench.fetcher_bench [--feeds 200] [--rounds 10]

The origin runs in its own process and the broker is the embedded one; what is reported is work
per CPU-second of this process (user + system), so the figures are per core whatever else runs."""

from __future__ import annotations

import argparse
import asyncio
import functools
import io
import resource
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import feedparser
import httpx

from devtools.broker import EmbeddedBroker, free_port
from devtools.topics import create_topics
from services.fetcher.feeds import FeedSpec
from services.fetcher.poller import Poller
from services.fetcher.settings import FetcherSettings
from services.fetcher.state import StateStore
from services.kit.health import Health
from services.kit.httpfetch import make_http_client
from services.kit.kafka import make_producer
from services.kit.logs import configure_logging

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = 32


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(rounds: int, calls: Sequence[Callable[[], Awaitable[None]]]) -> tuple[float, float]:
    """(calls per CPU-second, calls per wall-second) over `rounds` passes, CONCURRENCY at a time."""
    slots = asyncio.Semaphore(CONCURRENCY)

    async def bounded(call: Callable[[], Awaitable[None]]) -> None:
        async with slots:
            await call()

    cpu, wall = cpu_seconds(), time.perf_counter()
    for _ in range(rounds):
        await asyncio.gather(*(bounded(call) for call in calls))
    count = rounds * len(calls)
    return count / (cpu_seconds() - cpu), count / (time.perf_counter() - wall)


async def bench(feeds: int, rounds: int) -> list[tuple[str, float, float]]:
    port = free_port()
    origin = subprocess.Popen(
        [sys.executable, "-m", "bench.feed_origin", "--port", str(port), "--feeds", str(feeds)], cwd=ROOT
    )
    base = f"http://127.0.0.1:{port}"
    rows: list[tuple[str, float, float]] = []
    try:
        with EmbeddedBroker() as broker:
            settings = FetcherSettings(
                kafka_bootstrap_servers=broker.bootstrap,
                allow_private_networks=True,
                per_host_gap_s=0,
                per_host_concurrency=CONCURRENCY,
                max_concurrency=CONCURRENCY,
            )
            await create_topics(settings, partitions=1)
            producer = make_producer(settings)
            await producer.start()
            store = StateStore(settings, producer)
            await store.start()
            await store.take_over({0})
            limits = Poller.http_limits(settings)
            async with make_http_client(limits, allow_private_networks=True) as client, httpx.AsyncClient() as bare:
                for _ in range(100):  # the origin is starting
                    try:
                        await bare.get(f"{base}/u/0")
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.1)
                poller = Poller(settings, store, client, producer, Health("fetcher", 600))
                for path in ("c", "u"):
                    specs = [FeedSpec(url=f"{base}/{path}/{n}") for n in range(feeds)]
                    poller.set_feeds(specs)
                    await asyncio.gather(*(poller.poll(spec) for spec in specs))  # first sight: items published
                    sitrep = [functools.partial(poller.poll, spec) for spec in specs]
                    etags = {spec.url: f'"f{n}"' for n, spec in enumerate(specs)}

                    async def bare_poll(url: str, etag: str | None) -> None:
                        response = await bare.get(url, headers={"If-None-Match": etag} if etag else {})
                        if response.status_code == 200:
                            feedparser.parse(io.BytesIO(response.content))

                    sent: dict[str, str | None] = dict(etags) if path == "c" else dict.fromkeys(etags)
                    plain = [functools.partial(bare_poll, url, tag) for url, tag in sent.items()]
                    label = "304 path (conditional GET)" if path == "c" else "200 path (50-item feed, all seen)"
                    cpu, wall = await measure(rounds, plain)
                    rows.append((f"{label}: bare httpx + feedparser", cpu, wall))
                    cpu, wall = await measure(rounds, sitrep)
                    rows.append((f"{label}: sitrep Poller.poll", cpu, wall))
                    assert all(s.last_result in ("ok", "not_modified") for s in poller.status.values())
            await store.stop()
            await producer.stop()
    finally:
        origin.terminate()
        origin.wait()
    return rows


def main() -> None:
    configure_logging("WARNING")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    rows = asyncio.run(bench(args.feeds, args.rounds))
    print("| case | per CPU-second (per core) | per wall-second |")
    print("|---|---:|---:|")
    for label, cpu, wall in rows:
        print(f"| {label} | {cpu:,.0f} | {wall:,.0f} |")


if __name__ == "__main__":
    main()
