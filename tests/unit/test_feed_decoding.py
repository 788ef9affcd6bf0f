from __future__ import annotations

import codecs

import pytest

from services.fetcher.decoding import feed_to_utf8
from services.fetcher.entries import parse_entries
from services.fetcher.feeds import FeedSpec

SPEC = FeedSpec(url="https://feeds.example/rss", name="Example")
UA = "Україна: обстріл Харкова"
RU = "Россия: удар по Одессе"
RU_SHORT = "Удар по Одессе"
FR = "Défense: l’armée dépense 5 € de plus, « déjà » — “trop”"


def _rss(titles: list[str], prolog: str = "", channel: str = "Новини / Новости") -> str:
    items = "".join(
        f"<item><title>{title}</title><link>https://news.example/{n}</link><guid>g-{n}</guid>"
        f"<pubDate>Mon, 0{n + 1} Mar 2026 10:00:00 GMT</pubDate><description>{title}.</description></item>\n"
        for n, title in enumerate(titles)
    )
    return f'{prolog}<rss version="2.0"><channel><title>{channel}</title>\n{items}</channel></rss>'


def _titles(content: bytes, content_type: str | None) -> list[str | None]:
    headers = {"content-type": content_type} if content_type is not None else {}
    return [i.title for i in parse_entries(content, headers, SPEC.url, SPEC).items]


def _declared_encoding(document: bytes) -> bytes | None:
    """The encoding the output's XML declaration names, if it has one."""
    head = document.split(b"?>", 1)[0]
    return head.split(b'encoding="', 1)[1].split(b'"', 1)[0] if b"<?xml" in head else None


@pytest.mark.parametrize(
    ("prolog", "content_type"),
    [
        pytest.param('<?xml version="1.0" encoding="windows-1251"?>\n', "application/rss+xml", id="prolog-only"),
        pytest.param("", "application/rss+xml; charset=windows-1251", id="header-only"),
        pytest.param('<?xml version="1.0" encoding="windows-1251"?>\n', "text/xml", id="prolog-text-xml"),
    ],
)
def test_windows_1251_declared(prolog: str, content_type: str) -> None:
    content = _rss([UA, RU], prolog).encode("cp1251")
    utf8 = feed_to_utf8(content, content_type)
    assert UA.encode() in utf8
    assert RU.encode() in utf8
    assert _declared_encoding(utf8) == (b"utf-8" if prolog else None)
    assert _titles(content, content_type) == [UA, RU]


def test_windows_1251_undeclared_is_detected() -> None:
    # Longer prose than a title, as real feeds have, gives the detector something to go on.
    body = "Війська відбили атаку біля міста, повідомили у штабі. Войска отразили атаку у города, сообщили в штабе."
    titles = [UA, RU, body]
    content = _rss(titles).encode("cp1251")
    assert feed_to_utf8(content, None).decode() == _rss(titles)
    assert _titles(content, "application/rss+xml") == titles
    assert _titles(content, None) == titles


@pytest.mark.parametrize(
    ("prolog", "content_type"),
    [
        pytest.param('<?xml version="1.0" encoding="KOI8-R"?>', "application/xml", id="prolog"),
        pytest.param('<?xml version="1.0"?>', "application/xml; charset=koi8-r", id="header"),
        pytest.param(
            '<?xml version="1.0" encoding="windows-1251"?>', "text/xml; charset=KOI8-R", id="header-over-prolog"
        ),
    ],
)
def test_koi8_r(prolog: str, content_type: str) -> None:
    # charset_normalizer alone reads this short sample as cp1255: the declarations must be believed.
    content = _rss([RU_SHORT], prolog).encode("koi8_r")
    utf8 = feed_to_utf8(content, content_type)
    assert utf8.decode() == _rss([RU_SHORT], prolog).replace("KOI8-R", "utf-8").replace("windows-1251", "utf-8")
    assert _titles(content, content_type) == [RU_SHORT]


@pytest.mark.parametrize("label", ["iso-8859-1", "ISO-8859-1", "latin-1", "us-ascii"])
def test_windows_1252_declared_as_latin_1(label: str) -> None:
    content = _rss([FR], '<?xml version="1.0"?>', channel="Le Monde").encode("cp1252")
    assert b"\x92" in content  # the ’ that Python's iso-8859-1 would turn into a C1 control
    content_type = f"application/rss+xml; charset={label}"
    assert FR.encode() in feed_to_utf8(content, content_type)
    assert _titles(content, content_type) == [FR]


def test_valid_utf8_beats_wrong_declarations() -> None:
    content = _rss([UA, RU, FR], '<?xml version="1.0" encoding="koi8-r"?>').encode()
    content_type = "application/rss+xml; charset=windows-1251"
    utf8 = feed_to_utf8(content, content_type)
    assert utf8 == content.replace(b'encoding="koi8-r"', b'encoding="utf-8"')
    assert _titles(content, content_type) == [UA, RU, FR]


def test_utf8_bom() -> None:
    content = codecs.BOM_UTF8 + _rss([UA], '<?xml version="1.0" encoding="utf-8"?>').encode()
    assert feed_to_utf8(content, "application/rss+xml; charset=windows-1251") == content[3:]
    assert _titles(content, "application/rss+xml; charset=windows-1251") == [UA]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_bom(codec: str) -> None:
    text = _rss([UA, RU], '<?xml version="1.0" encoding="UTF-16"?>')
    content = text.encode(codec)
    if codec == "utf-16-be":
        content = codecs.BOM_UTF16_BE + content
    assert feed_to_utf8(content, "application/xml").decode() == text.replace("UTF-16", "utf-8")
    assert _titles(content, "application/xml") == [UA, RU]


def test_invalid_bytes_under_declared_utf8_do_not_raise() -> None:
    # Mostly UTF-8 with a truncated character: kept as UTF-8, the bad bytes replaced.
    content = _rss([UA, "Харків\xa0", RU], '<?xml version="1.0" encoding="utf-8"?>').encode()
    content = content.replace("\xa0".encode(), b"\xd0")
    content_type = "application/rss+xml; charset=utf-8"
    utf8 = feed_to_utf8(content, content_type)
    assert "Харків\ufffd".encode() in utf8
    assert _titles(content, content_type) == [UA, "Харків\ufffd", RU]


def test_utf8_declared_on_legacy_bytes_falls_through() -> None:
    # A server default of charset=utf-8 on a windows-1251 feed: the prolog is then believed.
    content = _rss([UA, RU], '<?xml version="1.0" encoding="windows-1251"?>').encode("cp1251")
    content_type = "text/xml; charset=utf-8"
    assert UA.encode() in feed_to_utf8(content, content_type)
    assert _titles(content, content_type) == [UA, RU]


def test_garbage_under_declared_utf8_still_yields_a_feed() -> None:
    content = b'<?xml version="1.0" encoding="utf-8"?>' + _rss(["Title \x81\x8d\xff\xfe end"], channel="T").encode(
        "latin-1"
    )
    utf8 = feed_to_utf8(content, "application/rss+xml; charset=utf-8")
    assert utf8.decode("utf-8").startswith('<?xml version="1.0" encoding="utf-8"?>')
    (title,) = _titles(content, "application/rss+xml; charset=utf-8")
    assert title is not None
    assert title.startswith("Title ")
    assert title.endswith(" end")


@pytest.mark.parametrize("content_type", ["application/xml; charset=no-such-charset", "text/xml; charset=base64"])
def test_bogus_header_charset_falls_through_to_prolog(content_type: str) -> None:
    content = _rss([RU], "<?xml version='1.0' encoding='windows-1251' ?>").encode("cp1251")
    utf8 = feed_to_utf8(content, content_type)
    assert utf8.startswith(b"<?xml version='1.0' encoding='utf-8' ?>")
    assert _titles(content, content_type) == [RU]


def test_only_the_declaration_is_rewritten() -> None:
    # An `encoding="..."` later in the document is content, not the declaration.
    text = '<?xml version="1.0" encoding="windows-1251" standalone="yes"?>\n' + _rss(['encoding="koi8-r"'])
    utf8 = feed_to_utf8(text.encode("cp1251"), None)
    assert utf8.decode() == text.replace("windows-1251", "utf-8", 1)


def test_rss_091() -> None:
    content = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><link>https://old.example/</link>
<description>An old feed</description><language>fr</language>
<item><title>Premi\xe8re d\xe9p\xeache</title><link>https://old.example/1</link></item>
<item><title>Seconde d\x92alerte</title><link>https://old.example/2</link></item>
</channel></rss>"""
    entries = parse_entries(content, {"content-type": "application/rss+xml"}, SPEC.url, SPEC).items
    assert [(i.title, i.url) for i in entries] == [
        ("Première dépêche", "https://old.example/1"),
        ("Seconde d’alerte", "https://old.example/2"),
    ]


def test_rss_10_rdf() -> None:
    content = """<?xml version="1.0" encoding="windows-1251"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://rdf.example/"><title>RDF</title><link>https://rdf.example/</link>
<description>RSS 1.0</description>
<items><rdf:Seq><rdf:li rdf:resource="https://rdf.example/1"/><rdf:li rdf:resource="https://rdf.example/2"/>
</rdf:Seq></items></channel>
<item rdf:about="https://rdf.example/1"><title>Україна: обстріл Харкова</title><link>https://rdf.example/1</link>
<dc:date>2026-03-01T08:00:00Z</dc:date></item>
<item rdf:about="https://rdf.example/2"><title>Россия: удар по Одессе</title><link>https://rdf.example/2</link>
<dc:date>2026-03-02T08:00:00Z</dc:date></item>
</rdf:RDF>""".encode("cp1251")
    entries = parse_entries(content, {"content-type": "application/rdf+xml"}, SPEC.url, SPEC).items
    assert [(i.title, i.url) for i in entries] == [
        (UA, "https://rdf.example/1"),
        (RU, "https://rdf.example/2"),
    ]
    assert all(i.published_at is not None for i in entries)
