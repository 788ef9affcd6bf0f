"""Polls each feed this replica owns on its own schedule and publishes its new items once."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from services.fetcher import metrics
from services.fetcher.entries import parse_entries
from services.fetcher.feeds import FeedSpec
from services.fetcher.schedule import Bounds, learnt_interval_s, next_interval_s, server_floor_s
from services.fetcher.settings import FetcherSettings
from services.fetcher.state import StateStore
from services.kit import metrics as stage_metrics
from services.kit.errors import FetchError, SitrepError
from services.kit.health import Health
from services.kit.httpfetch import HttpLimits, fetch, retry_after_s
from services.kit.kafka import Output, send_all
from services.kit.logs import get_logger
from services.kit.politeness import HostLimiter

log = get_logger(__name__)

STAGE = "fetcher"


@dataclass
class FeedStatus:
    spec: FeedSpec
    last_result: str | None = None
    last_status: int | None = None
    last_error: str | None = None
    last_error_reason: str | None = None
    consecutive_failures: int = 0
    broken: bool = False
    last_polled_at: datetime | None = None
    interval_s: float | None = None
    server_floor_s: float | None = None
    next_due: float = 0.0
    polls: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    items_published: int = 0


@dataclass(frozen=True)
class _Outcome:
    result: str
    status: int
    floor_s: float | None


class Poller:
    def __init__(
        self,
        settings: FetcherSettings,
        store: StateStore,
        client: httpx.AsyncClient,
        producer: AIOKafkaProducer,
        health: Health,
        owns: Callable[[str], bool] = lambda _: True,
    ) -> None:
        self.settings = settings
        self.store = store
        self.client = client
        self.producer = producer
        self.health = health
        self.owns = owns
        self.limits = self.http_limits(settings)
        self.bounds = Bounds(
            settings.poll_interval_s, settings.min_interval_s, settings.max_interval_s, settings.max_backoff_s
        )
        self.limiter = HostLimiter(settings.per_host_concurrency, settings.per_host_gap_s)
        self.status: dict[str, FeedStatus] = {}
        self._slots = asyncio.Semaphore(settings.max_concurrency)
        self._running: dict[str, asyncio.Task[None]] = {}
        # Feeds are parsed off the event loop (a 10,000-item feed takes a second, and every other
        # poll's timeout would run meanwhile), one at a time, so that the memory of only one
        # large feed is held at once.
        self._parser = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-parser")

    @staticmethod
    def http_limits(settings: FetcherSettings) -> HttpLimits:
        return HttpLimits(
            user_agent=settings.user_agent_for(STAGE),
            max_bytes=settings.max_body_bytes,
            total_timeout_s=settings.request_timeout_s,
            max_redirects=settings.max_redirects,
        )

    def set_feeds(self, feeds: Iterable[FeedSpec]) -> None:
        """Adopt a (re-read) feed list: new feeds are due now, removed ones stop, edits apply."""
        wanted = {feed.url: feed for feed in feeds}
        for url in list(self.status):
            if url not in wanted:
                del self.status[url]
        for url, spec in wanted.items():
            if url in self.status:
                self.status[url].spec = spec
            else:
                self.status[url] = FeedStatus(spec)
        metrics.FEEDS.set(len(self.status))

    def is_stale(self, url: str) -> bool:
        state = self.store.feeds.get(url)
        newest = state.newest_item_at if state else None
        return newest is not None and (datetime.now(UTC) - newest).total_seconds() > self.settings.stale_after_s

    async def poll(self, spec: FeedSpec) -> None:
        """One poll of one feed. Never raises: every failure is classified, counted and backed off."""
        status = self.status.get(spec.url) or FeedStatus(spec)
        status.last_polled_at = datetime.now(UTC)
        retry_after: float | None = None
        try:
            async with self.limiter.slot(spec.url):
                outcome = await self._poll(spec, status)
        except SitrepError as exc:
            outcome = _Outcome("error", getattr(exc, "status", 0), None)
            status.last_error, status.last_error_reason = str(exc), exc.reason
            retry_after = getattr(exc, "retry_after_s", None)
            log.warning("feed poll failed", feed=spec.url, reason=exc.reason, error=str(exc)[:300])
        except Exception as exc:  # a feed must never take the fetcher down; the bug is logged in full
            outcome = _Outcome("error", 0, None)
            status.last_error, status.last_error_reason = f"{type(exc).__name__}: {exc}", "internal"
            log.exception("feed poll crashed", feed=spec.url)
        status.polls[outcome.result] += 1
        status.last_result, status.last_status = outcome.result, outcome.status or status.last_status
        metrics.POLLS.labels(outcome.result).inc()
        if outcome.result == "error":
            reason = status.last_error_reason or "internal"
            status.errors[reason] += 1
            metrics.POLL_ERRORS.labels(reason).inc()
            stage_metrics.MESSAGES_FAILED.labels(STAGE, reason).inc()
            status.consecutive_failures += 1
        else:
            status.consecutive_failures = 0
            status.last_error = status.last_error_reason = None
            status.server_floor_s = outcome.floor_s if outcome.floor_s is not None else status.server_floor_s
        status.broken = status.consecutive_failures >= self.settings.broken_after_failures
        state = self.store.feeds.get(spec.url)
        status.interval_s = next_interval_s(
            self.bounds,
            fixed_s=spec.interval_seconds,
            learnt_s=state.adaptive_interval_s if state else None,
            floor_s=status.server_floor_s,
            failures=status.consecutive_failures,
            retry_after=retry_after,
        )
        status.next_due = time.monotonic() + status.interval_s

    async def _poll(self, spec: FeedSpec, status: FeedStatus) -> _Outcome:
        stored = self.store.feeds.get(spec.url)
        headers = {}
        if stored and stored.etag:
            headers["If-None-Match"] = stored.etag
        if stored and stored.last_modified:
            headers["If-Modified-Since"] = stored.last_modified
        response = await fetch(self.client, spec.url, self.limits, headers)
        now = datetime.now(UTC)
        if response.status == 304:
            # Also when no validator was sent: the server says nothing changed, so nothing is new.
            return _Outcome("not_modified", 304, server_floor_s(response.headers, None, now))
        if response.status != 200:
            raise HttpStatusError(response.status, retry_after_s(response.headers.get("retry-after"), now))
        state = self.store.snapshot(spec.url)  # copied only now: most polls change nothing
        parse = functools.partial(
            parse_entries, response.content, response.headers, response.final_url, spec, known=set(state.seen)
        )
        feed = await asyncio.get_running_loop().run_in_executor(self._parser, parse)
        stage_metrics.MESSAGES_IN.labels(STAGE).inc(len(feed.entries))
        unseen = [e.item for e in feed.entries if e.item is not None]
        new = []
        for item in unseen:
            if self.store.is_published(item.article_id):
                metrics.ITEMS_DUPLICATE.inc()
                continue
            self.store.claim(item.article_id)  # before the awaits: feeds poll concurrently
            new.append(item)
        await send_all(self.producer, [Output(self.settings.topic_items, i.article_id, i) for i in new], stage=STAGE)
        metrics.ITEMS_NEW.inc(len(new))
        status.items_published += len(new)
        # Validators update independently: a new ETag counts even when Last-Modified stays the same.
        etag = response.headers.get("etag") or state.etag
        last_modified = response.headers.get("last-modified") or state.last_modified
        unchanged = not unseen and (etag, last_modified, response.final_url) == (
            state.etag,
            state.last_modified,
            state.final_url,
        )
        state.etag, state.last_modified, state.final_url = etag, last_modified, response.final_url
        state.last_success_at = now
        dated = [e.published_at for e in feed.entries if e.published_at]
        state.newest_item_at = max(dated, default=state.newest_item_at)
        state.adaptive_interval_s = learnt_interval_s(dated) or state.adaptive_interval_s
        keys = [e.key for e in feed.entries]
        state.remember(keys, [i.article_id for i in unseen], max(self.settings.seen_per_feed, 2 * len(keys)))
        if unchanged:
            self.store.touch(state)  # nothing worth a write: the stored state already says this
        else:
            await self.store.save(state)
        if new:
            log.info("feed polled", feed=spec.url, entries=len(feed.entries), new=len(new))
        return _Outcome("ok", 200, server_floor_s(response.headers, feed.ttl_minutes, now))

    async def _poll_bounded(self, spec: FeedSpec) -> None:
        async with self._slots:
            await self.poll(spec)

    async def poll_all(self) -> None:
        await asyncio.gather(*(self._poll_bounded(s.spec) for s in list(self.status.values())))

    def _start_due(self) -> None:
        now = time.monotonic()
        for url, status in self.status.items():
            if url not in self._running and status.next_due <= now and self.owns(url):
                task = asyncio.create_task(self._poll_bounded(status.spec))
                self._running[url] = task
                task.add_done_callback(functools.partial(_forget, self._running, url))

    async def run(self, stop: asyncio.Event, reload: Callable[[], list[FeedSpec] | None] | None = None) -> None:
        next_reload = time.monotonic() + self.settings.feeds_reload_interval_s
        while not stop.is_set():
            self.health.beat()
            if reload and time.monotonic() >= next_reload:
                next_reload = time.monotonic() + self.settings.feeds_reload_interval_s
                if (feeds := reload()) is not None:
                    self.set_feeds(feeds)
            self._start_due()
            idle = [s.next_due for url, s in self.status.items() if url not in self._running and self.owns(url)]
            wait = max(0.05, min(1.0, min(idle, default=time.monotonic() + 1.0) - time.monotonic()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
        await self.settle(lambda _: True)

    async def settle(self, which: Callable[[str], bool]) -> None:
        """Let in-flight polls of the chosen feeds finish (within the drain time), so that a feed
        handed to another replica is never polled by two at once."""
        tasks = [task for url, task in self._running.items() if which(url)]
        if tasks:
            log.info("waiting for feed polls to finish", count=len(tasks))
            _, unfinished = await asyncio.wait(tasks, timeout=self.settings.drain_timeout_s)
            for task in unfinished:
                task.cancel()

    def feeds_status(self) -> list[dict[str, Any]]:
        now = time.monotonic()
        out = []
        for url, status in self.status.items():
            state = self.store.feeds.get(url)
            out.append(
                {
                    "url": url,
                    "name": status.spec.name,
                    "kind": status.spec.kind,
                    "owned": self.owns(url),
                    "last_result": status.last_result,
                    "last_status": status.last_status,
                    "last_error": status.last_error,
                    "last_error_reason": status.last_error_reason,
                    "consecutive_failures": status.consecutive_failures,
                    "broken": status.broken,
                    "stale": self.is_stale(url),
                    "last_polled_at": status.last_polled_at.isoformat() if status.last_polled_at else None,
                    "interval_s": round(status.interval_s, 1) if status.interval_s else None,
                    "next_poll_in_s": round(max(0.0, status.next_due - now), 1),
                    "items_published": status.items_published,
                    "etag": state.etag if state else None,
                    "last_modified": state.last_modified if state else None,
                    "last_success_at": state.last_success_at.isoformat() if state and state.last_success_at else None,
                    "newest_item_at": state.newest_item_at.isoformat() if state and state.newest_item_at else None,
                }
            )
        return out


class HttpStatusError(FetchError):
    """A feed answered with a status that is neither 200 nor 304."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        reason = "http_429" if status == 429 else f"http_{status // 100}xx"
        super().__init__(f"HTTP {status}", reason=reason, retriable=status == 429 or status >= 500)
        self.status = status
        self.retry_after_s = retry_after if status in (429, 503) else None


def _forget(running: dict[str, asyncio.Task[None]], url: str, _: asyncio.Task[None]) -> None:
    running.pop(url, None)
