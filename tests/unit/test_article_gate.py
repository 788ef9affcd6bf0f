from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.parser.extract import ExtractedPage, extract_page
from services.parser.gate import PageSignals, inspect_html, judge, load_rules, not_an_article, paywall_signals

REPO = Path(__file__).resolve().parents[2]
PAGES = sorted((REPO / "demo" / "pages").glob("*.html"))

PARAGRAPHS = [
    "Russian forces struck the port district overnight with a wave of attack drones, regional officials said, "
    "damaging warehouses and a grain terminal and wounding at least seven people, including a child.",
    "Air defence units shot down most of the drones over the sea, the southern command said in a statement, "
    "but debris fell on residential buildings in two districts and started several fires.",
    "Firefighters worked through the night to contain the blaze at the terminal, where a storage hangar "
    "collapsed. The regional governor said the wounded were taken to hospital and were in stable condition.",
    "The attack was the third on the city this week. Officials have urged residents to heed air raid alerts "
    "and to stay away from windows while the alerts last, as debris can travel hundreds of metres.",
    "Shipping through the corridor continued in the morning, the port authority said, although two vessels "
    "waiting at anchor were told to hold their positions until inspectors had checked the berths.",
    "Analysts said the strikes fit a pattern of attacks on export infrastructure that began in the summer, "
    "aimed at raising insurance costs and discouraging shipowners from calling at the region's ports.",
]

NAV = """<header><nav><ul>{}</ul></nav></header>""".format(
    "".join(f'<li><a href="/section/{s}">{s.title()}</a></li>' for s in ("world", "politics", "economy", "sport"))
)
FOOTER = """<footer><p>Subscribe to our newsletter to get the latest updates every morning.</p>
<p>&copy; 2026 Black Sea Herald. All rights reserved.</p></footer>"""


def article_html(
    body: str,
    *,
    head: str = '<meta property="og:type" content="article">',
    title: str = "Drones strike port overnight",
) -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}
<meta property="article:published_time" content="2026-03-04T06:15:00Z"></head>
<body>{NAV}<main><article><h1>{title}</h1>{body}</article></main>{FOOTER}</body></html>"""


def paragraphs(count: int) -> str:
    return "".join(f"<p>{PARAGRAPHS[i % len(PARAGRAPHS)]}</p>" for i in range(count))


def extracted(html: str, url: str) -> ExtractedPage:
    page = extract_page(html, url)
    assert page is not None, "trafilatura found no text"
    return page


def check(html: str, url: str) -> tuple[str | None, bool]:
    verdict = judge(html, url, extracted(html, url))
    return verdict.not_article, verdict.paywalled


@pytest.mark.parametrize("path", PAGES, ids=[p.stem for p in PAGES])
def test_demo_pages_are_free_articles(path: Path) -> None:
    html = path.read_text(encoding="utf-8").replace("__BASE__", "http://demo.test")
    assert check(html, f"http://demo.test/pages/{path.name}") == (None, False)


def test_plain_article_without_metadata_is_an_article() -> None:
    html = article_html(paragraphs(6), head="")
    assert check(html, "http://demo.test/world/odesa-port-drone-strike") == (None, False)


def test_tag_page() -> None:
    cards = "".join(
        f'<div class="card"><a href="/world/story-{i}">Strike on the port, update {i}</a>'
        f"<p>{PARAGRAPHS[i % 6][:90]}</p>"
        f'<a class="tag" href="/tag/odesa">Odesa</a></div>'
        for i in range(8)
    )
    html = article_html(f"<h2>Odesa</h2>{cards}", head="")
    reason, _ = check(html, "http://demo.test/tag/odesa")
    assert reason == "tag_page"


def test_category_listing_by_link_density() -> None:
    # 30 headlines with links and little other text, at a URL no pattern knows, with no og:type.
    items = "".join(
        f'<li><h3><a href="/world/2026/03/{i:02d}/story-{i}">Officials report new strikes on the southern '
        f"front, day {i}</a></h3><span>{i} h ago</span></li>"
        for i in range(1, 31)
    )
    html = f"""<!DOCTYPE html><html lang="en"><head><title>World news | Black Sea Herald</title></head>
<body>{NAV}<main><h1>World</h1><ul class="river">{items}</ul></main>{FOOTER}</body></html>"""
    url = "http://demo.test/world/europe"
    signals = inspect_html(html)
    assert signals.headline_links == 30
    page = extract_page(html, url) or ExtractedPage(url=url, text="")  # trafilatura may drop a pure link list
    assert not_an_article(url, page, signals) == "listing"


def test_teaser_cards_listing() -> None:
    # A section front of 24 cards, each a linked headline over a two-line summary.
    cards = "".join(
        f'<div class="card"><h2><a href="/world/story-{i}">Strikes hit the southern region again, {i}</a></h2>'
        f"<p>{PARAGRAPHS[i % 6][:110]}</p></div>"
        for i in range(24)
    )
    html = f"""<!DOCTYPE html><html lang="en"><head><title>World | Black Sea Herald</title></head>
<body>{NAV}<main><h1>World</h1>{cards}</main>{FOOTER}</body></html>"""
    url = "http://demo.test/world"
    page = extract_page(html, url) or ExtractedPage(url=url, text="")
    assert not_an_article(url, page, inspect_html(html)) == "listing"


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="og:type" content="video.other">',
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "VideoObject", '
        '"name": "Drone strike on the port", "uploadDate": "2026-03-04T06:15:00Z"}</script>',
    ],
    ids=["og_video", "ld_videoobject"],
)
def test_video_page(head: str) -> None:
    body = '<div class="player"><video src="/media/strike.mp4"></video></div>' + paragraphs(1)
    reason, _ = check(article_html(body, head=head), "http://demo.test/media/strike-footage-1234")
    assert reason == "video"


def test_video_url_with_short_text() -> None:
    html = article_html(paragraphs(2), head="")
    reason, _ = check(html, "http://demo.test/video/2026/03/04/strike-footage")
    assert reason == "video"


def test_search_results_page() -> None:
    results = "".join(
        f'<div class="result"><a href="/world/story-{i}">Odesa port strike coverage, part {i}</a>'
        f"<p>{PARAGRAPHS[i % 6][:120]}</p></div>"
        for i in range(10)
    )
    html = article_html(f'<p>Results for "odesa":</p>{results}', head='<meta property="og:type" content="website">')
    reason, _ = check(html, "http://demo.test/search?q=odesa")
    assert reason == "search"
    assert check(html, "http://demo.test/?s=odesa")[0] == "search"


def test_search_results_by_schema_type() -> None:
    head = '<script type="application/ld+json">{"@type": "SearchResultsPage", "name": "Search"}</script>'
    reason, _ = check(article_html(paragraphs(2), head=head), "http://demo.test/find?term=odesa")
    assert reason == "search"


def test_og_website_is_not_an_article() -> None:
    html = article_html(paragraphs(3), head='<meta property="og:type" content="website">')
    assert check(html, "http://demo.test/about-us")[0] == "og_type:website"


def test_home_page_and_short_text() -> None:
    assert check(article_html(paragraphs(6), head=""), "http://demo.test/")[0] == "front_page"
    stub = article_html("<p>Photos: the port after the strike.</p><p>Pictures by our correspondent.</p>", head="")
    page = ExtractedPage(url="http://demo.test/gallery/port", text="Photos: the port after the strike.")
    assert not_an_article(page.url, page, inspect_html(stub)) == "too_short"


def test_dated_long_article_under_a_listing_pattern_is_an_article() -> None:
    # /live/ and /video/ also file real stories; a dated URL with a long text is one.
    html = article_html(paragraphs(12), head="")
    assert check(html, "http://demo.test/live/2026/03/04/odesa-port-drone-strike") == (None, False)
    assert check(html, "http://demo.test/video/2026/mar/04/odesa-port-drone-strike") == (None, False)


def test_wordpress_plain_permalink_is_an_article() -> None:
    assert check(article_html(paragraphs(6)), "http://demo.test/?p=1234") == (None, False)


def test_article_type_wins_over_an_embedded_video() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Black Sea Herald"},
            {"@type": ["NewsArticle"], "headline": "Drones strike port", "datePublished": "2026-03-04"},
            {"@type": "VideoObject", "name": "Footage"},
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(graph)}</script>'
    assert check(article_html(paragraphs(6), head=head), "http://demo.test/world/odesa-strike") == (None, False)


def test_json_ld_not_free_is_paywalled() -> None:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Drones strike port",
        "isAccessibleForFree": "False",
        "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": "False", "cssSelector": ".paywall"},
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    body = paragraphs(2) + '<div class="paywall">' + paragraphs(6) + "</div>"
    assert check(article_html(body, head=head), "http://demo.test/world/odesa-strike") == (None, True)


def test_only_a_part_marked_not_free_is_not_paywalled() -> None:
    # The Intercept marks its e-mail sign-up box so; the article itself is free.
    ld = {"@type": "NewsArticle", "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": False}}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    assert check(article_html(paragraphs(6), head=head), "http://demo.test/world/odesa-strike") == (None, False)


@pytest.mark.parametrize("tier", ["locked", "metered"])
def test_content_tier_is_paywalled(tier: str) -> None:
    head = f'<meta property="og:type" content="article"><meta property="article:content_tier" content="{tier}">'
    assert check(article_html(paragraphs(6), head=head), "http://demo.test/world/odesa-strike") == (None, True)


def test_short_teaser_ending_with_a_subscribe_prompt_is_paywalled() -> None:
    body = paragraphs(2) + "<p>Subscribe to continue reading this article.</p>"
    assert check(article_html(body), "http://demo.test/world/odesa-strike") == (None, True)


@pytest.mark.parametrize(
    "prompt",
    [
        "Cet article est réservé aux abonnés. Abonnez-vous pour lire la suite.",
        "Эта статья доступна только подписчикам.",
        "Матеріал доступний лише для передплатників.",
        "هذا المحتوى متاح للمشتركين فقط",
    ],
)
def test_paywall_prompt_outside_the_extracted_text(prompt: str) -> None:
    # Prompts sit in a box after the teaser that extraction often drops; the page's content text holds it.
    body = paragraphs(2) + f'<div class="offer-box"><p>{prompt}</p><a href="/subscribe">Subscribe</a></div>'
    html = article_html(body)
    page = ExtractedPage(url="http://demo.test/a", text="\n\n".join(PARAGRAPHS[:2]))
    assert paywall_signals(page, inspect_html(html))


def test_paywall_class_on_a_short_text() -> None:
    body = paragraphs(2) + '<div class="article-body premium-content is-locked"></div>'
    assert check(article_html(body), "http://demo.test/world/odesa-strike") == (None, True)
    # A "no-paywall" body class, as free pages on paywalled sites carry, is no signal.
    free = article_html(paragraphs(2)).replace("<body>", '<body class="no-paywall">')
    assert check(free, "http://demo.test/world/odesa-strike") == (None, False)


def test_long_free_article_mentioning_subscribe_is_not_paywalled() -> None:
    body = (
        paragraphs(10)
        + "<p>Readers can subscribe to our morning briefing to get updates on the war in their inbox.</p>"
        + "<p>Subscribe to continue reading our coverage of the region every day.</p>"
    )
    html = article_html(body)
    page = extracted(html, "http://demo.test/world/odesa-strike")
    assert "subscribe" in page.text.lower()
    assert check(html, "http://demo.test/world/odesa-strike") == (None, False)


def test_a_paywalled_teaser_too_short_to_pass_is_still_an_article() -> None:
    html = article_html(
        "<p>Drones struck the port overnight.</p><p>Subscribe to continue reading.</p>",
        head='<meta property="og:type" content="article"><meta property="article:content_tier" content="locked">',
    )
    page = ExtractedPage(url="http://demo.test/world/odesa-strike", text="Drones struck the port overnight.")
    assert not_an_article(page.url, page, inspect_html(html)) == "too_short"
    assert tuple(judge(html, page.url, page)) == (None, True)


def test_unparseable_html_gives_empty_signals() -> None:
    assert inspect_html(b"") == PageSignals()


def test_rules_load_from_the_data_file() -> None:
    rules = load_rules()
    assert "newsarticle" in rules.article_types
    assert rules.non_article_types["videoobject"] == "video"
    assert rules.paywall_phrase.search("réservé aux abonnés")


def test_wordpress_style_cards_count_as_listing() -> None:
    # Each card an <article> with its own <header>: that header is the card's, not page furniture.
    cards = "".join(
        f'<article class="post"><header class="entry-header"><h2 class="entry-title">'
        f'<a href="/world/story-{i}">Strikes hit the southern region again, {i}</a></h2></header>'
        f'<div class="entry-summary"><p>{PARAGRAPHS[i % 6][:100]}</p></div></article>'
        for i in range(22)
    )
    html = f"""<!DOCTYPE html><html lang="en"><head><title>World | Black Sea Herald</title></head>
<body>{NAV}<div id="content">{cards}</div>{FOOTER}</body></html>"""
    signals = inspect_html(html)
    assert signals.linked_headings == 22
    url = "http://demo.test/world"
    page = extract_page(html, url) or ExtractedPage(url=url, text="")
    assert not_an_article(url, page, signals) == "listing"


def test_declared_gating_on_a_page_holding_the_whole_text_is_not_a_teaser() -> None:
    # Metered sites declare gating on pages whose HTML carries the full article.
    long_text = "\n\n".join(PARAGRAPHS * 4)
    page = ExtractedPage(url="http://demo.test/2026/03/04/long", text=long_text)
    gated = '<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": false}</script>'
    html = article_html(paragraphs(4 * len(PARAGRAPHS)), head=gated)
    assert len(long_text) >= 2000
    assert not paywall_signals(page, inspect_html(html))
