"""news.items -> news.articles: the page's text when it has one, else the feed's own content."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import httpx

from services.kit import metrics
from services.kit.errors import BlockedAddress, FetchError
from services.kit.httpfetch import HttpLimits
from services.kit.kafka import Output
from services.kit.language import detect_language, normalize_language
from services.kit.logs import get_logger
from services.kit.models import Article, NewsItem, TextSource
from services.kit.politeness import HostLimiter
from services.parser import metrics as parser_metrics
from services.parser.extract import ExtractedPage, ExtractionCrashed, ExtractionTimeout, ExtractorPool
from services.parser.page import fetch_page, page_text
from services.parser.robots import RobotsCache
from services.parser.settings import ParserSettings

log = get_logger(__name__)

STAGE = "parser"


class ParserHandler:
    def __init__(self, settings: ParserSettings, client: httpx.AsyncClient, pool: ExtractorPool) -> None:
        self.settings = settings
        self.client = client
        self.pool = pool
        self.robots = RobotsCache(client, self.http_limits(settings), settings.robots_agent, settings.robots_ttl_s)
        self.limits = self.http_limits(settings)
        self.limiter = HostLimiter(settings.per_host_concurrency, settings.per_host_gap_s)

    @staticmethod
    def http_limits(settings: ParserSettings) -> HttpLimits:
        return HttpLimits(
            user_agent=settings.user_agent_for(STAGE),
            max_bytes=settings.max_page_bytes,
            total_timeout_s=settings.page_timeout_s,
            max_redirects=settings.max_redirects,
        )

    async def _page(self, item: NewsItem) -> tuple[ExtractedPage | None, str | None, str | None]:
        """(extracted page, final URL, why the page cannot serve) for an item."""
        if self.settings.respect_robots and not await self.robots.allowed(item.url):
            return None, None, "robots"
        try:
            async with self.limiter.slot(item.url):
                response = await fetch_page(self.client, item.url, self.limits, self.settings.fetch_attempts)
        except (FetchError, BlockedAddress) as exc:
            if exc.retriable and not _feed_text(item):
                raise  # nothing to fall back on: let the runner retry, then dead-letter
            return None, None, exc.reason
        try:
            html = page_text(response.content, response.headers.get("content-type"))
            page = await self.pool.extract(html, response.final_url)
        except (ExtractionTimeout, ExtractionCrashed) as exc:
            return None, response.final_url, exc.reason  # the feed's own text may still serve
        if page is None:
            return None, response.final_url, "no_text"
        if page.not_article == "too_short" or len(page.text) < self.settings.min_text_chars:
            return page, response.final_url, "too_little_text"
        return page, response.final_url, None

    async def __call__(self, item: NewsItem) -> Sequence[Output]:
        page, final_url, problem = await self._page(item)
        if page is not None and page.not_article and page.not_article != "too_short":
            # An index, tag, video or live page: nothing to label, and no fault to dead-letter.
            metrics.SKIPPED.labels(STAGE, f"not_article_{page.not_article}").inc()
            log.info("item skipped: not an article", url=item.url, reason=page.not_article)
            return []
        feed_text = _feed_text(item)
        source: TextSource
        if page is not None and (
            problem is None or (problem == "too_little_text" and len(page.text) >= len(feed_text or ""))
        ):
            text, source, fallback = page.text, "page", None
        elif feed_text:
            text, source, fallback = feed_text, "feed", problem
            parser_metrics.FEED_FALLBACKS.labels(problem or "unknown").inc()
        else:
            metrics.SKIPPED.labels(STAGE, problem or "no_text").inc()
            log.info("item skipped: no text", url=item.url, reason=problem)
            return []
        truncated = len(text) > self.settings.max_text_chars
        text = text[: self.settings.max_text_chars]
        language = (page.language if page else None) or detect_language(text) or normalize_language(item.feed_language)
        now = datetime.now(UTC)
        article = Article(
            article_id=item.article_id,
            url=item.url,
            page_url=final_url,
            feed_url=item.feed_url,
            feed_name=item.feed_name,
            feed_kind=item.feed_kind,
            title=item.title or (page.title if page else None),
            text=text,
            text_source=source,
            fallback_reason=fallback,
            truncated=truncated,
            paywalled=bool(page and source == "page" and page.paywalled),
            canonical_url=page.canonical_url if page else None,
            published_at=item.published_at or (page.published_at if page else None),
            language=language,
            author=page.author if page else None,
            site_name=page.site_name if page else None,
            description=(page.description if page else None) or item.summary,
            tags=page.tags if page else [],
            fetched_at=item.fetched_at,
            extracted_at=now,
        )
        return [Output(self.settings.topic_articles, item.article_id, article)]


def _feed_text(item: NewsItem) -> str | None:
    return item.content or item.summary
