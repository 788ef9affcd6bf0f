"""Is a fetched page an article, and is it gated? Pure checks run right after extraction.

Feed entries point at index, tag, search, video and live-index pages as well as at stories;
sending those downstream as articles pollutes every later stage. Paywalled stories are kept but
flagged: their text is a teaser, so a classifier should not read too much into what is missing.

The signals (type names, URL path patterns, thresholds, paywall classes and phrases) live in
data/gate.yaml so editors can extend them. The defaults are conservative: losing a real story
costs more than passing an odd index page, so weak signals count only when they agree (a URL
pattern is outweighed by a long text on a dated or article-typed page; paywall phrases and
classes count only on a short text).

Use: `signals = inspect_html(html)` (one lxml parse and one walk of the tree), then
`not_an_article(url, page, signals)` and `paywall_signals(page, signals)`, or `judge(...)` for both.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

import yaml
from trafilatura.utils import load_html

if TYPE_CHECKING:  # annotations only: extract.py runs the gate, so a runtime import would cycle
    from services.parser.extract import ExtractedPage

DATA_FILE = Path(__file__).resolve().parent / "data" / "gate.yaml"

# A date in the path (/2026/03/04/, /2026/mar/04/, /2026/3/4/, /20260304/): stories are filed by
# day, indexes rarely are. Structural, not editorial, so it stays in code.
_DATED_PATH = re.compile(
    r"(?:^|[/_-])20\d\d(?:[/_-](?:0?[1-9]|1[0-2]|[a-z]{3})[/_-](?:0?[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
    r"|(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?=[/_.-]|$))"
)
_SKIPPED = frozenset({"title", "script", "style", "noscript", "template", "svg", "math", "iframe", "object"})
# Page furniture: links in these are navigation, not content. A header or footer inside an
# article or section is that item's own (a teaser card's headline), so only page-level ones count.
_FURNITURE = frozenset({"nav", "aside", "form", "menu"})
_PAGE_FURNITURE = frozenset({"header", "footer"})
_SECTIONING = frozenset({"article", "main", "section"})
_FURNITURE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"})
# An anchor this long reads as a headline; "Read more", tags and bylines are shorter.
_HEADLINE_CHARS = 20
# Paywall prompts in the extracted text sit at its end, where the free part stops.
_TAIL_CHARS = 600
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SPACE = re.compile(r"\s+")
_ARABIC_MARKS = re.compile("[\u064b-\u0652\u0640]")  # harakat and tatweel vary between sites


def _normalize(text: str) -> str:
    """Case-folded, one space between words, typographic apostrophes and ё plain, Arabic marks gone."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'").replace("ё", "е")
    return _SPACE.sub(" ", _ARABIC_MARKS.sub("", text)).strip()


@dataclass(frozen=True)
class GateRules:
    """gate.yaml, compiled."""

    article_types: frozenset[str]
    non_article_types: dict[str, str]  # type -> reason
    url_paths: tuple[tuple[str, re.Pattern[str]], ...]  # (reason, pattern), in file order
    min_text_chars: int
    long_text_chars: int
    listing_min_links: int
    listing_link_share: float
    typed_listing_link_share: float
    listing_min_cards: int
    listing_chars_per_card: int
    teaser_max_chars: int
    content_tiers: frozenset[str]
    paywall_class: re.Pattern[str]
    paywall_phrase: re.Pattern[str]


def load_rules(path: Path = DATA_FILE) -> GateRules:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    limits = data["thresholds"]
    paywall = data["paywall"]
    url_paths = tuple(
        (reason, re.compile(r"(?:^|/)(?:" + "|".join(segments) + r")(?=/|$)"))
        for reason, segments in data["url_paths"].items()
    )
    classes = "|".join(re.escape(c.lower()) for c in paywall["classes"])
    phrases = sorted({_normalize(p) for lang in paywall["phrases"].values() for p in lang}, key=len, reverse=True)
    return GateRules(
        article_types=frozenset(t.lower() for t in data["article_types"]),
        non_article_types={t.lower(): reason for reason, types in data["non_article_types"].items() for t in types},
        url_paths=url_paths,
        min_text_chars=int(limits["min_text_chars"]),
        long_text_chars=int(limits["long_text_chars"]),
        listing_min_links=int(limits["listing_min_links"]),
        listing_link_share=float(limits["listing_link_share"]),
        typed_listing_link_share=float(limits["typed_listing_link_share"]),
        listing_min_cards=int(limits["listing_min_cards"]),
        listing_chars_per_card=int(limits["listing_chars_per_card"]),
        teaser_max_chars=int(limits["teaser_max_chars"]),
        content_tiers=frozenset(t.lower() for t in paywall["content_tiers"]),
        # A class token containing a fragment, unless negated ("no-paywall", "non-premium-content").
        paywall_class=re.compile(r"(?:^|\s)(?!no[-_]|non[-_]|without[-_]|free[-_])\S*(?:" + classes + r")"),
        paywall_phrase=re.compile("|".join(re.escape(p) for p in phrases)),
    )


@lru_cache(maxsize=1)
def default_rules() -> GateRules:
    return load_rules()


@dataclass(frozen=True, slots=True)
class PageSignals:
    """What the gate reads from a page's HTML. Plain values, so it crosses process boundaries."""

    #: meta og:type, lower-case
    og_type: str | None = None
    #: JSON-LD @type and microdata itemtype values, lower-case, without the schema.org prefix
    types: frozenset[str] = frozenset()
    #: a publication date in meta article:published_time or JSON-LD datePublished
    published: bool = False
    #: JSON-LD or microdata isAccessibleForFree, when the page states it
    accessible_for_free: bool | None = None
    #: meta article:content_tier, lower-case
    content_tier: str | None = None
    #: some element has a paywall class
    paywall_markup: bool = False
    #: links whose text reads as a headline, outside nav, header, footer and asides
    headline_links: int = 0
    #: characters of text inside links, and of all text, outside nav, header, footer and asides
    link_chars: int = 0
    content_chars: int = 0
    #: headings that are (or hold) links, outside nav, header, footer and asides: teaser cards
    linked_headings: int = 0
    #: that text (normalized), for paywall prompts that the extraction dropped
    content_text: str = ""
    #: the page's own metadata, read in the same pass (trafilatura's metadata pass is not run)
    meta: PageMeta = field(default_factory=lambda: PageMeta())


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str | None = None
    site_name: str | None = None
    description: str | None = None
    author: str | None = None
    tags: tuple[str, ...] = ()
    canonical: str | None = None
    #: as the page gives it (ISO 8601 in meta tags and JSON-LD)
    published: str | None = None


# meta name/property -> field, most specific first where a page carries several.
_META_FIELDS = {
    "og:title": "title",
    "twitter:title": "title",
    "og:site_name": "site_name",
    "application-name": "site_name",
    "og:description": "description",
    "description": "description",
    "twitter:description": "description",
    "author": "author",
    "article:author": "author",
    "byl": "author",
    "article:published_time": "published",
    "datepublished": "published",
    "date": "published",
    "pubdate": "published",
}


class _Walk:
    """State of the single pass over the tree."""

    def __init__(self, rules: GateRules) -> None:
        self.rules = rules
        self.types: set[str] = set()
        self.og_type: str | None = None
        self.published = False
        self.free: bool | None = None
        self.tier: str | None = None
        self.paywall_markup = False
        self.headline_links = 0
        self.link_chars = 0
        self.linked_headings = 0
        self.content: list[str] = []
        # First value wins per field: og: and JSON-LD come before generic tags in most templates,
        # and both beat the <title> element, which carries the site's suffix.
        self.found: dict[str, str] = {}
        self.tags: list[str] = []

    def _keep(self, field_name: str, value: object) -> None:
        if field_name == "author" and isinstance(value, str) and value.startswith(("http://", "https://")):
            return  # article:author often holds a profile URL, not a name
        if isinstance(value, str) and value.strip() and field_name not in self.found:
            self.found[field_name] = _SPACE.sub(" ", value).strip()

    def page_meta(self) -> PageMeta:
        found = self.found
        return PageMeta(
            title=found.get("title") or found.get("html_title"),
            site_name=found.get("site_name"),
            description=found.get("description"),
            author=found.get("author"),
            tags=tuple(dict.fromkeys(self.tags)),
            canonical=found.get("canonical"),
            published=found.get("published"),
        )

    def json_ld(self, text: str) -> None:
        try:
            data = json.loads(text)
        except ValueError:
            return  # broken JSON-LD is common; the other signals still count
        for item in _ld_items(data):
            for name in _as_list(item.get("@type")):
                if isinstance(name, str):
                    self.types.add(_type_name(name))
            self.published = self.published or bool(item.get("datePublished"))
            self._free(item.get("isAccessibleForFree"))
            if any(
                _type_name(t) in self.rules.article_types for t in _as_list(item.get("@type")) if isinstance(t, str)
            ):
                self._keep("published", item.get("datePublished"))
                self._keep("title", item.get("headline"))
                self._keep("description", item.get("description"))
                for person in _as_list(item.get("author")):
                    self._keep("author", person.get("name") if isinstance(person, dict) else person)
                publisher = item.get("publisher")
                self._keep("site_name", publisher.get("name") if isinstance(publisher, dict) else publisher)

    def _free(self, value: object) -> None:
        flag = _bool(value)
        if flag is not None:
            self.free = flag if self.free is None else self.free and flag  # any "false" wins

    def meta(self, element: Any) -> None:
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        value = (element.get("content") or "").strip()
        if key in _META_FIELDS:
            self._keep(_META_FIELDS[key], value)
        if key in ("article:tag", "keywords", "news_keywords"):
            self.tags.extend(t.strip() for t in value.split(",") if t.strip())
        if key == "og:type" and value:
            self.og_type = value.lower()
        elif key in ("article:published_time", "datepublished") and value:
            self.published = True
        elif key == "article:content_tier" and value:
            self.tier = value.lower()
        elif key == "isaccessibleforfree":
            self._free(value)

    def walk(self, root: Any) -> None:
        # Explicit stack of (element, in furniture, in a link, in a section): deep pages must not
        # hit the recursion limit.
        stack: list[tuple[Any, bool, bool, bool]] = [(root, False, False, False)]
        while stack:
            element, furniture, in_link, sectioned = stack.pop()
            if isinstance(element, _Tail):
                self.content.append(element.text)
                continue
            tag = element.tag
            if not isinstance(tag, str):  # comments and processing instructions
                continue
            tag = tag.lower()
            if tag == "script":
                if (element.get("type") or "").strip().lower() == "application/ld+json" and element.text:
                    self.json_ld(element.text)
                continue
            if tag == "meta":
                self.meta(element)
                continue
            if tag == "link":
                if "canonical" in (element.get("rel") or "").lower().split():
                    self._keep("canonical", element.get("href"))
                continue
            if tag == "title":
                self._keep("html_title", element.text)
                continue
            if tag in _SKIPPED:
                continue
            classes = element.get("class")
            if classes and not self.paywall_markup and self.rules.paywall_class.search(classes.lower()):
                self.paywall_markup = True
            itemtype = element.get("itemtype")
            if itemtype:
                self.types.update(_type_name(t) for t in itemtype.split())
            if not furniture:
                role = (element.get("role") or "").strip().lower()
                furniture = tag in _FURNITURE or role in _FURNITURE_ROLES or (tag in _PAGE_FURNITURE and not sectioned)
                sectioned = sectioned or tag in _SECTIONING
            if not furniture:
                if tag == "a" and not in_link and element.get("href"):
                    chars = len(_SPACE.sub(" ", element.text_content()).strip())
                    self.link_chars += chars
                    self.headline_links += chars >= _HEADLINE_CHARS
                    in_link = True
                if tag in _HEADINGS and (in_link or element.find(".//a[@href]") is not None):
                    self.linked_headings += 1
                if element.text:
                    self.content.append(element.text)
            # Children in reverse so text comes out in document order; a child's tail belongs to
            # this element's context, so it is pushed as a text-only marker after the child.
            for child in reversed(element):
                if child.tail and not furniture:
                    stack.append((_Tail(child.tail), furniture, in_link, sectioned))
                stack.append((child, furniture, in_link, sectioned))


class _Tail:
    """A text node standing in the stack: the tail of an element, in its parent's context."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _ld_items(data: object) -> Iterator[dict[str, Any]]:
    """The JSON-LD objects that describe the page: top-level ones, @graph members, their main entity.
    Not hasPart: a part marked not free (an e-mail wall box) does not gate the article."""
    pending: list[object] = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            yield item
            pending.extend(item[key] for key in ("@graph", "mainEntity") if key in item)


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _type_name(value: str) -> str:
    # "https://schema.org/NewsArticle" and "NewsArticle" are one type.
    return value.strip().rstrip("/").rsplit("/", 1)[-1].lower()


def _bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def inspect_html(html: str | bytes | Any, rules: GateRules | None = None) -> PageSignals:
    """The gate's signals from a page: its HTML as bytes or text, or an lxml tree already parsed."""
    rules = rules or default_rules()
    tree = load_html(html)
    if tree is None:
        return PageSignals()
    walk = _Walk(rules)
    walk.walk(tree)
    text = _normalize(" ".join(walk.content))
    return PageSignals(
        og_type=walk.og_type,
        types=frozenset(walk.types),
        published=walk.published,
        accessible_for_free=walk.free,
        content_tier=walk.tier,
        paywall_markup=walk.paywall_markup,
        headline_links=walk.headline_links,
        link_chars=walk.link_chars,
        content_chars=len(text),
        linked_headings=walk.linked_headings,
        content_text=text,
        meta=walk.page_meta(),
    )


def _listing(signals: PageSignals, text_chars: int, article_typed: bool, rules: GateRules) -> bool:
    """Many headline links for little text: an index. Real articles carry related-story boxes of
    up to ~35 headline links and ~18 linked headings, so a page typed as an article must be
    almost nothing but links."""
    share = signals.link_chars / signals.content_chars if signals.content_chars else 0.0
    least_share = rules.typed_listing_link_share if article_typed else rules.listing_link_share
    if signals.headline_links >= rules.listing_min_links and share >= least_share:
        return True
    # Teaser cards (a linked headline over a summary each): the text is all summaries.
    return (
        not article_typed
        and signals.linked_headings >= rules.listing_min_cards
        and text_chars < signals.linked_headings * rules.listing_chars_per_card
    )


def _url_reason(url: str, rules: GateRules) -> tuple[str | None, bool]:
    """(the reason the URL's path gives, whether the path is dated)."""
    parts = urlsplit(url)
    path = unquote(parts.path).lower()
    dated = bool(_DATED_PATH.search(path))
    if path in ("", "/"):
        # /?p=123 is a WordPress article; /?s=term and /?q=term are searches; a bare / is the home page.
        keys = {key.lower() for key, _ in parse_qsl(parts.query)}
        if keys & {"s", "q", "query", "search"}:
            return "search", dated
        return ("front_page" if not keys else None), dated
    for reason, pattern in rules.url_paths:
        if pattern.search(path):
            return reason, dated
    return None, dated


def not_an_article(url: str, page: ExtractedPage, signals: PageSignals, rules: GateRules | None = None) -> str | None:
    """A short reason ("tag_page", "listing", "video", "search", "og_type:website", "too_short", ...)
    when the page is not an article; None when it is one. `url` is the final URL of the page."""
    rules = rules or default_rules()
    text_chars = len(page.text)
    long_text = text_chars >= rules.long_text_chars
    declared = {signals.og_type} | signals.types if signals.og_type else set(signals.types)
    article_typed = bool(declared & rules.article_types)
    if not article_typed:
        for name in sorted(declared):
            reason = rules.non_article_types.get(name)
            if reason is not None:
                return reason
    reason, dated = _url_reason(url, rules)
    # Sites file stories under /live/, /video/ or /topic/ paths too; a long dated or typed text is one.
    if reason is not None and not (long_text and (dated or article_typed)):
        return reason
    if signals.og_type == "website" and not article_typed and not (long_text and (dated or signals.published)):
        return "og_type:website"
    if _listing(signals, text_chars, article_typed, rules):
        return "listing"
    if text_chars < rules.min_text_chars:
        return "too_short"
    return None


def paywall_signals(page: ExtractedPage, signals: PageSignals, rules: GateRules | None = None) -> bool:
    """True when what was extracted is likely a teaser of a gated article.

    The flag tells an analyst the text may be incomplete, so it needs a short text: metered
    sites declare gating (isAccessibleForFree false, content tier locked or metered) on pages
    whose HTML holds the whole article, and keep paywall boxes in every page's template."""
    rules = rules or default_rules()
    if len(page.text) >= rules.teaser_max_chars:
        return False
    if signals.accessible_for_free is False or signals.content_tier in rules.content_tiers:
        return True
    if signals.paywall_markup:
        return True
    return bool(
        rules.paywall_phrase.search(_normalize(page.text[-_TAIL_CHARS:]))
        or rules.paywall_phrase.search(signals.content_text)
    )


class Verdict(NamedTuple):
    not_article: str | None  # the reason to skip the page, None for an article
    paywalled: bool


def judge(
    html: str | bytes | Any | PageSignals, url: str, page: ExtractedPage, rules: GateRules | None = None
) -> Verdict:
    """Both checks, from the page's HTML or its signals already read. A paywalled teaser too short
    to pass is still an article."""
    rules = rules or default_rules()
    signals = html if isinstance(html, PageSignals) else inspect_html(html, rules)
    paywalled = paywall_signals(page, signals, rules)
    reason = not_an_article(url, page, signals, rules)
    return Verdict(None if reason == "too_short" and paywalled else reason, paywalled)
