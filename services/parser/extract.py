"""Article text and metadata from HTML, with trafilatura, in a pool of worker processes."""

from __future__ import annotations

import asyncio
import multiprocessing
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from pebble import ProcessExpired, ProcessPool
from pydantic import BaseModel
from trafilatura import bare_extraction
from trafilatura.settings import Document
from trafilatura.utils import load_html

from services.kit.errors import SitrepError
from services.kit.language import normalize_language
from services.parser.gate import inspect_html, judge


class ExtractedPage(BaseModel):
    url: str
    canonical_url: str | None = None
    title: str | None = None
    text: str
    author: str | None = None
    site_name: str | None = None
    description: str | None = None
    tags: list[str] = []
    published_at: datetime | None = None
    language: str | None = None
    #: why the page is not an article (a listing, tag or video page, ...); None for an article
    not_article: str | None = None
    #: the text is likely a teaser of a gated article
    paywalled: bool = False


def _date(value: str | None) -> datetime | None:
    """trafilatura's date, as UTC; a date in the future is a parsing error, not news."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None if parsed > datetime.now(UTC) else parsed


_TITLE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014-]{2,60}$")


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _is_headline(paragraph: str, title: str | None) -> bool:
    """Whether a paragraph repeats the page's title, with or without the site name after it."""
    if not title:
        return False
    first = _folded(paragraph)
    return first in (_folded(title), _folded(_TITLE_SUFFIX.sub("", title)))


# A fast pass keeping less than this share of the page's visible content text (outside
# navigation, headers, footers and asides) has likely missed the article's body.
_SECOND_PASS_SHARE = 0.25


def _trafilatura(tree: Any, url: str, fast: bool) -> Document | None:
    document = bare_extraction(
        tree,
        url=url,
        fast=fast,
        with_metadata=False,
        include_comments=False,
        include_images=False,
        include_links=False,
    )
    return document if isinstance(document, Document) else None


def extract_page(html: bytes | str, url: str) -> ExtractedPage | None:
    """Text and metadata of an article page; None when trafilatura finds no main text.
    Runs in worker processes, so it takes and returns only picklable values."""
    tree = load_html(html)
    if tree is None:
        return None
    # One parse serves both: the gate reads the tree (its signals and the page's metadata) before
    # trafilatura prunes it. trafilatura's own metadata pass is skipped: it cost about 15% of
    # the extraction time, for what the page's meta tags and JSON-LD already state.
    signals = inspect_html(tree)
    # Read before trafilatura prunes the tree; the root is the <html> element.
    declared_language = normalize_language(tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang"))
    document = _trafilatura(tree, url, fast=True)
    if document is None or len(document.text or "") < _SECOND_PASS_SHARE * signals.content_chars:
        # trafilatura's fallback extractors (readability, jusText) rescue layouts its own misses,
        # but cost about a fifth of the time on every page: they run only when the fast pass kept
        # too little of the page. The first pass pruned the tree, so this one parses again.
        document = _trafilatura(load_html(html), url, fast=False)
    if document is None or not document.text:
        return None
    meta = signals.meta
    # trafilatura puts each paragraph on a line; downstream readers want blank lines between them.
    paragraphs = [line.strip() for line in document.text.splitlines() if line.strip()]
    if len(paragraphs) > 1 and _is_headline(paragraphs[0], meta.title):
        paragraphs = paragraphs[1:]  # the headline is the title field, not the article's first paragraph
    canonical = urljoin(url, meta.canonical) if meta.canonical else None
    page = ExtractedPage(
        url=url,
        canonical_url=canonical if canonical != url else None,
        title=meta.title,
        text="\n\n".join(paragraphs),
        author=meta.author,
        site_name=meta.site_name,
        description=meta.description,
        tags=list(meta.tags),
        published_at=_date(meta.published),
        language=declared_language,
    )
    verdict = judge(signals, url, page)
    return page.model_copy(update={"not_article": verdict.not_article, "paywalled": verdict.paywalled})


class ExtractionTimeout(SitrepError):
    reason = "extract_timeout"


class ExtractionCrashed(SitrepError):
    reason = "extract_crashed"


class ExtractorPool:
    """Extraction off the event loop, in worker processes sized to the cores.

    pebble's pool, not the standard one: a page that takes longer than the timeout gets its
    worker killed and replaced (the standard pool can only stop waiting for it, leaving the
    worker busy for ever), and workers are recycled after `max_tasks` pages, because
    trafilatura's memory grows with use (its issue #216)."""

    def __init__(
        self,
        workers: int,
        max_tasks: int,
        timeout_s: float,
        function: Callable[[bytes | str, str], ExtractedPage | None] = extract_page,
    ) -> None:
        self.workers = workers
        self._timeout_s = timeout_s
        self._function = function
        self._pool = ProcessPool(max_workers=workers, max_tasks=max_tasks, context=multiprocessing.get_context("spawn"))

    async def extract(self, html: bytes | str, url: str) -> ExtractedPage | None:
        future = self._pool.schedule(self._function, args=(html, url), timeout=self._timeout_s)
        try:
            return await asyncio.wrap_future(future)
        except TimeoutError as exc:
            raise ExtractionTimeout(f"extraction of {url} took over {self._timeout_s}s") from exc
        except ProcessExpired as exc:  # the worker died (out of memory, a crash in lxml)
            raise ExtractionCrashed(f"extraction of {url} killed its worker: {exc}") from exc
        except asyncio.CancelledError:
            future.cancel()  # type: ignore[no-untyped-call]  # pebble stops a cancelled task's worker too
            raise

    def close(self) -> None:
        self._pool.close()  # type: ignore[no-untyped-call]  # pebble's pool methods are unannotated
        self._pool.join(timeout=10)
