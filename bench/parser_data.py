"""The fundus-evaluation pages and their gold text, read in place for the parser benchmarks.

The set (80 English news pages, 16 publishers x 5, MIT licence) lives outside the repo, in
`../shared/data/fundus-eval/`; see `../shared/data/README.md` for its provenance."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT.parent / "shared" / "data" / "fundus-eval"


@dataclass(frozen=True)
class Page:
    id: str  # the file name, as ground_truth.json keys it: "APNews_0.html.gz"
    url: str
    html: str | None  # None when the file is missing or unreadable: the page then scores 0
    body: list[str]  # gold paragraphs; "[...]" marks an optional one

    @property
    def publisher(self) -> str:
        return self.id.split("_", 1)[0]


def load_pages(data_dir: Path = DATA_DIR) -> list[Page]:
    """Every page of ground_truth.json with its HTML decoded once, sorted by id."""
    gold = json.loads((data_dir / "ground_truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(gold):
        try:
            # fundus-evaluation decodes the pages as UTF-8 and hands the extractors a str.
            html: str | None = gzip.decompress((data_dir / "html" / page_id).read_bytes()).decode("utf-8", "replace")
        except (OSError, EOFError):
            html = None
        pages.append(Page(id=page_id, url=gold[page_id]["url"], html=html, body=list(gold[page_id]["body"])))
    return pages
