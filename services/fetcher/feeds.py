"""The feed list: a YAML file with a top-level `feeds:` list that operators edit."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from services.kit.errors import ConfigError


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
