"""Feed bytes to UTF-8 before feedparser sees them: outlets serve windows-1251, koi8-r and
windows-1252 feeds and often declare the wrong charset, or none."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# UTF-32 first: its little-endian BOM begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The prolog is at most a few hundred bytes; looking further would find `encoding=` in content.
_PROLOG_BYTES = 1024
_DECLARATION = re.compile(r"""<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([^"'>]*)\1""")
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^\s;"']+)""", re.IGNORECASE)
# Python's latin-1 maps 0x80-0x9F to control characters where servers mean windows-1252's
# ’ “ € …; browsers (WHATWG encoding standard) read these labels as windows-1252 too.
_AS_WINDOWS_1252 = frozenset({"iso8859-1", "ascii"})
_ASCII = bytes(range(128))


def _header_charset(content_type: str | None) -> str | None:
    found = _HEADER_CHARSET.search(content_type or "")
    return found.group(1) if found else None


def _prolog_charset(content: bytes) -> str | None:
    # latin-1 reads any bytes, and the declaration itself is ASCII in every ASCII-compatible encoding.
    found = _DECLARATION.search(content[:_PROLOG_BYTES].decode("latin-1"))
    return found.group(2) if found else None


def _mostly_utf8(content: bytes) -> bool:
    """Whether a declared UTF-8 that fails to decode is UTF-8 with a few stray bytes (kept, with
    U+FFFD for them) rather than a server default stuck on a legacy-encoded feed (passed over)."""
    bad = content.decode("utf-8", errors="replace").count("\ufffd")
    non_ascii = len(content.translate(None, _ASCII))
    return bad * 20 <= non_ascii


def _decode(content: bytes, charset: str | None) -> str | None:
    """The text under a declared charset, or None when the name is unknown or not usable."""
    if not charset:
        return None
    try:
        name = codecs.lookup(charset).name
        if name == "utf-8" and not _mostly_utf8(content):
            return None  # already known to be invalid UTF-8: the declaration is the lie
        return content.decode("cp1252" if name in _AS_WINDOWS_1252 else name, errors="replace")
    except (LookupError, UnicodeError):  # unknown names, non-text codecs, codecs that always fail
        return None


def _as_utf8(content: bytes) -> str | None:
    try:
        return content.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _to_text(content: bytes, content_type: str | None) -> str:
    # Valid UTF-8 is almost never an accident in legacy-encoded text, so it beats any declaration.
    if (text := _as_utf8(content)) is not None:
        return text
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(codec, errors="replace")
    for declared in (_header_charset(content_type), _prolog_charset(content)):
        text = _decode(content, declared)
        if text is not None:
            return text
    best = from_bytes(content).best()
    return _decode(content, best.encoding if best else None) or content.decode("cp1252", errors="replace")


def feed_to_utf8(content: bytes, content_type: str | None) -> bytes:
    """The feed document re-encoded as UTF-8, its XML declaration saying so."""
    text = _to_text(content, content_type)
    # Only the declaration's encoding changes, else feedparser would decode the UTF-8 by the old name.
    declaration = _DECLARATION.search(text[:_PROLOG_BYTES])
    if declaration:
        text = text[: declaration.start(2)] + "utf-8" + text[declaration.end(2) :]
    return text.encode("utf-8")
