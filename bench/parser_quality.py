"""Extraction quality of the parser against the fundus-evaluation gold text, beside plain trafilatura.

    .venv/bin/python -m bench.parser_quality [--worst 5] [--show APNews_0.html.gz ...] [--split paragraphs]

For each of the 80 pages, sitrep's `services.parser.extract.extract_page(html, url)` and
`trafilatura.extract(html, url=url)` with its defaults run side by side on the same decoded HTML.
Both are scored against the gold paragraphs the way dobbersc/fundus-evaluation scores them
(src/fundus_evaluation/scorers.py, utils.py, entry_points/score.py):

- ROUGE-LSum (rouge-score's `rougeLsum`, no stemming): union-LCS summary-level ROUGE-L with each
  paragraph as one "sentence". fundus-evaluation sets `split_summaries=True`, which re-splits the
  text into sentences with NLTK punkt; the default here splits on paragraphs instead (punkt's data
  is a separate download, and paragraphs are the unit the parser emits). `--split sentences` gives
  the published variant when punkt's data is installed.
- Paragraph match: gold and extracted paragraphs, whitespace-normalised, matched exactly as
  multisets; precision, recall and F1 per page.
- Optional "[...]" gold paragraphs: every subset of them is tried, with and without each, and the
  page keeps the candidate with the best F1; a page with more than 4 optional paragraphs tries only
  all-in and all-out (fundus-evaluation's `max_optional_paragraphs=4`).

Figures are means over pages, x100. A missing page, an extractor returning None or raising scores 0."""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, combinations
from pathlib import Path

import numpy as np
import trafilatura
from rouge_score import rouge_scorer, tokenizers

from bench.parser_data import DATA_DIR, Page, load_pages

MAX_OPTIONAL_PARAGRAPHS = 4  # fundus-evaluation's default in entry_points/score.py

# (html, url) -> article text, None when nothing was found.
Extractor = Callable[[str, str], str | None]


@dataclass(frozen=True)
class Prf:
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0


@dataclass
class PageResult:
    page: Page
    paragraphs: list[str]
    rouge: Prf
    match: Prf
    error: str | None = None


@dataclass
class Run:
    name: str
    results: list[PageResult] = field(default_factory=list)
    note: str | None = None  # why the extractor could not run at all


def normalize(text: str) -> str:
    return " ".join(text.split())


def paragraphs_of(text: str | None) -> list[str]:
    """Non-empty lines, whitespace-normalised: trafilatura puts one paragraph per line and sitrep
    separates them with a blank line, so splitting on newlines reads both the same way."""
    return [normalize(line) for line in (text or "").split("\n") if line.strip()]


def is_optional(paragraph: str) -> bool:
    return len(paragraph) >= 2 and paragraph[0] == "[" and paragraph[-1] == "]"


def reference_bodies(body: Sequence[str]) -> Iterator[list[str]]:
    """The gold text with each subset of its optional paragraphs left out, markers stripped."""
    optional = [i for i, paragraph in enumerate(body) if is_optional(paragraph)]
    if len(optional) > MAX_OPTIONAL_PARAGRAPHS:
        subsets: Iterator[tuple[int, ...]] = iter([(), tuple(optional)])
    else:
        subsets = chain.from_iterable(combinations(optional, n) for n in range(len(optional) + 1))
    for removed in subsets:
        yield [
            normalize(paragraph[1:-1] if is_optional(paragraph) else paragraph)
            for i, paragraph in enumerate(body)
            if i not in removed
        ]


def union_lcs(reference: Sequence[int], candidate: Sequence[Sequence[int]]) -> list[int]:
    """Indices into `reference` of the union of its LCS with each candidate sentence, as rouge-score's
    `_union_lcs` finds them: the same LCS table and the same backtrack, so the same LCS when several
    exist. The table is filled a row at a time for all candidate sentences at once with numpy
    (rouge-score's pure-Python loops take minutes on the long pages here)."""
    widths = [len(sentence) + 1 for sentence in candidate]  # each sentence gets its column 0
    starts = np.cumsum([0, *widths])
    columns = np.full(int(starts[-1]), -1, dtype=np.int64)  # -1, in column 0, matches no token
    for start, sentence in zip(starts, candidate, strict=False):
        columns[start + 1 : start + 1 + len(sentence)] = sentence
    # Offsets keep the running max inside each sentence's columns: a cell never exceeds len(reference).
    offsets = np.repeat(np.arange(len(candidate), dtype=np.int64) * (len(reference) + 1), widths)
    table = np.zeros((len(reference) + 1, len(columns)), dtype=np.int64)
    for i, token in enumerate(reference, 1):
        above = table[i - 1]
        diagonal = np.concatenate(([0], above[:-1])) + 1
        # A match takes the diagonal + 1, otherwise the cell above; the left neighbour's max is the
        # running max, and a matched diagonal + 1 is never below it, so this is rouge-score's recurrence.
        cells = np.where(columns == token, diagonal, above)
        table[i] = np.maximum.accumulate(cells + offsets) - offsets
    found: set[int] = set()
    for start, sentence in zip(starts, candidate, strict=False):
        if not sentence or table[-1, start + len(sentence)] == 0:
            continue
        t = table[:, start : start + len(sentence) + 1].tolist()
        i, j = len(reference), len(sentence)
        while i > 0 and j > 0:
            if reference[i - 1] == sentence[j - 1]:
                found.add(i - 1)
                i, j = i - 1, j - 1
            elif t[i][j - 1] > t[i - 1][j]:
                j -= 1
            else:
                i -= 1
    return sorted(found)


class RougeLsum:
    """rouge-score's `rougeLsum` (RougeScorer.score -> _summary_level_lcs) with its tokenizer and its
    union-LCS, computed once per gold paragraph, page and extractor rather than once per
    optional-paragraph candidate. `--check-rouge` compares every score with RougeScorer.score."""

    def __init__(self, split_sentences: bool) -> None:
        self._split_sentences = split_sentences
        self._tokenizer = tokenizers.DefaultTokenizer(use_stemmer=False)
        self._scorer = rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=False, split_summaries=split_sentences)

    def _sentences(self, text: str, vocabulary: dict[str, int]) -> list[list[int]]:
        """Token ids of each non-empty sentence, as rouge-score splits and tokenizes them."""
        if self._split_sentences:
            import nltk

            units: list[str] = nltk.sent_tokenize(text)
        else:
            units = text.split("\n")
        return [
            [vocabulary.setdefault(token, len(vocabulary)) for token in self._tokenizer.tokenize(unit)]
            for unit in units
            if unit
        ]

    def best(self, body: Sequence[str], extracted: Sequence[str], check: bool = False) -> Prf:
        """Best score over the gold candidates, paragraphs joined by blank lines as fundus-evaluation does;
        `max` keeps the first of equal candidates, as fundus-evaluation's does."""
        vocabulary: dict[str, int] = {}
        hypothesis = "\n\n".join(extracted)
        candidate = self._sentences(hypothesis, vocabulary)
        unions: dict[tuple[int, ...], list[int]] = {}

        def union(sentence: list[int]) -> list[int]:
            key = tuple(sentence)
            if key not in unions:
                unions[key] = [sentence[i] for i in union_lcs(sentence, candidate)]
            return unions[key]

        scores = []
        for reference in reference_bodies(body):
            score = self._summary_level(self._sentences("\n\n".join(reference), vocabulary), candidate, union)
            if check:
                expected = self._scorer.score("\n\n".join(reference), hypothesis)["rougeLsum"]
                if (expected.precision, expected.recall, expected.fmeasure) != (
                    score.precision,
                    score.recall,
                    score.f1,
                ):
                    raise AssertionError(f"rouge-score gives {expected}, this gives {score}")
            scores.append(score)
        return max(scores, key=lambda s: s.f1)

    @staticmethod
    def _summary_level(
        reference: list[list[int]], candidate: list[list[int]], union: Callable[[list[int]], list[int]]
    ) -> Prf:
        m, n = sum(map(len, reference)), sum(map(len, candidate))
        if not m or not n:
            return Prf()
        # Each token counts at most as often as it occurs on both sides (rouge-score, after ROUGE 1.5.5).
        left_reference = Counter(token for sentence in reference for token in sentence)
        left_candidate = Counter(token for sentence in candidate for token in sentence)
        hits = 0
        for sentence in reference:
            for token in union(sentence):
                if left_candidate[token] > 0 and left_reference[token] > 0:
                    hits += 1
                    left_candidate[token] -= 1
                    left_reference[token] -= 1
        precision, recall = hits / n, hits / m
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        return Prf(precision, recall, f1)


def paragraph_match(body: Sequence[str], extracted: Sequence[str]) -> Prf:
    """Best exact paragraph match over the gold candidates; an empty side scores 0, not NaN."""
    candidates = []
    for reference in reference_bodies(body):
        # Multiset intersection: a paragraph repeated in the gold must be extracted as often.
        hits = (Counter(reference) & Counter(extracted)).total()
        precision = hits / len(extracted) if extracted else 0.0
        recall = hits / len(reference) if reference else 0.0
        f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
        candidates.append(Prf(precision, recall, f1))
    return max(candidates, key=lambda s: s.f1)


def plain_trafilatura(html: str, url: str) -> str | None:
    text: str | None = trafilatura.extract(html, url=url)
    return text


def load_sitrep() -> tuple[Extractor | None, str | None]:
    """sitrep's extractor, imported now rather than at module load: the parser is being edited
    while this runs, and a broken import should cost its column, not the whole report."""
    try:
        from services.parser.extract import extract_page
    except Exception as exc:  # noqa: BLE001 - any import-time failure is reported, not raised
        return None, f"import of services.parser.extract.extract_page failed: {type(exc).__name__}: {exc}"

    def sitrep(html: str, url: str) -> str | None:
        page = extract_page(html, url)
        return None if page is None else page.text

    return sitrep, None


def evaluate(
    name: str, extractor: Extractor | None, note: str | None, pages: Sequence[Page], rouge: RougeLsum, check: bool
) -> Run:
    run = Run(name, note=note)
    for page in pages:
        text, error = None, None
        if extractor is None:
            error = note
        elif page.html is None:
            error = "page missing"
        else:
            try:
                text = extractor(page.html, page.url)
            except Exception as exc:  # noqa: BLE001 - one failing page scores 0; the run goes on
                error = f"{type(exc).__name__}: {exc}"
        extracted = paragraphs_of(text)
        run.results.append(
            PageResult(
                page, extracted, rouge.best(page.body, extracted, check), paragraph_match(page.body, extracted), error
            )
        )
    return run


def mean(values: Sequence[float]) -> float:
    return 100 * statistics.fmean(values) if values else 0.0


def summary_table(runs: Sequence[Run]) -> list[str]:
    lines = [
        "| extractor | ROUGE-LSum P | ROUGE-LSum R | ROUGE-LSum F1 (±sd) | paragraph P | paragraph R | paragraph F1 "
        "| pages without text |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        rouge = [r.rouge for r in run.results]
        match = [r.match for r in run.results]
        f1s = [x.f1 for x in rouge]
        sd = 100 * statistics.stdev(f1s) if len(f1s) > 1 else 0.0
        empty = sum(1 for r in run.results if not r.paragraphs)
        lines.append(
            f"| {run.name} | {mean([x.precision for x in rouge]):.2f} | {mean([x.recall for x in rouge]):.2f} "
            f"| **{mean(f1s):.2f}** ±{sd:.1f} | {mean([x.precision for x in match]):.2f} "
            f"| {mean([x.recall for x in match]):.2f} | **{mean([x.f1 for x in match]):.2f}** | {empty} |"
        )
    return lines


def publisher_table(plain: Run, sitrep: Run) -> list[str]:
    by_publisher: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for base, ours in zip(plain.results, sitrep.results, strict=True):
        by_publisher[base.page.publisher][0].append(base.rouge.f1)
        by_publisher[base.page.publisher][1].append(ours.rouge.f1)
    lines = [
        f"| publisher | {plain.name} ROUGE-LSum F1 | {sitrep.name} ROUGE-LSum F1 | difference |",
        "|---|---:|---:|---:|",
    ]
    for publisher in sorted(by_publisher):
        base_f1, ours_f1 = (mean(values) for values in by_publisher[publisher])
        lines.append(f"| {publisher} | {base_f1:.2f} | {ours_f1:.2f} | {ours_f1 - base_f1:+.2f} |")
    return lines


def worst_table(plain: Run, sitrep: Run, count: int) -> list[str]:
    pairs = sorted(zip(sitrep.results, plain.results, strict=True), key=lambda pair: pair[0].rouge.f1)[:count]
    lines = [
        f"| page | {sitrep.name} F1 | P | R | paragraph F1 | paragraphs (extracted / gold) | {plain.name} F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for ours, base in pairs:
        lines.append(
            f"| {ours.page.id.removesuffix('.html.gz')} | {100 * ours.rouge.f1:.2f} | {100 * ours.rouge.precision:.2f} "
            f"| {100 * ours.rouge.recall:.2f} | {100 * ours.match.f1:.2f} "
            f"| {len(ours.paragraphs)} / {len(ours.page.body)} | {100 * base.rouge.f1:.2f} |"
        )
    return lines


def show(result: PageResult) -> list[str]:
    """Gold paragraphs the extraction lacks and extracted paragraphs not in the gold, in order."""
    gold = [normalize(p[1:-1] if is_optional(p) else p) for p in result.page.body]
    optional = {normalize(p[1:-1]) for p in result.page.body if is_optional(p)}
    lines = [f"### {result.page.id} ({result.page.url})", ""]
    if result.error:
        lines.append(f"error: {result.error}")
    lines.append("missing from the extraction (gold order; (opt) = optional):")
    lines += [f"  - {'(opt) ' if p in optional else ''}{p[:160]}" for p in gold if p not in result.paragraphs]
    lines.append("extracted but not gold (extraction order, with position):")
    lines += [f"  + [{i}] {p[:160]}" for i, p in enumerate(result.paragraphs) if p not in gold]
    return [*lines, ""]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the fundus-eval directory")
    parser.add_argument("--worst", type=int, default=5, help="how many of sitrep's worst pages to list")
    parser.add_argument("--show", nargs="*", default=[], help="page ids whose differences to print ('worst' for those)")
    parser.add_argument("--split", choices=["paragraphs", "sentences"], default="paragraphs")
    parser.add_argument("--check-rouge", action="store_true", help="also score with RougeScorer.score and compare")
    args = parser.parse_args(argv)

    if args.split == "sentences":
        import nltk

        try:
            nltk.data.find("tokenizers/punkt_tab")
        except LookupError:
            sys.exit("--split sentences needs NLTK's punkt_tab data (python -m nltk.downloader punkt_tab)")
    rouge = RougeLsum(split_sentences=args.split == "sentences")

    pages = load_pages(args.data)
    sitrep_extractor, sitrep_note = load_sitrep()
    plain = evaluate("trafilatura defaults", plain_trafilatura, None, pages, rouge, args.check_rouge)
    sitrep = evaluate("sitrep extract_page", sitrep_extractor, sitrep_note, pages, rouge, args.check_rouge)

    out = [
        f"{len(pages)} pages, {len({p.publisher for p in pages})} publishers; trafilatura {trafilatura.__version__}; "
        f"ROUGE-LSum split on {args.split}; means over pages, x100.",
        "",
        *summary_table([plain, sitrep]),
        "",
        *publisher_table(plain, sitrep),
        "",
        f"{sitrep.name}: the {args.worst} worst pages by ROUGE-LSum F1",
        "",
        *worst_table(plain, sitrep, args.worst),
        "",
    ]
    for run in (plain, sitrep):
        if run.note:
            out.append(f"**{run.name} did not run**: {run.note}")
        failures = [r for r in run.results if r.error and not run.note]
        if failures:
            out.append(
                f"{run.name}: {len(failures)} pages scored 0 on errors, e.g. {failures[0].page.id}: {failures[0].error}"
            )
    worst_ids = [r.page.id for r in sorted(sitrep.results, key=lambda r: r.rouge.f1)[: args.worst]]
    wanted = [page_id for name in args.show for page_id in (worst_ids if name == "worst" else [name])]
    by_id = {r.page.id: r for r in sitrep.results}
    for page_id in wanted:
        key = page_id if page_id.endswith(".html.gz") else f"{page_id}.html.gz"
        out += show(by_id[key]) if key in by_id else [f"no page {page_id}"]
    print("\n".join(out))


if __name__ == "__main__":
    main()
