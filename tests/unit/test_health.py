from __future__ import annotations

import aiohttp
import pytest

from devtools.broker import free_port
from services.kit.health import Health, serve_health


def test_liveness_fails_when_the_loop_stops_turning(monkeypatch: pytest.MonkeyPatch) -> None:
    health = Health("test", stuck_after_s=30)
    assert health.liveness()[0]
    now = [1000.0]
    monkeypatch.setattr("services.kit.health.time.monotonic", lambda: now[0])
    health.beat()
    now[0] += 31
    healthy, body = health.liveness()
    assert not healthy
    assert "has not turned" in body["failing"]["loop"]
    health.beat()
    assert health.liveness()[0]


def test_readiness_reports_each_failing_check() -> None:
    health = Health("test", stuck_after_s=30)
    assert health.readiness() == (False, {"ok": [], "failing": {"startup": "not started"}})
    health.add_readiness("kafka", lambda: None)
    health.add_readiness("state", lambda: "loading")
    assert health.readiness() == (False, {"ok": ["kafka"], "failing": {"state": "loading"}})


async def test_endpoints_over_http() -> None:
    health = Health("test", stuck_after_s=30)
    health.add_readiness("kafka", lambda: "broker silent for 20s")
    port = free_port()
    async with serve_health(health, "127.0.0.1", port), aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/livez") as response:
            assert response.status == 200
            assert (await response.json())["ok"] == ["loop"]
        async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
            assert response.status == 503
            assert (await response.json())["failing"] == {"kafka": "broker silent for 20s"}
        async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
            assert response.status == 200
            assert "text/plain" in response.headers["Content-Type"]
            assert "sitrep_messages_in_total" in await response.text()
