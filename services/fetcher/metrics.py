"""The fetcher's own metrics, beside the per-stage ones in services.kit.metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

POLLS = Counter("sitrep_feed_polls_total", "Feed polls by outcome (ok, not_modified, error).", ["result"])
POLL_ERRORS = Counter("sitrep_feed_errors_total", "Failed feed polls by class.", ["reason"])
ITEMS_NEW = Counter("sitrep_feed_items_published_total", "New items published to the items topic.")
ITEMS_DUPLICATE = Counter(
    "sitrep_feed_items_duplicate_total", "Items skipped because another feed already published the article."
)
FEEDS = Gauge("sitrep_feeds", "Feeds in the feed list.")
FEEDS_FAILING = Gauge("sitrep_feeds_failing", "Feeds whose last poll failed.")
