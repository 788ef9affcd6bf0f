from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from services.fetcher.entries import html_to_text, parse_entries
from services.fetcher.feeds import FeedSpec
from services.kit.errors import FetchError
from services.kit.urls import article_id

SPEC = FeedSpec(url="https://feeds.example/rss", name="Example", kind="ministry", language="en")
RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
<item><title>Second</title><link>https://news.example/b?utm_source=rss</link><guid>g-2</guid>
<pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate><description>&lt;p&gt;Short.&lt;/p&gt;</description>
<content:encoded><![CDATA[<p>Full one.</p><p>Full two.</p>]]></content:encoded></item>
<item><title>First</title><link>/a</link><guid>g-1</guid><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>
</channel></rss>"""


def test_rss_items_oldest_first_with_canonical_ids() -> None:
    parsed = parse_entries(RSS, {"content-type": "application/rss+xml"}, SPEC.url, SPEC)
    entries = parsed.items
    assert [i.title for i in entries] == ["First", "Second"]
    first, second = entries
    assert first.url == "https://feeds.example/a"  # relative link resolved against the feed
    assert second.url == "https://news.example/b"
    assert second.link.endswith("utm_source=rss")
    assert second.article_id == article_id("https://news.example/b")
    assert second.content == "Full one.\n\nFull two."
    assert second.summary == "Short."
    assert second.published_at == datetime(2026, 3, 3, 10, tzinfo=UTC)
    assert (second.feed_kind, second.feed_language, second.feed_name) == ("ministry", "en", "Example")
    assert parsed.entries[0].key.startswith("guid:")


def test_atom() -> None:
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>MoD</title>
    <entry><id>tag:mod,2026:1</id><title>Statement</title><link rel="alternate" href="https://mod.example/s1"/>
    <updated>2026-03-01T08:00:00Z</updated><summary>Minister said.</summary></entry></feed>"""
    (entry,) = parse_entries(atom, {"content-type": "application/atom+xml"}, SPEC.url, SPEC).items
    assert entry.url == "https://mod.example/s1"
    assert entry.guid == "tag:mod,2026:1"
    assert entry.published_at == datetime(2026, 3, 1, 8, tzinfo=UTC)


def test_json_feed() -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "items": [
            {
                "id": "1",
                "url": "https://j.example/1",
                "title": "T",
                "content_html": "<p>Body</p>",
                "date_published": "2026-03-01T08:00:00Z",
            }
        ],
    }
    content_type = {"content-type": "application/feed+json"}
    (entry,) = parse_entries(json.dumps(document).encode(), content_type, SPEC.url, SPEC).items
    assert entry.url == "https://j.example/1"
    assert entry.content == "Body"
    assert entry.published_at == datetime(2026, 3, 1, 8, tzinfo=UTC)


def test_identity_rules() -> None:
    rss = b"""<rss version="2.0"><channel><title>T</title>
    <item><title>A</title><link>https://x.example/1</link><guid>same</guid></item>
    <item><title>B</title><link>https://x.example/2</link><guid>same</guid></item>
    <item><title>C</title><link>https://x.example/3</link></item>
    </channel></rss>"""
    keys = sorted(e.key.split(":")[0] for e in parse_entries(rss, {}, SPEC.url, SPEC).entries)
    assert keys == ["guid+link", "guid+link", "link"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty_body"),
        (b"   ", "empty_body"),
        (b"<html><body>Not a feed</body></html>", "not_a_feed"),
        (b'{"hello": 1}', "not_a_feed"),
        (b"{broken", "not_a_feed"),
    ],
)
def test_not_a_feed(body: bytes, reason: str) -> None:
    with pytest.raises(FetchError) as failed:
        parse_entries(body, {"content-type": "text/html"}, SPEC.url, SPEC)
    assert failed.value.reason == reason


def test_html_to_text() -> None:
    assert html_to_text("<p>One <b>bold</b></p><p>Two<br>lines</p>") == "One bold\n\nTwo\nlines"
    assert html_to_text("plain") == "plain"
    assert html_to_text("  ") is None


def test_rss_ttl_is_reported() -> None:
    rss = b"""<rss version="2.0"><channel><title>T</title><ttl>60</ttl>
    <item><title>A</title><link>https://x.example/1</link></item></channel></rss>"""
    assert parse_entries(rss, {}, SPEC.url, SPEC).ttl_minutes == "60"


def test_known_entries_are_not_built_again() -> None:
    first = parse_entries(RSS, {}, SPEC.url, SPEC)
    again = parse_entries(RSS, {}, SPEC.url, SPEC, known={first.entries[0].key})
    assert [e.key for e in again.entries] == [e.key for e in first.entries]
    assert [i.title for i in again.items] == ["Second"]
    assert again.entries[0].published_at == first.entries[0].published_at


def test_scripts_in_entry_html_never_become_text() -> None:
    assert html_to_text("<p>Shelling.</p><script>alert(1)</script><style>p{}</style>") == "Shelling."
