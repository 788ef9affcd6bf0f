"""Per-host politeness for outgoing HTTP requests.

The fetcher polls thousands of feeds and the parser fetches article pages, often many from one
site at once. Global concurrency is bounded elsewhere; this module keeps us from hammering any
single origin: at most `per_host` requests in flight to a host, and at least `min_gap_s` between
the starts of consecutive requests to it. Sites that see bursts from one client rate-limit or ban
it, which costs us far more than the delay.

Everything runs on one event loop, so code between two `await`s is atomic; that is the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit


def host_key(url: str) -> str:
    """The politeness key of a URL: its lower-cased hostname, plus the port only if one is explicit.

    http://a:8080 and http://a are different servers as far as load goes; http and https on the
    default ports are one server. Subdomains stay separate: they are often different machines.
    """
    parts = urlsplit(url.strip())
    host = parts.hostname  # already lower-cased, IPv6 brackets stripped
    if not host:
        raise ValueError(f"URL has no host: {url!r}")
    if ":" in host:
        host = f"[{host}]"  # keep an IPv6 address distinguishable from its port
    port = parts.port  # raises ValueError for a malformed port, which is the caller's bug
    return host if port is None else f"{host}:{port}"


@dataclass(slots=True)
class _Host:
    active: int = 0
    # FIFO of waiters for a slot; a released slot is handed to the first live one, so arrival
    # order is kept and a newcomer cannot overtake the queue.
    waiters: deque[asyncio.Future[None]] = field(default_factory=deque)
    # The start chain: resolves to the loop time at which the latest request in start order
    # actually started. Each request takes its place in the chain synchronously (the reservation)
    # and sleeps until min_gap_s after its predecessor's real start. Spacing from real starts, not
    # from reserved times, keeps the gap even when the loop runs late and a wake-up slips.
    last_start: asyncio.Future[float] | None = None
    idle_since: float = 0.0


class HostLimiter:
    """Caps concurrent requests per host and spaces their starts by at least `min_gap_s`.

    Use as `async with limiter.slot(url): ...` around one request. Not thread-safe; one limiter
    belongs to one event loop.
    """

    def __init__(self, per_host: int = 2, min_gap_s: float = 1.0, idle_ttl_s: float = 600.0) -> None:
        if per_host < 1:
            raise ValueError("per_host must be at least 1")
        if min_gap_s < 0:
            raise ValueError("min_gap_s must not be negative")
        if idle_ttl_s <= 0:
            raise ValueError("idle_ttl_s must be positive")
        self._per_host = per_host
        self._min_gap_s = min_gap_s
        self._idle_ttl_s = idle_ttl_s
        self._hosts: dict[str, _Host] = {}
        self._next_sweep = 0.0

    def hosts(self) -> int:
        """How many hosts have state now: busy ones plus those idle for less than the TTL."""
        return len(self._hosts)

    @contextlib.asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Wait for a free slot for the URL's host and for its start time, then hold the slot."""
        key = host_key(url)
        loop = asyncio.get_running_loop()
        self._maybe_sweep(loop.time())
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host()

        await self._acquire(host)
        try:
            # Slot first, then the place in the start chain, so start order is the FIFO slot order
            # and a request never sits in the chain holding up others while it waits for a slot.
            previous = host.last_start
            mine: asyncio.Future[float] = loop.create_future()
            host.last_start = mine
            try:
                if previous is not None:
                    # shield: our cancellation must not cancel the predecessor's future, which
                    # its owner resolves and we pass on.
                    previous_start = await asyncio.shield(previous)
                    delay = previous_start + self._min_gap_s - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                mine.set_result(loop.time())
            finally:
                if not mine.done():
                    # Cancelled while waiting: hand our successor the predecessor's start time, so
                    # it is spaced from a request that really ran and nothing shifts later.
                    _forward(previous, mine)
            yield
        finally:
            self._release(host, loop.time())

    async def _acquire(self, host: _Host) -> None:
        # Slots are only ever handed over while someone waits, so a free slot means an empty queue.
        if host.active < self._per_host:
            host.active += 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        host.waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                # The slot was handed to us in the same tick we were cancelled: pass it on.
                self._release(host, asyncio.get_running_loop().time())
            elif waiter in host.waiters:  # a release may already have dropped it from the queue
                host.waiters.remove(waiter)
            raise

    def _release(self, host: _Host, now: float) -> None:
        while host.waiters:
            waiter = host.waiters.popleft()
            if not waiter.done():  # a cancelled waiter leaves the queue itself, but may not have yet
                waiter.set_result(None)  # hand the slot over; `active` stays the same
                return
        host.active -= 1
        if host.active == 0:
            host.idle_since = now

    def _maybe_sweep(self, now: float) -> None:
        # Lazy cleanup, at most once per TTL: one pass over the dict is cheap at that rate, and
        # memory stays bounded by the hosts touched in the last two TTLs without a background task.
        if now < self._next_sweep:
            return
        self._next_sweep = now + self._idle_ttl_s
        stale = [
            key
            for key, host in self._hosts.items()
            # No active request also means no waiters: a host only queues while its slots are full.
            if host.active == 0
            and now - host.idle_since >= self._idle_ttl_s
            # Dropping a host before its last start is min_gap_s old would let the next request
            # skip its gap when the TTL is shorter than the gap.
            and _gap_passed(host.last_start, now, self._min_gap_s)
        ]
        for key in stale:
            del self._hosts[key]


def _forward(previous: asyncio.Future[float] | None, mine: asyncio.Future[float]) -> None:
    """Resolve `mine` with the predecessor's start time, now or once the predecessor has one."""
    if previous is None:
        mine.set_result(float("-inf"))  # no predecessor: our successor has nothing to wait for
    elif previous.done():
        mine.set_result(previous.result())
    else:
        previous.add_done_callback(lambda done: mine.set_result(done.result()))


def _gap_passed(last_start: asyncio.Future[float] | None, now: float, min_gap_s: float) -> bool:
    # A pending future means a start is still being passed along the chain: not idle yet.
    return last_start is None or (last_start.done() and now >= last_start.result() + min_gap_s)
