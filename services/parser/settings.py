from __future__ import annotations

import os

from pydantic import Field

from services.kit.settings import ConsumingStageSettings


class ParserSettings(ConsumingStageSettings):
    group_id: str = "sitrep-parser"
    # Page fetches wait on the network, so more are in flight than there are extraction workers.
    concurrency: int = Field(default=16, ge=1)
    max_page_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    page_timeout_s: float = Field(default=20.0, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    fetch_attempts: int = Field(default=2, ge=1)
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    # trafilatura's memory grows with use (its issue #216): workers are replaced after this many pages.
    worker_max_tasks: int = Field(default=200, ge=1)
    extract_timeout_s: float = Field(default=20.0, gt=0)
    # A page yielding less text than this falls back to the feed's own content, when that is longer.
    min_text_chars: int = Field(default=200, ge=0)
    max_text_chars: int = Field(default=100_000, ge=1000)
    # robots.txt is respected by default, as news-please and Fundus do; each origin's is cached.
    respect_robots: bool = True
    robots_agent: str = "sitrep"
    robots_ttl_s: float = Field(default=3600.0, gt=0)
