from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from services.fetcher.schedule import Bounds, learnt_interval_s, next_interval_s, server_floor_s
from services.kit.httpfetch import retry_after_s

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
BOUNDS = Bounds(default_s=900, min_s=300, max_s=86400, max_backoff_s=43200)


def http_date(delta: timedelta) -> str:
    return format_datetime(NOW + delta, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "ttl", "floor"),
    [
        ({"cache-control": "max-age=600"}, None, 600),
        ({"cache-control": "public, s-maxage=60, max-age=1200"}, None, 1200),
        ({"cache-control": "no-cache, max-age=600"}, None, None),
        ({"expires": http_date(timedelta(hours=2))}, None, 7200),
        ({"expires": http_date(timedelta(hours=2)), "cache-control": "max-age=60"}, None, 60),  # max-age wins
        ({"expires": "0"}, None, None),
        ({}, "30", 1800),
        ({"cache-control": "max-age=60"}, "30", 1800),  # the longest ask holds
        ({}, None, None),
    ],
)
def test_server_floor(headers: dict[str, str], ttl: str | None, floor: float | None) -> None:
    assert server_floor_s(headers, ttl, NOW) == floor


def test_retry_after_in_both_forms() -> None:
    assert retry_after_s("120", NOW) == 120
    assert retry_after_s(http_date(timedelta(minutes=5)), NOW) == 300
    assert retry_after_s("soon", NOW) is None
    assert retry_after_s(None, NOW) is None


def test_learnt_interval_is_half_the_mean_gap() -> None:
    every_two_hours = [NOW - timedelta(hours=2 * n) for n in range(8)]
    assert learnt_interval_s(every_two_hours) == 3600
    assert learnt_interval_s([NOW]) is None
    assert learnt_interval_s([NOW, NOW]) is None


def test_bounds_and_overrides() -> None:
    assert next_interval_s(BOUNDS, fixed_s=None, learnt_s=None, floor_s=None, failures=0) == 900
    assert next_interval_s(BOUNDS, fixed_s=None, learnt_s=10, floor_s=None, failures=0) == 300
    assert next_interval_s(BOUNDS, fixed_s=None, learnt_s=10**7, floor_s=None, failures=0) == 86400
    assert next_interval_s(BOUNDS, fixed_s=60, learnt_s=3600, floor_s=None, failures=0) == 60
    # The server's ask outranks the operator's and the learnt interval, up to the maximum.
    assert next_interval_s(BOUNDS, fixed_s=60, learnt_s=None, floor_s=1200, failures=0) == 1200
    assert next_interval_s(BOUNDS, fixed_s=None, learnt_s=None, floor_s=10**8, failures=0) == 86400


def test_backoff_doubles_with_jitter_up_to_the_cap_and_honours_retry_after() -> None:
    waits = [next_interval_s(BOUNDS, fixed_s=None, learnt_s=None, floor_s=None, failures=n) for n in range(1, 8)]
    for n, wait in enumerate(waits[:5], start=1):
        assert 900 * 2 ** (n - 1) * 0.8 <= wait <= 900 * 2 ** (n - 1) * 1.2
    assert max(waits) <= 43200
    assert next_interval_s(BOUNDS, fixed_s=None, learnt_s=None, floor_s=None, failures=1, retry_after=5000) == 5000
