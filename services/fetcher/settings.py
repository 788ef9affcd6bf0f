from __future__ import annotations

from pathlib import Path

from pydantic import Field

from services.kit.settings import StageSettings


class FetcherSettings(StageSettings):
    feeds_file: Path = Path("deploy/feeds.yaml")
    # Used when a feed sets no interval_seconds of its own.
    poll_interval_s: float = Field(default=900.0, gt=0)
    # Consecutive failures back off from the feed's interval up to this.
    max_backoff_s: float = Field(default=6 * 3600.0, gt=0)
    max_concurrency: int = Field(default=32, ge=1)
    max_body_bytes: int = Field(default=15 * 1024 * 1024, ge=1024)
    request_timeout_s: float = Field(default=30.0, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    # Item keys remembered per feed; enough to cover any feed's window several times over.
    seen_per_feed: int = Field(default=2000, ge=10)
