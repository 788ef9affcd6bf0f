"""Runs the three stages as separate processes against a broker (the embedded one when
KAFKA_BOOTSTRAP_SERVERS is unset) and prints one line per enriched article:
theater | actors | event | title.   `python -m devtools.pipeline --help`"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from aiokafka import AIOKafkaConsumer

from devtools.broker import EmbeddedBroker, free_port
from devtools.topics import create_topics
from services.kit.models import EnrichedArticle
from services.kit.settings import StageSettings

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("classifier", "parser", "fetcher")


class StageProcess:
    """One stage as a child process, its output in `<log_dir>/<name>.log`. `module` replaces
    `services.<stage>` for a harness that runs a stage differently (tests)."""

    def __init__(
        self,
        stage: str,
        env: dict[str, str],
        log_dir: Path,
        args: tuple[str, ...] = (),
        *,
        module: str | None = None,
        name: str | None = None,
    ) -> None:
        self.stage = stage
        self.health_port = free_port()
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{name or stage}.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115  # closed in wait()
        self.process = subprocess.Popen(
            [sys.executable, "-m", module or f"services.{stage}", *args],
            cwd=ROOT,
            env=env | {"SITREP_HEALTH_PORT": str(self.health_port)},
            stdout=self._log,
            stderr=self._log,
            # Own session: a terminal's Ctrl-C reaches only the launcher, which stops the stages in order.
            start_new_session=True,
        )

    async def terminate(self, timeout_s: float = 15.0) -> int:
        """SIGTERM, then wait for the drain; the exit code (killed when it overstays)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return await self.wait(timeout_s)

    async def wait(self, timeout_s: float) -> int:
        """The exit code; killed when still running after timeout_s. Waits off the event loop,
        which may be serving the very pages the stage is fetching."""
        try:
            code = await asyncio.to_thread(self.process.wait, timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = await asyncio.to_thread(self.process.wait)
        self._log.close()
        return code


def stage_env(bootstrap: str, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    env |= {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "SITREP_LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1"}
    env |= {f"SITREP_{k.upper()}": v for k, v in settings.items()}
    return env


def summary_line(article: EnrichedArticle) -> str:
    """theater | actors | event | title"""
    theater = article.theaters[0] if article.theaters else None
    parts = (theater.place, theater.admin1, theater.country) if theater else ()
    where = ", ".join(dict.fromkeys(p for p in parts if p)) or "-"
    actors = "; ".join(a.name for a in article.actors[:3]) or "-"
    event = f"{article.events[0].event_type} / {article.events[0].sub_event_type}" if article.events else "-"
    return f"{where} | {actors} | {event} | {article.title or article.url}"


async def tail_enriched(
    settings: StageSettings, on_article: Callable[[EnrichedArticle], None], stop: asyncio.Event, from_start: bool
) -> None:
    consumer = AIOKafkaConsumer(
        settings.topic_enriched,
        **settings.kafka_client_options(),
        group_id=f"sitrep-tail-{uuid.uuid4()}",
        auto_offset_reset="earliest" if from_start else "latest",
        enable_auto_commit=False,
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
    )
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    if record.value is not None:
                        on_article(EnrichedArticle.model_validate_json(record.value))
    finally:
        await consumer.stop()


@contextlib.contextmanager
def broker_for_run(log_dir: Path) -> Iterator[tuple[str, bool]]:
    """(bootstrap servers, whether the broker is embedded and new)."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"], False
        return
    log_dir.mkdir(parents=True, exist_ok=True)
    with EmbeddedBroker(log_dir / "broker.log") as broker:
        yield broker.bootstrap, True


async def run_pipeline(
    feeds_file: Path, log_dir: Path, max_articles: int | None, timeout_s: float | None, extra: dict[str, str]
) -> int:
    """Runs until interrupted, `max_articles` distinct articles are printed, or `timeout_s`.
    Returns how many distinct articles arrived."""
    with broker_for_run(log_dir) as (bootstrap, embedded):
        env = stage_env(bootstrap, feeds_file=str(feeds_file), **extra)
        settings = StageSettings(kafka_bootstrap_servers=bootstrap)
        await create_topics(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, stop.set)
        started = time.monotonic()
        seen: set[str] = set()

        def show(article: EnrichedArticle) -> None:
            if article.article_id in seen:
                return
            seen.add(article.article_id)
            print(summary_line(article), flush=True)
            if len(seen) == 1:
                print(f"# first enriched article after {time.monotonic() - started:.1f}s", file=sys.stderr, flush=True)
            if max_articles is not None and len(seen) >= max_articles:
                stop.set()

        print(f"# broker {bootstrap}; stage logs in {log_dir}/", file=sys.stderr, flush=True)
        stages = [StageProcess(stage, env, log_dir) for stage in STAGES]
        tail = asyncio.create_task(tail_enriched(settings, show, stop, from_start=embedded))
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout_s)
            stop.set()
            await tail
        finally:
            # Stages drain and commit before the broker they commit to is stopped.
            codes = {s.stage: await s.terminate() for s in stages}
            print(f"# stages exited {codes}; {len(seen)} articles", file=sys.stderr, flush=True)
        return len(seen)


app = typer.Typer(add_completion=False)


@app.command()
def main(
    feeds: Annotated[Path, typer.Option(help="Feed list to poll.")] = ROOT / "deploy" / "base" / "feeds.yaml",
    logs: Annotated[Path, typer.Option(help="Where the stages' logs go.")] = ROOT / ".run" / "logs",
    max_articles: Annotated[int | None, typer.Option(help="Exit after this many distinct articles.")] = None,
    timeout: Annotated[float | None, typer.Option(help="Exit after this many seconds.")] = None,
) -> None:
    """Run fetcher -> parser -> classifier and print each enriched article."""
    asyncio.run(run_pipeline(feeds.resolve(), logs, max_articles, timeout, {}))


if __name__ == "__main__":
    app()
