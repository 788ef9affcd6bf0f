from __future__ import annotations

import pytest

from services.kit.urls import article_id, canonical_url


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTPS://Example.COM:443/a/b?utm_source=x&story=3&fbclid=zz#frag", "https://example.com/a/b?story=3"),
        ("http://example.com:80/a?gclid=4&utm_medium=r", "http://example.com/a"),
        (
            "https://www.bbc.co.uk/news/world-123?at_medium=RSS&at_campaign=KARANGA",
            "https://www.bbc.co.uk/news/world-123",
        ),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


def test_relative_links_resolve_against_the_feed() -> None:
    assert canonical_url("/news/1?utm_campaign=a", base="https://MoD.example.org/feed.xml") == (
        "https://mod.example.org/news/1"
    )


def test_article_id_is_stable_and_shared_by_variants_of_one_url() -> None:
    a = article_id(canonical_url("https://example.com/story?utm_source=rss"))
    b = article_id(canonical_url("https://EXAMPLE.com:443/story#comments"))
    assert a == b == article_id("https://example.com/story")
    assert len(a) == 32
    assert int(a, 16) >= 0
    assert article_id("https://example.com/other") != a
