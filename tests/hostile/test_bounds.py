"""Unit checks of the bounds the hostile runs rely on: decoding that stops at the cap, the entry
cap per feed, unreadable fetcher state held for its dead letter, the classifier's reading cap."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime

import brotli
import pytest
from aiohttp import web
from aiokafka import ConsumerRecord

from services.classifier.handler import MAX_LABELLED_TEXT_CHARS, MAX_LABELLED_TITLE_CHARS, ClassifierHandler
from services.classifier.settings import ClassifierSettings
from services.fetcher.entries import MAX_ENTRIES, parse_entries
from services.fetcher.feeds import FeedSpec
from services.fetcher.settings import FetcherSettings
from services.fetcher.state import MAX_STATE_BYTES, StateStore
from services.kit.errors import FetchError
from services.kit.httpfetch import HttpLimits, fetch, make_http_client
from services.kit.models import Article, Labels
from tests.loopback import Origin

LIMITS = HttpLimits(user_agent="sitrep-test", max_bytes=64 * 1024, total_timeout_s=5)
ZEROS = b"\0" * (64 * 1024 * 1024)


async def get(origin: Origin, body: bytes, encoding: str) -> bytes:
    async def serve(_: web.Request) -> web.Response:
        return web.Response(body=body, headers={"Content-Encoding": encoding})

    origin.routes["/x"] = serve
    async with make_http_client(LIMITS, allow_private_networks=True) as client:
        return (await fetch(client, origin.base + "/x", LIMITS)).content


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("br", lambda data: brotli.compress(data, quality=5)),
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("gzip, br", lambda data: brotli.compress(gzip.compress(data), quality=5)),
    ],
)
async def test_bombs_stop_at_the_cap(origin: Origin, encoding: str, compress: object) -> None:
    assert callable(compress)
    bomb = compress(ZEROS)
    with pytest.raises(FetchError) as failed:
        await get(origin, bomb, encoding)
    assert failed.value.reason == "too_large"
    assert await get(origin, compress(b"small body"), encoding) == b"small body"


async def test_raw_deflate_and_corrupt_bodies(origin: Origin) -> None:
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    assert await get(origin, raw.compress(b"raw deflate") + raw.flush(), "deflate") == b"raw deflate"
    for encoding, body in (("gzip", b"\x1f\x8b not gzip at all"), ("br", b"\xff\xff not brotli"), ("zstd", b"x")):
        with pytest.raises(FetchError) as failed:
            await get(origin, body, encoding)
        assert failed.value.reason == "decoding"


SPEC = FeedSpec(url="http://127.0.0.1/feed")


@pytest.mark.parametrize(
    ("template", "entry"),
    [
        (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{}</channel></rss>',
            "<item><link>{}</link></item>",
        ),
        (
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{}</feed>',
            '<entry><id>{0}</id><link href="{0}"/></entry>',
        ),
        (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
            '<channel rdf:about="x"><title>t</title><items><rdf:Seq/></items></channel>{}</rdf:RDF>',
            '<item rdf:about="{0}"><title>x</title><link>{0}</link></item>',
        ),
    ],
)
def test_entries_past_the_cap_are_not_read(template: str, entry: str) -> None:
    entries = "".join(entry.format(f"https://news.example/{n}") for n in range(MAX_ENTRIES + 5))
    feed = parse_entries(template.format(entries).encode(), {}, SPEC.url, SPEC)
    assert len(feed.items) == MAX_ENTRIES
    assert feed.items[0].url == "https://news.example/0"


def test_json_feed_cap_and_nesting() -> None:
    items = [{"id": str(n), "url": f"https://news.example/{n}"} for n in range(MAX_ENTRIES + 5)]
    document = {"version": "https://jsonfeed.org/version/1.1", "items": items}
    assert len(parse_entries(json.dumps(document).encode(), {}, SPEC.url, SPEC).items) == MAX_ENTRIES
    nested = b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(FetchError) as failed:
        parse_entries(nested, {"content-type": "application/feed+json"}, SPEC.url, SPEC)
    assert failed.value.reason == "not_a_feed"


def record(key: str, value: bytes | None, offset: int = 0) -> ConsumerRecord[bytes, bytes]:
    size = len(value or b"")
    return ConsumerRecord("state", 0, offset, 0, 0, key.encode(), value, None, len(key), size, ())


def test_unreadable_state_is_held_until_superseded() -> None:
    settings = FetcherSettings(kafka_bootstrap_servers="127.0.0.1:1")
    store = StateStore(settings, producer=None)  # nothing is produced here
    store._apply(record("http://a", b"not json"))
    store._apply(record("http://b", b'{"schema_version": 2, "feed_url": "http://b"}', 1))
    store._apply(record("http://c", b"x" * (MAX_STATE_BYTES + 1), 2))
    assert {key for _, key in store._unreadable} == {"http://a", "http://b", "http://c"}
    assert store.feeds == {}
    store._apply(record("http://a", b'{"feed_url": "http://a"}', 3))  # written again: readable now
    assert "http://a" in store.feeds
    assert {key for _, key in store._unreadable} == {"http://b", "http://c"}
    held = store._unreadable[(0, "http://c")].record.value or b""
    assert len(held) <= 512 * 1024 + 1  # only what the dead letter will carry is kept


class _Recording:
    version = "test"

    def __init__(self) -> None:
        self.seen: list[tuple[int, int]] = []

    def label(self, text: str, title: str | None = None, language: str | None = None) -> Labels:
        self.seen.append((len(text), len(title or "")))
        return Labels()


async def test_the_classifier_reads_a_bounded_prefix() -> None:
    labeler = _Recording()
    settings = ClassifierSettings(kafka_bootstrap_servers="127.0.0.1:1")
    handler = ClassifierHandler(settings, labeler)  # type: ignore[arg-type]  # a recording stand-in
    now = datetime.now(UTC)
    huge = Article(
        article_id="a",
        url="https://news.example/a",
        feed_url="https://news.example/rss",
        title="T" * 1_000_000,
        text="x" * 3_000_000,
        text_source="page",
        fetched_at=now,
        extracted_at=now,
    )
    outputs: Sequence[object] = await handler(huge)
    assert labeler.seen == [(MAX_LABELLED_TEXT_CHARS, MAX_LABELLED_TITLE_CHARS)]
    assert len(outputs) == 1
