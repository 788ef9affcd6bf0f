"""The parser's own metrics, beside the per-stage ones in services.kit.metrics."""

from __future__ import annotations

from prometheus_client import Counter

FEED_FALLBACKS = Counter(
    "sitrep_parser_feed_fallbacks_total", "Articles whose text came from the feed entry, by why.", ["reason"]
)
