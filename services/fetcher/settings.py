from __future__ import annotations

from pathlib import Path

from pydantic import Field

from services.kit.settings import StageSettings


class FetcherSettings(StageSettings):
    feeds_file: Path = Path("deploy/base/feeds.yaml")
    group_id: str = "sitrep-fetcher"
    # A feed's interval: learnt from how often it publishes (poll_interval_s until it can be),
    # clamped to [min_interval_s, max_interval_s]; interval_seconds in the feed list replaces it.
    poll_interval_s: float = Field(default=900.0, gt=0)
    min_interval_s: float = Field(default=300.0, gt=0)
    max_interval_s: float = Field(default=24 * 3600.0, gt=0)
    # Consecutive failures back off from the feed's interval up to this; a feed is marked broken
    # after broken_after_failures of them (and still retried at the cap).
    max_backoff_s: float = Field(default=24 * 3600.0, gt=0)
    broken_after_failures: int = Field(default=5, ge=1)
    # A feed whose newest item is older than this is marked stale, even while it answers 200.
    stale_after_s: float = Field(default=30 * 86400.0, gt=0)
    # How often the feed list file is checked for changes (a ConfigMap update).
    feeds_reload_interval_s: float = Field(default=5.0, gt=0)
    max_concurrency: int = Field(default=32, ge=1)
    max_body_bytes: int = Field(default=15 * 1024 * 1024, ge=1024)
    request_timeout_s: float = Field(default=30.0, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    # Item keys remembered per feed; enough to cover a feed's window several times over.
    seen_per_feed: int = Field(default=500, ge=10)
