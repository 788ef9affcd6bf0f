"""robots.txt, respected by default and cached per origin.

We fetch pages from sites that never agreed to it; honouring robots.txt is the minimum courtesy,
and sites that see it ignored block crawlers outright. The status rules follow RFC 9309 (and
Google's crawler): a 4xx means "no robots.txt", so everything is allowed; a 5xx, a 429, a network
failure or an oversized file means we cannot know, so the origin is disallowed, but only for a
short while before we ask again. One fetch per origin per TTL, shared by concurrent callers: a
burst of article URLs from one site must not become a burst of robots.txt requests.

Matching is the standard library's `RobotFileParser`: groups by product token, `*` otherwise,
first matching rule in file order (not RFC 9309's longest match), no `*`/`$` wildcards in paths.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from services.kit.errors import BlockedAddress, SitrepError
from services.kit.httpfetch import HttpLimits, fetch

# A site whose robots.txt failed is asked again after this long at most: long enough not to
# hammer a struggling server, short enough that a blip does not block a site for an hour.
FAILURE_TTL_S = 300.0


@dataclass(frozen=True, slots=True)
class _Rules:
    """One origin's answer: parsed rules, or a blanket allow (rules None, allow_all) / deny."""

    rules: RobotFileParser | None
    allow_all: bool
    expires: float
    # False when this answer stands in for a failed fetch; only a real answer may be reused stale.
    fetched: bool

    def allows(self, agent: str, url: str) -> bool:
        if self.rules is None:
            return self.allow_all
        return self.rules.can_fetch(agent, url)


def _origin(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, lower-cased, default port dropped; None otherwise."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in ("http", "https") or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    default = 80 if scheme == "http" else 443
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


class RobotsCache:
    """`await cache.allowed(url)` before fetching a page. One cache per event loop."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        limits: HttpLimits,
        agent: str = "sitrep",
        ttl_s: float = 3600.0,
        max_bytes: int = 512 * 1024,
        max_origins: int = 10_000,
    ) -> None:
        self._client = client
        self._limits = dataclasses.replace(limits, max_bytes=max_bytes)
        self._agent = agent
        self._ttl_s = ttl_s
        self._failure_ttl_s = min(ttl_s, FAILURE_TTL_S)
        self._max_origins = max_origins
        # Insertion order is fetch order, so the first entries are the oldest to evict.
        self._cache: OrderedDict[str, _Rules] = OrderedDict()
        self._pending: dict[str, asyncio.Task[_Rules]] = {}

    def __len__(self) -> int:
        return len(self._cache)

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt lets our agent fetch `url`. Non-http(s) or hostless URLs: False."""
        origin = _origin(url)
        if origin is None:
            return False
        rules = self._cache.get(origin)
        if rules is None or rules.expires <= time.monotonic():
            rules = await self._refresh(origin, rules)
        return rules.allows(self._agent, url)

    async def _refresh(self, origin: str, stale: _Rules | None) -> _Rules:
        task = self._pending.get(origin)
        if task is None:
            task = asyncio.create_task(self._load(origin, stale))
            self._pending[origin] = task
            task.add_done_callback(lambda done: self._forget(origin, done))
        # shield: a caller that gives up must not cancel the fetch the others are waiting on.
        return await asyncio.shield(task)

    def _forget(self, origin: str, task: asyncio.Task[_Rules]) -> None:
        if self._pending.get(origin) is task:
            del self._pending[origin]

    async def _load(self, origin: str, stale: _Rules | None) -> _Rules:
        rules = await self._fetch(origin)
        if not rules.fetched and stale is not None and stale.fetched:
            # RFC 9309 §2.4 lets a crawler keep a cached copy while robots.txt is unreachable;
            # better than blocking a site we had an answer for because of one 503.
            rules = dataclasses.replace(stale, expires=rules.expires)
        self._cache[origin] = rules
        self._cache.move_to_end(origin)
        while len(self._cache) > self._max_origins:
            self._cache.popitem(last=False)
        return rules

    async def _fetch(self, origin: str) -> _Rules:
        now = time.monotonic()
        allow_all = _Rules(None, True, now + self._ttl_s, fetched=True)
        deny = _Rules(None, False, now + self._failure_ttl_s, fetched=False)
        try:
            response = await fetch(self._client, f"{origin}/robots.txt", self._limits)
        except BlockedAddress:
            # The guard will refuse the page too, and say so; robots.txt has nothing to add.
            return allow_all
        except SitrepError as exc:  # FetchError: timeouts, too_large, ...
            # Redirect loops count as "unavailable" (RFC 9309 §2.3.1.2), not as a failure.
            return allow_all if exc.reason == "redirects" else deny
        status = response.status
        if status == 429 or status >= 500:
            return deny
        if not 200 <= status < 300:
            return allow_all  # 4xx, or a final 3xx without a usable Location: no robots.txt
        parser = RobotFileParser()
        # utf-8-sig: a BOM would otherwise glue itself to the first "User-agent" and hide the group.
        parser.parse(response.content.decode("utf-8-sig", errors="replace").splitlines())
        return _Rules(parser, False, now + self._ttl_s, fetched=True)
