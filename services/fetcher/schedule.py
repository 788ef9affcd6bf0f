"""When to poll a feed next: learnt from how often it publishes, clamped to bounds, never sooner
than the server asks (RSS <ttl>, Cache-Control max-age, Expires, Retry-After), and backed off
exponentially, with jitter, while it fails."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from services.kit.httpfetch import seconds_until

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
# Items used to learn a feed's rhythm: enough to smooth bursts, recent enough to follow changes.
_RHYTHM_ITEMS = 20


@dataclass(frozen=True)
class Bounds:
    default_s: float
    min_s: float
    max_s: float
    max_backoff_s: float


def server_floor_s(headers: Mapping[str, str], ttl_minutes: str | None, now: datetime) -> float | None:
    """The longest interval the server asks for, from its cache headers and the feed's <ttl>."""
    asks: list[float] = []
    cache_control = headers.get("cache-control", "")
    if "no-cache" not in cache_control.lower():
        if match := _MAX_AGE.search(cache_control):
            asks.append(float(match.group(1)))
        elif expires := headers.get("expires"):
            # Expires is ignored when max-age is present (RFC 9111 5.3).
            base = seconds_until(headers["date"], now) if headers.get("date") else None
            until = seconds_until(expires, now)
            if until is not None:
                asks.append(until if base is None else until - base)
    if ttl_minutes and ttl_minutes.strip().isdigit():
        asks.append(float(ttl_minutes) * 60)
    return max(asks) if asks else None


def learnt_interval_s(published: Iterable[datetime]) -> float | None:
    """Half the mean gap between the feed's recent items: each new item is seen within about
    half its usual wait. None when there are too few dated items to tell."""
    recent = sorted(published)[-_RHYTHM_ITEMS:]
    if len(recent) < 2:
        return None
    span = (recent[-1] - recent[0]).total_seconds()
    return span / (len(recent) - 1) / 2 if span > 0 else None


def next_interval_s(
    bounds: Bounds,
    *,
    fixed_s: float | None,
    learnt_s: float | None,
    floor_s: float | None,
    failures: int,
    retry_after: float | None = None,
) -> float:
    """The wait before the next poll. An operator's fixed interval replaces the learnt one; the
    server's floor applies to both (up to the maximum interval, so a year-long max-age cannot
    silence a feed); failures back off from there, up to the cap."""
    interval = fixed_s or min(max(learnt_s or bounds.default_s, bounds.min_s), bounds.max_s)
    if floor_s:
        interval = max(interval, min(floor_s, bounds.max_s))
    if failures:
        interval = min(interval * 2 ** (failures - 1), bounds.max_backoff_s) * random.uniform(0.8, 1.2)
        interval = min(interval, bounds.max_backoff_s)
    if retry_after:
        interval = max(interval, min(retry_after, bounds.max_backoff_s))
    return interval
