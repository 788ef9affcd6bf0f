"""Feed bytes to UTF-8 before feedparser sees them: outlets serve windows-1251, koi8-r and
windows-1252 feeds and often declare the wrong charset, or none."""

from __future__ import annotations

import re

from services.kit.charset import header_charset, strict_utf8, to_text

# The prolog is at most a few hundred bytes; looking further would find `encoding=` in content.
_PROLOG_BYTES = 1024
_DECLARATION = re.compile(r"""<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([^"'>]*)\1""")


def _prolog_charset(content: bytes) -> str | None:
    # latin-1 reads any bytes, and the declaration itself is ASCII in every ASCII-compatible encoding.
    found = _DECLARATION.search(content[:_PROLOG_BYTES].decode("latin-1"))
    return found.group(2) if found else None


def _to_text(content: bytes, content_type: str | None) -> str:
    # Valid UTF-8 is almost never an accident in legacy-encoded text, so it beats any declaration.
    text = strict_utf8(content)
    return text if text is not None else to_text(content, (header_charset(content_type), _prolog_charset(content)))


def feed_to_utf8(content: bytes, content_type: str | None) -> bytes:
    """The feed document re-encoded as UTF-8, its XML declaration saying so."""
    text = _to_text(content, content_type)
    # Only the declaration's encoding changes, else feedparser would decode the UTF-8 by the old name.
    declaration = _DECLARATION.search(text[:_PROLOG_BYTES])
    if declaration:
        text = text[: declaration.start(2)] + "utf-8" + text[declaration.end(2) :]
    return text.encode("utf-8")
