"""Polls each feed on its schedule and publishes its new items once."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from services.fetcher import metrics
from services.fetcher.entries import parse_entries
from services.fetcher.feeds import FeedSpec
from services.fetcher.settings import FetcherSettings
from services.fetcher.state import StateStore
from services.kit import metrics as stage_metrics
from services.kit.errors import SitrepError
from services.kit.health import Health
from services.kit.httpfetch import HttpLimits, fetch
from services.kit.kafka import Output, send_all
from services.kit.logs import get_logger

log = get_logger(__name__)

STAGE = "fetcher"


@dataclass
class FeedStatus:
    url: str
    name: str | None
    kind: str
    last_result: str | None = None
    last_status: int | None = None
    last_error: str | None = None
    last_error_reason: str | None = None
    consecutive_failures: int = 0
    last_polled_at: str | None = None
    next_poll_in_s: float | None = None
    items_published: int = 0


class Poller:
    def __init__(
        self,
        settings: FetcherSettings,
        feeds: list[FeedSpec],
        store: StateStore,
        client: httpx.AsyncClient,
        producer: AIOKafkaProducer,
        health: Health,
    ) -> None:
        self.settings = settings
        self.feeds = feeds
        self.store = store
        self.client = client
        self.producer = producer
        self.health = health
        self.limits = self.http_limits(settings)
        self.status = {f.url: FeedStatus(f.url, f.name, f.kind) for f in feeds}
        self._next_due: dict[str, float] = {f.url: 0.0 for f in feeds}
        self._slots = asyncio.Semaphore(settings.max_concurrency)
        metrics.FEEDS.set(len(feeds))

    @staticmethod
    def http_limits(settings: FetcherSettings) -> HttpLimits:
        return HttpLimits(
            user_agent=settings.user_agent_for(STAGE),
            max_bytes=settings.max_body_bytes,
            total_timeout_s=settings.request_timeout_s,
            max_redirects=settings.max_redirects,
        )

    def interval(self, spec: FeedSpec) -> float:
        return spec.interval_seconds or self.settings.poll_interval_s

    async def poll(self, spec: FeedSpec) -> None:
        """One poll of one feed. Never raises: every failure is classified, counted and backed off."""
        status = self.status[spec.url]
        status.last_polled_at = datetime.now(UTC).isoformat()
        try:
            result, code = await self._poll(spec, status)
        except SitrepError as exc:
            result, code = "error", None
            status.last_error, status.last_error_reason = str(exc), exc.reason
            metrics.POLL_ERRORS.labels(exc.reason).inc()
            log.warning("feed poll failed", feed=spec.url, reason=exc.reason, error=str(exc)[:300])
        except Exception as exc:  # a feed must never take the fetcher down; the bug is logged in full
            result, code = "error", None
            status.last_error, status.last_error_reason = f"{type(exc).__name__}: {exc}", "internal"
            metrics.POLL_ERRORS.labels("internal").inc()
            log.exception("feed poll crashed", feed=spec.url)
        metrics.POLLS.labels(result).inc()
        status.last_result, status.last_status = result, code or status.last_status
        if result == "error":
            status.consecutive_failures += 1
            stage_metrics.MESSAGES_FAILED.labels(STAGE, "poll").inc()
        else:
            status.consecutive_failures = 0
            status.last_error = status.last_error_reason = None
        metrics.FEEDS_FAILING.set(sum(1 for s in self.status.values() if s.consecutive_failures))
        delay = self.interval(spec)
        if status.consecutive_failures:
            delay = min(delay * 2 ** (status.consecutive_failures - 1), self.settings.max_backoff_s)
            delay *= random.uniform(0.8, 1.2)
        self._next_due[spec.url] = time.monotonic() + delay
        status.next_poll_in_s = round(delay, 1)

    async def _poll(self, spec: FeedSpec, status: FeedStatus) -> tuple[str, int]:
        state = self.store.get(spec.url)
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        response = await fetch(self.client, spec.url, self.limits, headers)
        if response.status == 304:
            # Also when no validator was sent: the server says nothing changed, so nothing is new.
            return "not_modified", 304
        if response.status != 200:
            kind = "http_429" if response.status == 429 else f"http_{response.status // 100}xx"
            raise SitrepError(f"HTTP {response.status}", reason=kind, retriable=response.status >= 500)
        entries = parse_entries(response.content, response.headers, response.final_url, spec)
        stage_metrics.MESSAGES_IN.labels(STAGE).inc(len(entries))
        seen = set(state.seen)
        new = []
        for entry in entries:
            if entry.key in seen:
                continue
            if entry.item.article_id in self.store.published:
                metrics.ITEMS_DUPLICATE.inc()
                continue
            self.store.published.add(entry.item.article_id)  # claimed before the await: feeds poll concurrently
            new.append(entry)
        await send_all(
            self.producer,
            [Output(self.settings.topic_items, e.item.article_id, e.item) for e in new],
            stage=STAGE,
        )
        metrics.ITEMS_NEW.inc(len(new))
        status.items_published += len(new)
        # Validators update independently: a new ETag counts even when Last-Modified stays the same.
        state.etag = response.headers.get("etag") or state.etag
        state.last_modified = response.headers.get("last-modified") or state.last_modified
        state.final_url = response.final_url
        state.last_success_at = datetime.now(UTC)
        dated = [e.item.published_at for e in entries if e.item.published_at]
        state.newest_item_at = max(dated, default=state.newest_item_at)
        state.remember([e.key for e in entries], [e.item.article_id for e in entries], self.settings.seen_per_feed)
        await self.store.save(state)
        if new:
            log.info("feed polled", feed=spec.url, entries=len(entries), new=len(new))
        return "ok", 200

    async def _poll_bounded(self, spec: FeedSpec) -> None:
        async with self._slots:
            await self.poll(spec)

    async def poll_all(self) -> None:
        await asyncio.gather(*(self._poll_bounded(spec) for spec in self.feeds))

    async def run(self, stop: asyncio.Event) -> None:
        running: dict[str, asyncio.Task[None]] = {}
        while not stop.is_set():
            self.health.beat()
            now = time.monotonic()
            for spec in self.feeds:
                if spec.url not in running and self._next_due[spec.url] <= now:
                    task = asyncio.create_task(self._poll_bounded(spec))
                    running[spec.url] = task
                    task.add_done_callback(functools.partial(_forget, running, spec.url))
            idle = [due for url, due in self._next_due.items() if url not in running]
            wait = max(0.05, min(1.0, min(idle, default=now + 1.0) - now))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
        if running:
            log.info("draining feed polls", count=len(running))
            _, unfinished = await asyncio.wait(running.values(), timeout=self.settings.drain_timeout_s)
            for task in unfinished:
                task.cancel()

    def feeds_status(self) -> list[dict[str, Any]]:
        now = time.monotonic()
        out = []
        for spec in self.feeds:
            entry = asdict(self.status[spec.url])
            entry["next_poll_in_s"] = round(max(0.0, self._next_due[spec.url] - now), 1)
            state = self.store.feeds.get(spec.url)
            entry["etag"] = state.etag if state else None
            entry["last_modified"] = state.last_modified if state else None
            entry["newest_item_at"] = state.newest_item_at.isoformat() if state and state.newest_item_at else None
            out.append(entry)
        return out


def _forget(running: dict[str, asyncio.Task[None]], url: str, _: asyncio.Task[None]) -> None:
    running.pop(url, None)
