"""End-to-end load and soak: fetcher -> parser -> classifier over the embedded broker, fed from a
loopback origin (bench/load_origin.py) with real news pages.

    .venv/bin/python -m bench.load_e2e burst --feeds 100 --items 100       # 10,000 articles at once
    .venv/bin/python -m bench.load_e2e steady --rate 10 --minutes 30      # the soak; writes a plot

Figures, from the records themselves:
- per stage, articles per second: records on its output topic over the span of their broker
  timestamps (the producer's CreateTime);
- latency of an article: its `news.enriched` timestamp minus `fetched_at`, when the fetcher read
  the feed that carried it (so the poll wait is excluded);
- resident memory: VmRSS of each stage's process tree (the parser's extraction workers included),
  sampled every second.

The stages run with their defaults except: feeds polled every 2 s, no per-host politeness gap
(the origin is ours), 2 extraction workers (this machine's cores), private networks allowed."""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from devtools.broker import EmbeddedBroker, free_port
from devtools.pipeline import StageProcess, stage_env
from devtools.proctree import tree_cpu_s, tree_rss_bytes
from devtools.topics import create_topics
from services.kit.settings import StageSettings

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT.parent / "shared" / "data" / "fundus-eval" / "html"
STAGES = ("classifier", "parser", "fetcher")


@dataclass
class Samples:
    rows: list[tuple[float, dict[str, float]]] = field(default_factory=list)
    peak: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    def take(self, elapsed: float, stages: dict[str, StageProcess]) -> None:
        now = {name: tree_rss_bytes(stage.process.pid) / 2**20 for name, stage in stages.items()}
        self.rows.append((elapsed, now))
        for name, mb in now.items():
            self.peak[name] = max(self.peak.get(name, 0.0), mb)


@dataclass
class Topic:
    first_ms: int | None = None
    last_ms: int = 0
    count: int = 0
    keys: set[bytes] = field(default_factory=set)

    def add(self, key: bytes, timestamp_ms: int) -> None:
        self.count += 1
        self.keys.add(key)
        self.first_ms = timestamp_ms if self.first_ms is None else min(self.first_ms, timestamp_ms)
        self.last_ms = max(self.last_ms, timestamp_ms)

    @property
    def rate(self) -> float:
        span = (self.last_ms - (self.first_ms or 0)) / 1000
        return len(self.keys) / span if span > 0 else 0.0


@dataclass
class Recorder:
    topics: dict[str, Topic] = field(default_factory=dict)
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (enriched at, seconds)

    async def run(self, settings: StageSettings, stop: asyncio.Event) -> None:
        names = {
            settings.topic_items: "items",
            settings.topic_articles: "articles",
            settings.topic_enriched: "enriched",
            settings.topic_dlq: "dlq",
        }
        consumer = AIOKafkaConsumer(
            *names,
            **settings.kafka_client_options(),
            group_id=f"sitrep-load-{uuid.uuid4()}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            session_timeout_ms=6000,
            heartbeat_interval_ms=500,
            max_partition_fetch_bytes=8 * 1024 * 1024,
        )
        await consumer.start()
        try:
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=300, max_records=2000)
                for tp, records in batches.items():
                    topic = self.topics.setdefault(names[tp.topic], Topic())
                    for record in records:
                        topic.add(record.key or b"", record.timestamp)
                        if tp.topic == settings.topic_enriched and record.value is not None:
                            fetched = _fetched_at(record.value)
                            if fetched is not None:
                                self.latencies.append((record.timestamp / 1000, record.timestamp / 1000 - fetched))
        finally:
            await consumer.stop()

    def enriched(self) -> int:
        return len(self.topics.get("enriched", Topic()).keys)


def _fetched_at(value: bytes) -> float | None:
    # Only one field is needed: a substring search is far cheaper than validating 30 KB of JSON.
    marker = b'"fetched_at":"'
    at = value.find(marker)
    if at < 0:
        return None
    end = value.index(b'"', at + len(marker))
    return datetime.fromisoformat(value[at + len(marker) : end].decode()).timestamp()


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def quantiles(values: Sequence[float]) -> str:
    return " · ".join(f"p{q} {percentile(values, q):.2f}" for q in (50, 95, 99))


async def run(args: argparse.Namespace, work: Path) -> tuple[Recorder, Samples, float]:
    origin_port = free_port()
    rate = args.rate if args.mode == "steady" else 0.0
    origin = subprocess.Popen(
        [
            *(sys.executable, "-m", "bench.load_origin", "--port", str(origin_port), "--pages", str(PAGES)),
            *("--feeds", str(args.feeds), "--items", str(args.items), "--rate", str(rate)),
        ],
        cwd=ROOT,
    )
    feeds = work / "feeds.yaml"
    feeds.write_text(
        "feeds:\n"
        + "".join(
            f"  - {{url: 'http://127.0.0.1:{origin_port}/f/{k}.xml', name: load {k}}}\n" for k in range(args.feeds)
        )
    )
    recorder, samples = Recorder(), Samples()
    with EmbeddedBroker(work / "broker.log") as broker:
        settings = StageSettings(kafka_bootstrap_servers=broker.bootstrap)
        await create_topics(settings)
        env = stage_env(
            broker.bootstrap,
            feeds_file=str(feeds),
            allow_private_networks="true",
            poll_interval_s="2",
            min_interval_s="1",
            per_host_gap_s="0",
            per_host_concurrency="32",
            workers="2",
            log_level="WARNING",
            **dict(item.split("=", 1) for item in args.set),
        )
        stages = {name: StageProcess(name, env, work / "logs") for name in STAGES}
        stop = asyncio.Event()
        recording = asyncio.create_task(recorder.run(settings, stop))
        started = time.monotonic()
        sampling_stop = threading.Event()

        def sample() -> None:
            while not sampling_stop.wait(1.0):
                samples.take(time.monotonic() - started, stages)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            deadline = started + (args.minutes * 60 if args.mode == "steady" else args.timeout)
            target = args.feeds * args.items
            while time.monotonic() < deadline:
                await asyncio.sleep(1.0)
                if args.mode == "burst" and recorder.enriched() >= target:
                    break
                for name, stage in stages.items():
                    if stage.process.poll() is not None:
                        tail = stage.log_path.read_text(errors="replace")[-2000:]
                        raise RuntimeError(f"the {name} stage exited:\n{tail}")
            elapsed = time.monotonic() - started
            samples.cpu = {name: tree_cpu_s(stage.process.pid) for name, stage in stages.items()}
            samples.cpu["broker"] = tree_cpu_s(broker.pid) if broker.pid else 0.0
            samples.cpu["origin"] = tree_cpu_s(origin.pid)
        finally:
            sampling_stop.set()
            sampler.join()
            stop.set()
            await recording
            codes = {name: await stage.terminate() for name, stage in stages.items()}
            origin.terminate()
            origin.wait()
        if any(codes.values()):
            print(f"exit codes: {codes}", file=sys.stderr)
    return recorder, samples, elapsed


def report(args: argparse.Namespace, recorder: Recorder, samples: Samples, elapsed: float) -> None:
    topics = recorder.topics
    served = args.feeds * args.items if args.mode == "burst" else None
    print(f"mode {args.mode}; {args.feeds} feeds; run {elapsed:.0f} s; machine: {os.cpu_count()} cores\n")
    print("| stage (output topic) | articles | articles/s | peak RSS (MB) |")
    print("|---|---:|---:|---:|")
    for stage, topic in (("fetcher", "items"), ("parser", "articles"), ("classifier", "enriched")):
        t = topics.get(topic, Topic())
        print(f"| {stage} (`{topic}`) | {len(t.keys):,} | {t.rate:.1f} | {samples.peak.get(stage, 0):.0f} |")
    enriched = topics.get("enriched", Topic())
    items = topics.get("items", Topic())
    if enriched.first_ms is not None and items.first_ms is not None:
        total_rate = len(enriched.keys) / ((enriched.last_ms - items.first_ms) / 1000)
        whole = f"| **end to end** (first item published to last article enriched) | {len(enriched.keys):,}"
        print(f"{whole} | **{total_rate:.1f}** | |")
    latencies = [seconds for _, seconds in recorder.latencies]
    print(f"\nLatency, feed read to enriched message (s), {len(latencies):,} articles: {quantiles(latencies)}")
    if args.mode == "steady":
        settled = [s for t, s in recorder.latencies if t - recorder.latencies[0][0] > 120] if latencies else []
        print(f"Latency after the first 2 minutes: {quantiles(settled)}")
    if samples.cpu and enriched.keys:
        per = ", ".join(f"{name} {1000 * cpu / len(enriched.keys):.1f}" for name, cpu in samples.cpu.items())
        print(f"CPU per article (ms), by process tree: {per}")
    duplicates = enriched.count - len(enriched.keys)
    print(f"Duplicates on news.enriched: {duplicates}; dead letters: {topics.get('dlq', Topic()).count}.")
    if served is not None:
        print(f"Served {served:,}; enriched {len(enriched.keys):,}.")


def memory_trend(samples: Samples, skip_s: float = 300.0) -> dict[str, float]:
    """Least-squares slope of RSS after the warm-up, in MB per hour, per stage."""
    slopes = {}
    rows = [(t, rss) for t, rss in samples.rows if t >= skip_s]
    for stage in STAGES:
        points = [(t, rss[stage]) for t, rss in rows]
        if len(points) < 3:
            continue
        slopes[stage] = statistics.linear_regression([p[0] for p in points], [p[1] for p in points]).slope * 3600
    return slopes


def write_soak(samples: Samples, recorder: Recorder, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.with_suffix(".csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["seconds", *(f"{s}_rss_mb" for s in STAGES)])
        for t, rss in samples.rows[::10]:
            writer.writerow([round(t), *(round(rss[s], 1) for s in STAGES)])
    # The bench group's; imported here because only the soak draws.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (mem, lat) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    minutes = [t / 60 for t, _ in samples.rows]
    for stage in STAGES:
        mem.plot(minutes, [rss[stage] for _, rss in samples.rows], label=stage)
    mem.set_ylabel("resident memory (MB)")
    mem.set_ylim(bottom=0)
    mem.legend(loc="lower right")
    mem.set_title("sitrep soak: resident memory per stage (process tree) and latency")
    if recorder.latencies:
        t0 = samples.rows[0][0] if samples.rows else 0.0
        first = recorder.latencies[0][0]
        lat.plot([(t - first + t0) / 60 for t, _ in recorder.latencies], [s for _, s in recorder.latencies], ".", ms=1)
    lat.set_ylabel("feed read → enriched (s)")
    lat.set_xlabel("minutes")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("burst", "steady"))
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=100, help="burst: items per feed")
    parser.add_argument("--rate", type=float, default=10.0, help="steady: articles a second")
    parser.add_argument("--minutes", type=float, default=30.0, help="steady: how long")
    parser.add_argument("--timeout", type=float, default=900.0, help="burst: give up after this many seconds")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a stage setting")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "soak-memory.png", help="steady: the plot")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sitrep-load-") as scratch:
        recorder, samples, elapsed = asyncio.run(run(args, Path(scratch)))
    report(args, recorder, samples, elapsed)
    if args.mode == "steady":
        trend = memory_trend(samples)
        print(
            "RSS trend after the first 5 minutes (MB per hour): " + ", ".join(f"{s} {v:+.1f}" for s, v in trend.items())
        )
        write_soak(samples, recorder, args.plot)
        print(f"Plot: {args.plot}; samples: {args.plot.with_suffix('.csv')}")


if __name__ == "__main__":
    main()
