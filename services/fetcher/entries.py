"""Feed bytes to items: feedparser does the formats (RSS 0.9x/1.0/2.0, Atom, JSON Feed is
read by `_json_feed`), this module decides each entry's identity and canonical article URL."""

from __future__ import annotations

import calendar
import hashlib
import io
import itertools
import json
import re
import time
import xml.sax
from collections import Counter
from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser
import lxml.etree
import lxml.html

from services.fetcher import metrics
from services.fetcher.decoding import feed_to_utf8
from services.fetcher.feeds import FeedSpec
from services.kit.errors import FetchError
from services.kit.models import NewsItem
from services.kit.urls import article_id, canonical_url

# Caps keep every item far below the broker's message size, whatever a feed serves.
MAX_TITLE_CHARS = 1_000
MAX_SUMMARY_CHARS = 20_000
MAX_CONTENT_CHARS = 200_000
# Entries read per poll. Reading costs about 5 kB of memory per entry, so a hostile feed of
# 100,000 tiny items (5 MB, well under the body cap) would need 500 MB; real feeds carry a few
# hundred. Feeds list newest first, so the entries past the cap are the oldest.
MAX_ENTRIES = 10_000


def _capped(text: str | None, limit: int) -> str | None:
    return text[:limit] if text else text


@dataclass(frozen=True)
class ParsedFeed:
    entries: list[Entry]
    #: RSS <ttl>: minutes the feed asks clients to wait between polls
    ttl_minutes: str | None = None

    @property
    def items(self) -> list[NewsItem]:
        """The items built: those of entries that were not `known`."""
        return [e.item for e in self.entries if e.item is not None]


@dataclass(frozen=True)
class Entry:
    key: str
    """identity within the feed: the GUID, GUID+link when GUIDs repeat, else the link"""
    published_at: datetime | None
    item: NewsItem | None = None


_BLOCKS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr"})


def html_to_text(fragment: str | None) -> str | None:
    """Plain text of an entry's HTML, paragraphs separated by blank lines."""
    if not fragment or not fragment.strip():
        return None
    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return fragment.strip()
    for unwanted in list(root.iter("script", "style")):
        unwanted.drop_tree()  # feedparser's sanitising is off: scripts must not become text
    for element in root.iter():
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in _BLOCKS:
            element.tail = "\n\n" + (element.tail or "")
    paragraphs = []
    for block in root.text_content().split("\n\n"):
        lines = (" ".join(line.split()) for line in block.split("\n"))
        paragraphs.append("\n".join(line for line in lines if line))
    return "\n\n".join(p for p in paragraphs if p) or None


def _timestamp(parsed: Any) -> datetime | None:
    """feedparser's UTC struct_time, or a JSON Feed's RFC 3339 string, as an aware datetime."""
    if isinstance(parsed, time.struct_time):
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    if isinstance(parsed, str):
        try:
            value = datetime.fromisoformat(parsed)
        except ValueError:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def _key(digest_of: str) -> str:
    return hashlib.sha256(digest_of.encode("utf-8")).hexdigest()[:24]


# An entry's start tag (RSS <item>, Atom <entry>, with or without a namespace prefix; not <items>).
_ENTRY_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]")
_MARKUP = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[?!][^>]*>", re.DOTALL)
_TAG = re.compile(rb"<(/?)([A-Za-z_][\w.:-]*)[^>]*?(/?)>")


def _first_entries(document: bytes, limit: int) -> bytes:
    """The XML document cut before its entry number `limit + 1`, the elements still open there
    closed (so the strict parser reads it whole); unchanged when it has no more entries."""
    starts = [m.start() for m in itertools.islice(_ENTRY_START.finditer(document), limit + 1)]
    if len(starts) <= limit:
        return document
    dropped = sum(1 for _ in _ENTRY_START.finditer(document, starts[limit]))
    metrics.ENTRIES_OVER_CAP.inc(dropped)
    # The elements open at the first entry (rss and channel, rdf:RDF, feed) are open at the cut too.
    stack: list[bytes] = []
    for closing, name, empty in _TAG.findall(_MARKUP.sub(b"", document[: starts[0]])):
        if closing:
            if name in stack:
                del stack[len(stack) - 1 - stack[::-1].index(name) :]
        elif not empty:
            stack.append(name)
    return document[: starts[limit]] + b"".join(b"</" + name + b">" for name in reversed(stack))


def _looks_like_json(content: bytes, content_type: str) -> bool:
    return "json" in content_type or content.lstrip()[:1] == b"{"


def _json_feed(content: bytes) -> list[dict[str, Any]]:
    """JSON Feed 1.x (jsonfeed.org), which feedparser does not read, as feedparser-like entries."""
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: nesting too deep
        raise FetchError(f"not a feed: invalid JSON: {exc}", reason="not_a_feed") from exc
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith("https://jsonfeed.org/"):
        raise FetchError("not a feed: JSON without a JSON Feed version", reason="not_a_feed")
    items = document.get("items") or []
    if not isinstance(items, list):
        raise FetchError("not a feed: JSON Feed items are not a list", reason="not_a_feed")
    if len(items) > MAX_ENTRIES:
        metrics.ENTRIES_OVER_CAP.inc(len(items) - MAX_ENTRIES)
    entries = []
    for raw in items[:MAX_ENTRIES]:
        if not isinstance(raw, dict):
            continue
        entries.append(
            {
                "id": raw.get("id"),
                "link": raw.get("url") or raw.get("external_url"),
                "title": raw.get("title"),
                "summary": raw.get("summary"),
                "content": [{"value": raw.get("content_html") or raw.get("content_text")}],
                "published_parsed": raw.get("date_published") or raw.get("date_modified"),
            }
        )
    return entries


def parse_entries(
    content: bytes, headers: Mapping[str, str], final_url: str, spec: FeedSpec, known: Container[str] = ()
) -> ParsedFeed:
    """Every entry of the feed that has an article URL, oldest first, and the feed's <ttl>.
    Entries whose key is `known` come without an item: only new ones are worth building."""
    if not content.strip():
        raise FetchError("empty body", reason="empty_body")
    content_type = headers.get("content-type", "")
    raw_entries: list[Any]
    ttl: str | None = None
    if _looks_like_json(content, content_type):
        raw_entries = _json_feed(content)
    else:
        # Decoded here, not by feedparser, which trusts declared charsets that are often wrong.
        media_type = content_type.split(";")[0].strip() or "application/xml"
        # Sanitising HTML and resolving the links inside it are for display; sitrep keeps only
        # text, and resolves each entry's link itself (canonical_url), so no base URL is given.
        parsed = feedparser.parse(
            io.BytesIO(_first_entries(feed_to_utf8(content, content_type), MAX_ENTRIES)),
            response_headers={"content-type": f"{media_type}; charset=utf-8"},
            sanitize_html=False,
            resolve_relative_uris=False,
        )
        if not parsed.entries and (parsed.bozo or not parsed.version):
            problem = parsed.get("bozo_exception") or "no feed format recognised"
            raise FetchError(f"not a feed: {problem}", reason="not_a_feed")
        if isinstance(parsed.get("bozo_exception"), xml.sax.SAXParseException):
            metrics.FEEDS_MALFORMED.inc()  # not well-formed XML, read by feedparser's lenient parser
        raw_entries = list(parsed.entries)
        ttl = parsed.feed.get("ttl")

    guid_counts = Counter(e.get("id") for e in raw_entries if e.get("id"))
    fetched_at = datetime.now(UTC)
    entries: list[Entry] = []
    for raw in raw_entries:
        guid = raw.get("id") or None
        link = raw.get("link") or (guid if guid and guid.startswith(("http://", "https://")) else None)
        if not link:
            metrics.ITEMS_WITHOUT_LINK.inc()  # nothing to fetch and no URL to key an article by
            continue
        if guid and guid_counts[guid] == 1:
            key = "guid:" + _key(guid)
        elif guid:
            key = "guid+link:" + _key(f"{guid}\n{link}")
        else:
            key = "link:" + _key(link)
        published_at = _timestamp(raw.get("published_parsed") or raw.get("updated_parsed"))
        if key in known:
            entries.append(Entry(key, published_at))  # seen before: not worth building again
            continue
        try:
            url = canonical_url(link, base=final_url)
        except ValueError:
            continue
        if not url.startswith(("http://", "https://")):
            continue
        contents = raw.get("content") or []
        item = NewsItem(
            article_id=article_id(url),
            url=url,
            link=link,
            feed_url=spec.url,
            feed_name=spec.name,
            feed_kind=spec.kind,
            feed_language=spec.language,
            guid=guid,
            title=_capped(html_to_text(raw.get("title")), MAX_TITLE_CHARS),
            summary=_capped(html_to_text(raw.get("summary")), MAX_SUMMARY_CHARS),
            content=_capped(
                html_to_text(next((c.get("value") for c in contents if c.get("value")), None)), MAX_CONTENT_CHARS
            ),
            published_at=published_at,
            fetched_at=fetched_at,
        )
        entries.append(Entry(key, published_at, item))
    entries.sort(key=lambda e: e.published_at or fetched_at)
    return ParsedFeed(entries, ttl)
