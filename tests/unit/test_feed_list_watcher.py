from __future__ import annotations

import os
from pathlib import Path

from services.fetcher.feeds import FeedListWatcher


def configmap(directory: Path, text: str, version: int) -> Path:
    """Writes the feed list the way Kubernetes updates a mounted ConfigMap: a new data directory,
    then an atomic swap of the `..data` symlink that the file name points through."""
    data = directory / f"..{version}"
    data.mkdir()
    (data / "feeds.yaml").write_text(text)
    link = directory / "..data"
    tmp = directory / "..data_tmp"
    tmp.symlink_to(data.name)
    os.replace(tmp, link)
    visible = directory / "feeds.yaml"
    if not visible.is_symlink():
        visible.symlink_to("..data/feeds.yaml")
    return visible


def test_reload_follows_configmap_updates_and_refuses_bad_edits(tmp_path: Path) -> None:
    path = configmap(tmp_path, "feeds:\n  - url: https://a.example/rss\n", 1)
    watcher = FeedListWatcher(path)
    assert [f.url for f in watcher.load()] == ["https://a.example/rss"]
    assert watcher.changed() is None  # nothing changed

    configmap(tmp_path, "feeds:\n  - url: https://b.example/rss\n  - url: https://c.example/rss\n", 2)
    changed = watcher.changed()
    assert changed is not None
    assert [f.url for f in changed] == ["https://b.example/rss", "https://c.example/rss"]

    configmap(tmp_path, "feeds: [broken\n", 3)
    assert watcher.changed() is None  # refused; the list in force stays
    assert watcher.changed() is None  # and the refusal is not repeated every check

    configmap(tmp_path, "feeds:\n  - url: https://d.example/rss\n", 4)
    changed = watcher.changed()
    assert changed is not None
    assert [f.url for f in changed] == ["https://d.example/rss"]
