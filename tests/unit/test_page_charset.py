"""Page bytes to text: the header's charset, then the page's <meta>, then detection."""

from __future__ import annotations

import codecs

import pytest

from services.parser.page import page_text

UKRAINIAN = "Україна: ракетний удар по Харкову, є загиблі та поранені серед цивільних мешканців міста"
RUSSIAN = "Российские войска нанесли удар по Одессе ночью, повреждена портовая инфраструктура города"
FRENCH = "Défense : l’armée française annonce le retrait du Niger « dans les prochains mois »"


def page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


def test_header_charset_wins_over_meta() -> None:
    raw = page(UKRAINIAN, '<meta charset="koi8-r">').encode("windows-1251")
    assert UKRAINIAN in page_text(raw, "text/html; charset=windows-1251")


@pytest.mark.parametrize(
    "meta",
    ['<meta charset="windows-1251">', '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'],
)
def test_meta_charset_when_the_header_has_none(meta: str) -> None:
    raw = page(UKRAINIAN, meta).encode("windows-1251")
    assert UKRAINIAN in page_text(raw, "text/html")


def test_koi8_r_declared_in_meta() -> None:
    raw = page(RUSSIAN, '<meta charset="koi8-r">').encode("koi8-r")
    assert RUSSIAN in page_text(raw, None)


def test_detection_when_nothing_is_declared() -> None:
    raw = page(" ".join([RUSSIAN] * 5)).encode("windows-1251")
    assert RUSSIAN in page_text(raw, "text/html")


def test_latin1_label_reads_as_windows_1252() -> None:
    raw = page(FRENCH).encode("cp1252")
    assert FRENCH in page_text(raw, "text/html; charset=ISO-8859-1")


def test_bom_beats_declarations() -> None:
    raw = codecs.BOM_UTF16_LE + page(UKRAINIAN, '<meta charset="windows-1251">').encode("utf-16-le")
    assert UKRAINIAN in page_text(raw, "text/html; charset=windows-1251")


def test_a_bogus_declaration_falls_through() -> None:
    raw = page(UKRAINIAN, '<meta charset="windows-1251">').encode("windows-1251")
    assert UKRAINIAN in page_text(raw, "text/html; charset=x-no-such-charset")


def test_invalid_bytes_never_raise() -> None:
    assert "<p>" in page_text(b"<html><body><p>\xff\xfe\x00 broken \x81</p></body></html>", "text/html; charset=utf-8")
