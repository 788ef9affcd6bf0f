"""Pages per second through the running parser stage, with 1 and with 2 extraction workers.

    .venv/bin/python -m bench.stage_parser [--repeat 3]

The fundus-eval pages (80, read in place) are served from loopback by another process; items
pointing at them go onto the embedded broker; the stage runs as a subprocess and its articles are
counted as they arrive. Reported: steady throughput (first to last article), and pages per
CPU-second of the stage (its process and its workers, from RUSAGE_CHILDREN)."""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from devtools.broker import EmbeddedBroker, free_port
from devtools.pipeline import StageProcess, stage_env
from devtools.topics import create_topics
from services.kit.kafka import Output, make_producer, send_all
from services.kit.logs import configure_logging
from services.kit.models import NewsItem
from services.kit.settings import StageSettings
from services.kit.urls import article_id, canonical_url

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT.parent / "shared" / "data" / "fundus-eval" / "html"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def run_stage(
    broker: EmbeddedBroker, base: str, ids: list[str], repeat: int, workers: int
) -> tuple[float, float]:
    """(articles per second, first to last; articles per CPU-second of the stage)."""
    settings = StageSettings(
        kafka_bootstrap_servers=broker.bootstrap,
        topic_items=f"bench.items.{workers}",
        topic_articles=f"bench.articles.{workers}",
        topic_dlq=f"bench.dlq.{workers}",
    )
    await create_topics(settings, partitions=4)
    producer = make_producer(settings)
    await producer.start()
    now = datetime.now(UTC)
    outputs = []
    for r in range(repeat):
        for page_id in ids:
            url = canonical_url(f"{base}/p/{page_id}.html?r={r}")
            item = NewsItem(article_id=article_id(url), url=url, link=url, feed_url=base, fetched_at=now)
            outputs.append(Output(settings.topic_items, item.article_id, item))
    await send_all(producer, outputs, stage="bench")
    await producer.stop()
    env = stage_env(
        broker.bootstrap,
        topic_items=settings.topic_items,
        topic_articles=settings.topic_articles,
        topic_dlq=settings.topic_dlq,
        group_id=f"bench-parser-{workers}",
        workers=str(workers),
        allow_private_networks="true",
        per_host_gap_s="0",
        per_host_concurrency="64",
        concurrency="32",
        batch_size="64",
        log_level="WARNING",
    )
    cpu_before = children_cpu()
    stage = StageProcess("parser", env, ROOT / ".run" / "bench-logs" / f"parser-{workers}")
    consumer = AIOKafkaConsumer(
        settings.topic_articles, bootstrap_servers=broker.bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    arrived: list[float] = []
    try:
        async with asyncio.timeout(900):
            while len(arrived) < len(outputs):
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    arrived.extend(time.monotonic() for _ in records)
    finally:
        await consumer.stop()
        await stage.terminate(30)
    cpu = children_cpu() - cpu_before
    return (len(arrived) - 1) / (arrived[-1] - arrived[0]), len(arrived) / cpu


async def bench(repeat: int) -> list[tuple[int, float, float]]:
    ids = sorted(p.name.removesuffix(".html.gz") for p in PAGES.glob("*.html.gz"))
    port = free_port()
    origin = subprocess.Popen(
        [sys.executable, "-m", "bench.page_origin", "--port", str(port), "--pages", str(PAGES)], cwd=ROOT
    )
    try:
        await asyncio.sleep(2)
        with EmbeddedBroker() as broker:
            return [
                (workers, *await run_stage(broker, f"http://127.0.0.1:{port}", ids, repeat, workers))
                for workers in (1, 2)
            ]
    finally:
        origin.terminate()
        origin.wait()


def main() -> None:
    configure_logging("WARNING")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the 80 pages per case")
    args = parser.parse_args()
    rows = asyncio.run(bench(args.repeat))
    print("| extraction workers | articles/s (steady) | articles per CPU-second of the stage |")
    print("|---:|---:|---:|")
    for workers, rate, per_cpu in rows:
        print(f"| {workers} | {rate:.1f} | {per_cpu:.1f} |")
    print(f"\nspeed-up from 1 to 2 workers: {rows[1][1] / rows[0][1]:.2f}x")


if __name__ == "__main__":
    main()
