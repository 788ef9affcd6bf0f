from __future__ import annotations

from services.fetcher.state import FeedState


def test_seen_items_are_bounded_and_keep_the_newest() -> None:
    state = FeedState(feed_url="https://f.example/rss")
    state.remember(["a", "b", "c"], ["1", "2", "3"], limit=4)
    state.remember(["b", "d", "e"], ["2", "4", "5"], limit=4)
    # "b" is still in the feed, so it moves to the newest end instead of ageing out.
    assert state.seen == ["c", "b", "d", "e"]
    assert state.articles == ["3", "2", "4", "5"]


def test_state_round_trips_as_json() -> None:
    state = FeedState(feed_url="https://f.example/rss", etag='"v1"', last_modified="Mon, 02 Mar 2026 10:00:00 GMT")
    state.remember(["k"], ["id"], limit=10)
    assert FeedState.model_validate_json(state.model_dump_json()) == state
