"""Bytes to text for documents whose declared charset is often wrong or missing (feeds, pages).

Sources are tried in the caller's order of trust; a declaration naming an unknown or unusable
codec falls through to the next, and detection (charset_normalizer) comes last."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

from charset_normalizer import from_bytes

# UTF-32 first: its little-endian BOM begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^\s;"']+)""", re.IGNORECASE)
# Python's latin-1 maps 0x80-0x9F to control characters where servers mean windows-1252's
# ’ “ € …; browsers (WHATWG encoding standard) read these labels as windows-1252 too.
_AS_WINDOWS_1252 = frozenset({"iso8859-1", "ascii"})
_ASCII = bytes(range(128))


def header_charset(content_type: str | None) -> str | None:
    found = _HEADER_CHARSET.search(content_type or "")
    return found.group(1) if found else None


def _mostly_utf8(content: bytes) -> bool:
    """Whether a declared UTF-8 that fails to decode is UTF-8 with a few stray bytes (kept, with
    U+FFFD for them) rather than a server default stuck on legacy-encoded bytes (passed over)."""
    bad = content.decode("utf-8", errors="replace").count("\ufffd")
    non_ascii = len(content.translate(None, _ASCII))
    return bad * 20 <= non_ascii


def decode_declared(content: bytes, charset: str | None) -> str | None:
    """The text under a declared charset, or None when the name is unknown or not usable."""
    if not charset:
        return None
    try:
        name = codecs.lookup(charset).name
        if name == "utf-8" and not _mostly_utf8(content):
            return None  # known to be invalid UTF-8: the declaration is the lie
        return content.decode("cp1252" if name in _AS_WINDOWS_1252 else name, errors="replace")
    except (LookupError, UnicodeError):  # unknown names, non-text codecs, codecs that always fail
        return None


def strict_utf8(content: bytes) -> str | None:
    try:
        return content.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError:
        return None


def to_text(content: bytes, declared: Iterable[str | None]) -> str:
    """A byte-order mark, then each declared charset in turn, then detection."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(codec, errors="replace")
    for charset in declared:
        text = decode_declared(content, charset)
        if text is not None:
            return text
    best = from_bytes(content).best()
    return decode_declared(content, best.encoding if best else None) or content.decode("cp1252", errors="replace")
