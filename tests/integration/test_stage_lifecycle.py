"""A stage as operators see it: probes and metrics over HTTP, and a clean exit on SIGTERM."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from devtools.broker import EmbeddedBroker, free_port
from devtools.pipeline import StageProcess
from tests.support import Topics, spawn

pytestmark = pytest.mark.integration


async def probe(session: aiohttp.ClientSession, stage: StageProcess, path: str) -> tuple[int, str]:
    async with session.get(f"http://127.0.0.1:{stage.health_port}{path}") as response:
        return response.status, await response.text()


async def wait_for_status(stage: StageProcess, path: str, status: int, timeout_s: float = 30) -> str:
    async with aiohttp.ClientSession() as session, asyncio.timeout(timeout_s):
        while True:
            try:
                code, body = await probe(session, stage, path)
                if code == status:
                    return body
            except aiohttp.ClientConnectionError:
                pass  # not listening yet
            await asyncio.sleep(0.2)


@pytest.mark.parametrize("stage_name", ["parser", "classifier"])
async def test_ready_then_sigterm_exits_zero(broker: EmbeddedBroker, tmp_path: Path, stage_name: str) -> None:
    topics = await Topics(broker.bootstrap).create()
    stage = spawn(stage_name, topics.env(), tmp_path)
    try:
        ready = await wait_for_status(stage, "/readyz", 200)
        assert '"failing": {}' in ready
        assert "kafka" in ready
        await wait_for_status(stage, "/livez", 200)
        metrics = await wait_for_status(stage, "/metrics", 200)
        assert "sitrep_processing_seconds_bucket" in metrics
        assert "sitrep_kafka_up" in metrics
    finally:
        code = await stage.terminate(timeout_s=10)
    assert code == 0


async def test_not_ready_while_the_broker_is_unreachable(tmp_path: Path) -> None:
    unreachable = Topics(f"127.0.0.1:{free_port()}")
    stage = spawn("parser", unreachable.env(), tmp_path)
    try:
        body = await wait_for_status(stage, "/readyz", 503)
        assert "kafka" in body or "startup" in body
        await wait_for_status(stage, "/livez", 200)
    finally:
        code = await stage.terminate(timeout_s=10)
    assert code == 0
