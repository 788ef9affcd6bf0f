"""Fetching an article page: retries on 429 and 5xx honouring Retry-After, HTML only."""

from __future__ import annotations

import asyncio
import random
import re
from datetime import UTC, datetime

import httpx

from services.kit.charset import header_charset, to_text
from services.kit.errors import FetchError
from services.kit.httpfetch import FetchedResponse, HttpLimits, fetch, retry_after_s

_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Both <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">;
# HTML requires the declaration within the first 1024 bytes, but real pages put it later.
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_META_SCAN_BYTES = 8192


def page_text(content: bytes, content_type: str | None) -> str:
    """The page as text: its byte-order mark, then the header's charset, then the <meta> one,
    then detection."""
    meta = _META_CHARSET.search(content[:_META_SCAN_BYTES])
    declared = (header_charset(content_type), meta.group(1).decode("ascii") if meta else None)
    return to_text(content, declared)


# Longer waits than this are not worth holding a message for; the feed content is used instead.
MAX_RETRY_AFTER_S = 30.0


async def fetch_page(client: httpx.AsyncClient, url: str, limits: HttpLimits, attempts: int) -> FetchedResponse:
    """The page's response when it is HTML with status 200; FetchError (classified) otherwise."""
    for attempt in range(1, attempts + 1):
        try:
            response = await fetch(client, url, limits)
        except FetchError as exc:
            if not exc.retriable or attempt == attempts:
                raise
            await asyncio.sleep(random.uniform(0.5, 1.5) * attempt)
            continue
        status = response.status
        if status == 200:
            content_type = response.headers.get("content-type", "text/html").split(";")[0].strip().lower()
            if content_type not in _HTML_TYPES:
                raise FetchError(f"{url}: {content_type} is not HTML", reason="not_html")
            return response
        retriable = status == 429 or status >= 500
        reason = "http_429" if status == 429 else f"http_{status // 100}xx"
        wait = retry_after_s(response.headers.get("retry-after"), datetime.now(UTC))
        if not retriable or attempt == attempts or (wait is not None and wait > MAX_RETRY_AFTER_S):
            raise FetchError(f"{url}: HTTP {status}", reason=reason, retriable=retriable)
        await asyncio.sleep(wait if wait is not None else random.uniform(0.5, 1.5) * attempt)
    raise AssertionError("unreachable: the last attempt returns or raises")
