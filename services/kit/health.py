"""Liveness, readiness and metrics over HTTP, for Kubernetes probes and Prometheus.

Probes read state that the stage keeps up to date; they do no I/O of their own, so a slow broker
cannot make a probe time out. Bodies follow svcs: {"ok": [...], "failing": {name: reason}}.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, Protocol

from aiohttp import web
from aiokafka import AIOKafkaProducer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.kit.logs import get_logger
from services.kit.metrics import KAFKA_UP

log = get_logger(__name__)

#: returns None when healthy, else why not
Check = Callable[[], str | None]


class Health:
    def __init__(self, stage: str, stuck_after_s: float) -> None:
        self.stage = stage
        self.stuck_after_s = stuck_after_s
        self._last_beat = time.monotonic()
        self._readiness: dict[str, Check] = {}
        self._liveness: dict[str, Check] = {"loop": self._loop_turning}

    def beat(self) -> None:
        """The stage's loop calls this each turn; liveness fails when it stops."""
        self._last_beat = time.monotonic()

    def add_readiness(self, name: str, check: Check) -> None:
        self._readiness[name] = check

    def add_liveness(self, name: str, check: Check) -> None:
        self._liveness[name] = check

    def _loop_turning(self) -> str | None:
        idle = time.monotonic() - self._last_beat
        return f"loop has not turned for {idle:.0f}s" if idle > self.stuck_after_s else None

    @staticmethod
    def _run(checks: dict[str, Check]) -> tuple[bool, dict[str, Any]]:
        ok: list[str] = []
        failing: dict[str, str] = {}
        for name, check in checks.items():
            reason = check()
            if reason is None:
                ok.append(name)
            else:
                failing[name] = reason
        return not failing, {"ok": ok, "failing": failing}

    def liveness(self) -> tuple[bool, dict[str, Any]]:
        return self._run(self._liveness)

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        if not self._readiness:
            return False, {"ok": [], "failing": {"startup": "not started"}}
        return self._run(self._readiness)


class KafkaPinger:
    """Asks the broker for metadata on a schedule; readiness reads the outcome."""

    def __init__(self, stage: str, producer: AIOKafkaProducer, interval_s: float, timeout_s: float) -> None:
        self.stage = stage
        self._producer = producer
        self._interval_s = interval_s
        self._timeout_s = timeout_s
        self._last_ok: float | None = None
        self._up_since: float | None = None
        self._last_error = "no answer from the broker yet"

    @property
    def up_since(self) -> float | None:
        """Since when (monotonic) every ping has been answered; None while the broker is not."""
        return self._up_since if self.check() is None else None

    def check(self) -> str | None:
        if self._last_ok is None:
            return self._last_error
        silent = time.monotonic() - self._last_ok
        if silent > self._interval_s + self._timeout_s:
            return f"broker silent for {silent:.0f}s: {self._last_error}"
        return None

    async def ping(self) -> None:
        try:
            await asyncio.wait_for(self._producer.client.fetch_all_metadata(), self._timeout_s)
        except Exception as exc:  # noqa: BLE001  # any failure means "not ready"; the reason is reported, not raised
            self._last_error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self._up_since = None
            KAFKA_UP.labels(self.stage).set(0)
        else:
            self._last_ok = time.monotonic()
            if self._up_since is None:
                self._up_since = self._last_ok
            KAFKA_UP.labels(self.stage).set(1)

    async def run(self) -> None:
        while True:
            await self.ping()
            await asyncio.sleep(self._interval_s)


class _Consumer(Protocol):
    def assignment(self) -> set[Any]: ...
    def last_poll_timestamp(self, partition: Any) -> int | None: ...


class ConsumerWatchdog:
    """Liveness of a group consumer beyond its loop turning.

    aiokafka's consumer can stop fetching after a rebalance or a broker restart while `getmany`
    keeps returning nothing (aiokafka issue #1154): the loop turns, nothing moves, and only a
    restart cures it. Progress is `getmany` handing over records, or a fetch response for an
    assigned partition (aiokafka stamps each one, empty or not, and asks again every
    `fetch_max_wait_ms`). Time spent on a batch does not count (the loop check covers that), nor
    does time while the broker is unreachable (readiness reports that; a restart would not help).
    """

    def __init__(
        self,
        consumer: _Consumer,
        stuck_after_s: float,
        broker_up_since: Callable[[], float | None],
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._consumer = consumer
        self.stuck_after_s = stuck_after_s
        self._broker_up_since = broker_up_since
        self._monotonic = monotonic
        self._wall = wall
        self._last_progress = monotonic()
        self._busy = False
        self._assigned = False

    def fetched(self, records: int) -> None:
        """The runner's `getmany` returned (with this many records)."""
        now = self._monotonic()
        assignment = self._consumer.assignment()
        self._assigned = bool(assignment)
        if records:
            self._last_progress = now
            return
        stamps = [self._consumer.last_poll_timestamp(tp) for tp in assignment]
        newest = max((s for s in stamps if s is not None), default=None)
        if newest is not None:
            answered = now - max(0.0, self._wall() - newest / 1000)
            self._last_progress = max(self._last_progress, answered)

    def working(self) -> None:
        """A batch is being processed: the consumer is not expected to fetch meanwhile."""
        self._busy = True

    def idle(self) -> None:
        """The batch is done; the consumer is expected to fetch again from now on."""
        self._busy = False
        self._last_progress = self._monotonic()

    def check(self) -> str | None:
        up_since = self._broker_up_since()
        if self._busy or up_since is None:
            return None
        stalled = self._monotonic() - max(self._last_progress, up_since)
        if stalled <= self.stuck_after_s:
            return None
        detail = "" if self._assigned else " (no partitions assigned)"
        return f"consumer has not fetched for {stalled:.0f}s{detail}"


def _json_probe(probe: Callable[[], tuple[bool, dict[str, Any]]]) -> Callable[[web.Request], Any]:
    async def handler(_: web.Request) -> web.Response:
        healthy, body = probe()
        return web.json_response(body, status=200 if healthy else 503)

    return handler


async def _metrics(_: web.Request) -> web.Response:
    response = web.Response(body=generate_latest())
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response


@contextlib.asynccontextmanager
async def serve_health(
    health: Health, host: str, port: int, extra_routes: Iterable[web.RouteDef] = ()
) -> AsyncIterator[web.AppRunner]:
    app = web.Application()
    app.add_routes(
        [
            web.get("/livez", _json_probe(health.liveness)),
            web.get("/readyz", _json_probe(health.readiness)),
            web.get("/metrics", _metrics),
            *extra_routes,
        ]
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.info("health server listening", host=host, port=port)
    try:
        yield runner
    finally:
        await runner.cleanup()
