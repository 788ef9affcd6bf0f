"""Language tags: normalising what pages declare, and detecting it from text (py3langid)."""

from __future__ import annotations

import re

import py3langid

_TAG = re.compile(r"^([a-zA-Z]{2})(?:[-_][a-zA-Z0-9]+)*$")
# py3langid guesses wildly on a few words; below this, say nothing.
MIN_DETECT_CHARS = 40


def normalize_language(tag: str | None) -> str | None:
    """ISO 639-1 from a declared tag such as `en-GB` or `uk_UA`; None when it is not one."""
    if not tag:
        return None
    match = _TAG.match(tag.strip())
    return match.group(1).lower() if match else None


def warm_up() -> None:
    """Load py3langid's model now, so the first article does not pay for it."""
    py3langid.classify("warm up")


def detect_language(text: str) -> str | None:
    # The lead is enough to tell a language apart, and keeps detection cheap on long articles.
    sample = text[:1000]
    if len(sample.strip()) < MIN_DETECT_CHARS:
        return None
    language, _ = py3langid.classify(sample)
    return str(language)
