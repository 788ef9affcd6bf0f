"""Canonical article URLs and the ids derived from them."""

from __future__ import annotations

import hashlib
from urllib.parse import urljoin, urlsplit, urlunsplit

from courlan import normalize_url


def canonical_url(url: str, base: str | None = None) -> str:
    """Lower-cased scheme and host, default port, fragment and tracking parameters dropped.

    courlan's non-strict mode removes only known trackers (utm_*, fbclid, gclid, ...); its strict
    mode also drops content parameters such as `?story=123`, which would merge distinct articles.
    """
    absolute = urljoin(base, url.strip()) if base else url.strip()
    normalized = normalize_url(absolute, strict=False, trailing_slash=True)
    return urlunsplit(urlsplit(normalized)._replace(fragment=""))


def article_id(canonical: str) -> str:
    """A stable id for a canonical URL: the first 128 bits of its SHA-256, in hex."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]
