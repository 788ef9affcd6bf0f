"""Driving a stage process through a hostile run: its /metrics, /livez and /feeds, its log, its
memory against the limit its Kubernetes Deployment sets, and a poison-message producer."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import yaml
from aiokafka import AIOKafkaProducer

from devtools.pipeline import ROOT, StageProcess
from tests.hostile.memory import MIB, MemorySampler
from tests.support import spawn

T = TypeVar("T")
_SAMPLE = re.compile(r"^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def stand_in_stage(stage: str, env: dict[str, str], log_dir: Path) -> StageProcess:
    """A stage run through tests.hostile.public_stand_in (guard on, 127.0.0.2 counted public)."""
    env = env | {
        "SITREP_GROUP_ID": f"{env['SITREP_GROUP_ID']}-{stage}-stand-in",
        "SITREP_ALLOW_PRIVATE_NETWORKS": "false",
    }
    return StageProcess(stage, env, log_dir, (stage,), module="tests.hostile.public_stand_in", name=f"{stage}-stand-in")


def memory_limit_bytes(stage: str, manifest: Path | None = None) -> int:
    """The container memory limit of the stage's Deployment in deploy/base (also prod's)."""
    path = manifest or ROOT / "deploy" / "base" / f"{stage}.yaml"
    for document in yaml.safe_load_all(path.read_text()):
        if document and document.get("kind") == "Deployment":
            container = document["spec"]["template"]["spec"]["containers"][0]
            return _quantity(container["resources"]["limits"]["memory"])
    raise AssertionError(f"no Deployment in {path}")


def dev_memory_limit_bytes(stage: str) -> int:
    """The dev overlay's patched limit (deploy/overlays/dev/resources.yaml), for the record."""
    for document in yaml.safe_load_all((ROOT / "deploy" / "overlays" / "dev" / "resources.yaml").read_text()):
        if document and document["metadata"]["name"] == stage:
            return _quantity(document["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"])
    raise AssertionError(f"no dev patch for {stage}")


def _quantity(value: str) -> int:
    units = {"Ki": 1024, "Mi": MIB, "Gi": 1024 * MIB}
    for suffix, factor in units.items():
        if value.endswith(suffix):
            return int(value.removesuffix(suffix)) * factor
    return int(value)


def metric(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        found = _SAMPLE.match(line)
        if not found or found.group(1) != name:
            continue
        have = dict(_LABEL.findall(found.group(2) or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            total += float(found.group(3))
    return total


async def get(stage: StageProcess, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{stage.health_port}{path}") as r:
        return r.status, await r.text()


async def feeds(stage: StageProcess) -> list[dict[str, Any]]:
    """The fetcher's /feeds; empty while it starts."""
    status, body = await get(stage, "/feeds")
    if status == 503:
        return []
    assert status == 200, body
    result: list[dict[str, Any]] = json.loads(body)
    return result


async def eventually(probe: Callable[[], Awaitable[T | None]], timeout_s: float, what: str) -> T:
    """The probe's first non-None answer, polling every 0.25 s; fails after timeout_s."""
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                try:
                    if (answer := await probe()) is not None:
                        return answer
                except aiohttp.ClientConnectionError:
                    pass  # not listening yet
                await asyncio.sleep(0.25)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout_s}s waiting for {what}") from None


def assert_clean_log(stage: StageProcess) -> str:
    """The stage's log, asserted free of tracebacks and of crash reports."""
    text = stage.log_path.read_text(errors="replace")
    assert "Traceback" not in text, text[text.index("Traceback") - 2000 : text.index("Traceback") + 3000]
    assert "crashed" not in text
    return text


async def produce_raw(bootstrap: str, topic: str, records: list[tuple[bytes | None, bytes | None]]) -> None:
    """Writes raw records, poison included, to partition 0 in order."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, max_request_size=16 * MIB)
    await producer.start()
    try:
        for key, value in records:
            await producer.send_and_wait(topic, value, key=key, partition=0)
    finally:
        await producer.stop()


def report(stage: str, peak: int, limit: int, dev_limit: int, seconds: float) -> None:
    print(
        f"\n[hostile] {stage}: peak RSS {peak / MIB:.0f} MiB; limit {limit / MIB:.0f} MiB (deploy/base), "
        f"{dev_limit / MIB:.0f} MiB (dev overlay); run {seconds:.1f} s"
    )


@dataclass
class StageRun:
    stage: StageProcess
    metrics: str  # /metrics once every input was processed
    peak_bytes: int
    peak_processes: int
    seconds: float


async def run_until_processed(name: str, env: dict[str, str], log_dir: Path, count: int) -> StageRun:
    """Start the stage, wait until it has processed `count` inputs (outputs or dead letters
    acknowledged), check that it is live, SIGTERM it and check it exits 0; memory sampled throughout."""
    started = time.monotonic()
    stage = spawn(name, env, log_dir)

    async def processed() -> str | None:
        _, text = await get(stage, "/metrics")
        return text if metric(text, "sitrep_processing_seconds_count", stage=name) >= count else None

    try:
        with MemorySampler(stage.process.pid) as memory:
            text = await eventually(processed, 120, "every input processed")
            live, _ = await get(stage, "/livez")
        seconds = time.monotonic() - started
    finally:
        code = await stage.terminate()
    assert code == 0
    assert live == 200
    return StageRun(stage, text, memory.peak_bytes, memory.peak_processes, seconds)
