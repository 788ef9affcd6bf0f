"""The feed list: a YAML file with a top-level `feeds:` list that operators edit."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from services.fetcher import metrics
from services.kit.errors import ConfigError
from services.kit.logs import get_logger

log = get_logger(__name__)


class FeedSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    name: str | None = None
    kind: Literal["news", "ministry"] = "news"
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    interval_seconds: float | None = Field(default=None, gt=0)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("feed url must be http(s)")
        return url

    @property
    def label(self) -> str:
        return self.name or self.url


class FeedList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feeds: list[FeedSpec]


def load_feed_list(path: Path) -> list[FeedSpec]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        feeds = FeedList.model_validate(document).feeds
    except OSError as exc:
        raise ConfigError(f"cannot read feed list {path}: {exc}") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"invalid feed list {path}: {exc}") from exc
    unique = {feed.url: feed for feed in feeds}
    if len(unique) != len(feeds):
        raise ConfigError(f"feed list {path} names a url twice")
    return feeds


class FeedListWatcher:
    """Re-reads the feed list when the file changes. Kubernetes updates a mounted ConfigMap by
    swapping a symlink, so the followed file's identity and mtime are compared, not its path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._signature: tuple[int, int, int] | None = None

    def _current(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def load(self) -> list[FeedSpec]:
        """The list now; raises ConfigError when it is unreadable."""
        self._signature = self._current()
        return load_feed_list(self.path)

    def changed(self) -> list[FeedSpec] | None:
        """The new list when the file changed and is valid; None otherwise (a bad edit is
        logged and counted once, and the list in force stays)."""
        signature = self._current()
        if signature is None or signature == self._signature:
            return None
        self._signature = signature
        try:
            feeds = load_feed_list(self.path)
        except ConfigError as exc:
            metrics.FEED_LIST_ERRORS.inc()
            log.error("feed list change refused; keeping the current list", error=str(exc)[:500])
            return None
        log.info("feed list reloaded", feeds=len(feeds))
        return feeds
