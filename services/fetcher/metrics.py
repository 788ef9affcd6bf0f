"""The fetcher's metrics. Totals are plain counters; per-feed series are produced at scrape time
from the poller's status (so ages are current, and a feed removed from the list, or handed to
another replica, stops being reported)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import Counter, Gauge
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from services.fetcher.poller import Poller

POLLS = Counter("sitrep_fetcher_polls_total", "Feed polls by outcome (ok, not_modified, error).", ["result"])
POLL_ERRORS = Counter("sitrep_fetcher_errors_total", "Failed feed polls by class.", ["reason"])
ITEMS_NEW = Counter("sitrep_fetcher_items_published_total", "New items published to the items topic.")
ITEMS_DUPLICATE = Counter(
    "sitrep_fetcher_items_duplicate_total", "Items skipped because another feed already published the article."
)
FEEDS = Gauge("sitrep_fetcher_feeds", "Feeds in the feed list.")
ITEMS_WITHOUT_LINK = Counter("sitrep_fetcher_items_without_link_total", "Feed entries with no article URL, skipped.")
ENTRIES_OVER_CAP = Counter(
    "sitrep_fetcher_entries_over_cap_total", "Feed entries past the per-poll cap (the oldest), not read."
)
FEEDS_MALFORMED = Counter(
    "sitrep_fetcher_malformed_feeds_total", "Polls of feeds that were not well-formed, read leniently."
)
STATE_UNREADABLE = Counter(
    "sitrep_fetcher_state_unreadable_total", "Records on the state topic that could not be read, by reason.", ["reason"]
)
FEED_LIST_ERRORS = Counter("sitrep_fetcher_feed_list_errors_total", "Re-reads of the feed list that were refused.")


class FeedMetrics(Collector):
    def __init__(self, poller: Poller) -> None:
        self._poller = poller

    def collect(self) -> Iterator[Metric]:
        polls = CounterMetricFamily("sitrep_feed_polls", "Polls of a feed by outcome.", labels=["feed", "result"])
        errors = CounterMetricFamily(
            "sitrep_feed_errors", "Failed polls of a feed by class.", labels=["feed", "reason"]
        )
        items = CounterMetricFamily("sitrep_feed_items_published", "New items from a feed.", labels=["feed"])
        success = GaugeMetricFamily(
            "sitrep_feed_last_success_timestamp_seconds", "When the feed last answered 200.", labels=["feed"]
        )
        age = GaugeMetricFamily(
            "sitrep_feed_newest_item_age_seconds", "Age of the feed's newest item.", labels=["feed"]
        )
        broken = GaugeMetricFamily("sitrep_feed_broken", "1 while the feed keeps failing.", labels=["feed"])
        stale = GaugeMetricFamily("sitrep_feed_stale", "1 while the feed's newest item is too old.", labels=["feed"])
        owned = broken_total = stale_total = 0
        now = time.time()
        for url, status in self._poller.status.items():
            if not self._poller.owns(url):
                continue
            owned += 1
            for result, count in status.polls.items():
                polls.add_metric([url, result], count)
            for reason, count in status.errors.items():
                errors.add_metric([url, reason], count)
            items.add_metric([url], status.items_published)
            state = self._poller.store.feeds.get(url)
            if state and state.last_success_at:
                success.add_metric([url], state.last_success_at.timestamp())
            if state and state.newest_item_at:
                age.add_metric([url], now - state.newest_item_at.timestamp())
            is_stale = self._poller.is_stale(url)
            broken.add_metric([url], float(status.broken))
            stale.add_metric([url], float(is_stale))
            broken_total += status.broken
            stale_total += is_stale
        yield from (polls, errors, items, success, age, broken, stale)
        yield GaugeMetricFamily("sitrep_fetcher_feeds_owned", "Feeds this replica polls.", value=owned)
        yield GaugeMetricFamily("sitrep_fetcher_feeds_broken", "Owned feeds marked broken.", value=broken_total)
        yield GaugeMetricFamily("sitrep_fetcher_feeds_stale", "Owned feeds marked stale.", value=stale_total)
