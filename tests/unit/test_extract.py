from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from services.parser.extract import extract_page

REPO = Path(__file__).resolve().parents[2]
PAGES = sorted((REPO / "demo" / "pages").glob("*.html"))


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_demo_pages_extract_clean_text_with_paragraphs(page: Path) -> None:
    html = page.read_text(encoding="utf-8").replace("__BASE__", "http://demo.test")
    extracted = extract_page(html.encode(), f"http://demo.test/pages/{page.name}")
    assert extracted is not None
    assert len(extracted.text) > 1000
    assert "\n\n" in extracted.text  # paragraph breaks kept
    for boilerplate in ("cookie", "All rights reserved", "Subscribe to our newsletter"):
        assert boilerplate.lower() not in extracted.text.lower()
    assert extracted.title
    assert extracted.published_at
    assert extracted.published_at.year == 2026
    assert extracted.language == ("uk" if "ukraine" in page.stem else "en")


def test_future_dates_are_dropped() -> None:
    html = (
        '<html><head><meta property="article:published_time" content="2999-01-01T00:00:00Z"></head>'
        "<body><article><p>"
        + "Shelling was reported near the front line overnight. " * 20
        + "</p></article></body></html>"
    )
    extracted = extract_page(html, "http://demo.test/future")
    assert extracted is not None
    assert extracted.published_at is None


def test_no_text_gives_none() -> None:
    assert extract_page("<html><head><title>Empty</title></head><body></body></html>", "http://demo.test/") is None


def test_extract_batch_mode() -> None:
    page = PAGES[0].read_text(encoding="utf-8")
    lines = [json.dumps({"url": "http://demo.test/a", "html": page}), "not json", json.dumps({"url": "x"})]
    done = subprocess.run(
        [sys.executable, "-m", "services.parser", "extract"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1  # some lines were bad
    (out,) = done.stdout.splitlines()
    assert json.loads(out)["url"] == "http://demo.test/a"
    assert json.loads(out)["text"]
    assert "line 2: invalid input" in done.stderr
    assert "line 3: invalid input" in done.stderr


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_the_headline_is_the_title_not_the_first_paragraph(page: Path) -> None:
    html = page.read_text(encoding="utf-8").replace("__BASE__", "http://demo.test")
    extracted = extract_page(html, f"http://demo.test/pages/{page.name}")
    assert extracted is not None and extracted.title
    first = extracted.text.split("\n\n")[0]
    assert first.casefold() != extracted.title.casefold()
    assert not extracted.title.casefold().startswith(first.casefold())
