from __future__ import annotations

from pathlib import Path

import pytest

from services.fetcher.feeds import load_feed_list
from services.kit.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def test_shipped_feed_list_is_valid_and_curated() -> None:
    feeds = load_feed_list(REPO / "deploy" / "base" / "feeds.yaml")
    assert len(feeds) >= 20
    assert all(f.name and f.language for f in feeds)
    assert {"news", "ministry"} == {f.kind for f in feeds}


def test_interval_and_defaults(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "feeds:\n  - url: https://a.example/rss\n    interval_seconds: 600\n  - url: https://b.example/atom\n"
    )
    first, second = load_feed_list(path)
    assert first.interval_seconds == 600
    assert first.kind == "news"
    assert second.interval_seconds is None
    assert second.label == "https://b.example/atom"


@pytest.mark.parametrize(
    "text",
    [
        "feeds:\n  - name: no url\n",
        "feeds:\n  - url: ftp://x.example/feed\n",
        "feeds:\n  - url: https://x.example/f\n    kind: blog\n",
        "feeds:\n  - url: https://x.example/f\n  - url: https://x.example/f\n",
        "feeds: [unclosed\n",
        "not_feeds: []\n",
    ],
)
def test_bad_feed_lists_are_refused_clearly(tmp_path: Path, text: str) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="feed list"):
        load_feed_list(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_feed_list(tmp_path / "absent.yaml")
