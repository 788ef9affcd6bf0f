"""Extraction speed of the parser in pages per second per core, beside plain trafilatura.

    .venv/bin/python -m bench.parser_speed [--seconds 10] [--reps N]

The 80 fundus-evaluation pages (see bench/parser_data.py) are decompressed and decoded once, then
extracted N times over by each case:

- `trafilatura.extract(html, url=url)` with its defaults, in this process;
- sitrep's `services.parser.extract.extract_page(html, url)`, in this process;
- `python -m services.parser extract` in a child process, fed the pages as JSON lines on stdin;
- plain trafilatura behind the same JSON-lines loop (`bench/plain_extract.py`), also a child
  process on the same input: the CLI's like-for-like baseline.

Per core means per CPU-second (user + system, `resource.getrusage`) of the process doing the work:
RUSAGE_SELF for the in-process cases, RUSAGE_CHILDREN for the CLI, so the figures do not depend on
what else the machine runs. The in-process cases alternate pass by pass so drift hits both alike.
The child figures include their start-up (imports), which is also measured alone on empty input.
N defaults to what makes each in-process case take about --seconds of CPU."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from bench.parser_data import DATA_DIR, ROOT, load_pages

# (html, url) -> anything; the result is dropped.
Extract = Callable[[str, str], object]


@dataclass
class Case:
    name: str
    pages: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0

    @property
    def per_core(self) -> float:
        return self.pages / self.cpu_s if self.cpu_s else 0.0

    @property
    def per_wall(self) -> float:
        return self.pages / self.wall_s if self.wall_s else 0.0


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def one_pass(extract: Extract, pages: Sequence[tuple[str, str]], case: Case) -> None:
    cpu, wall = cpu_seconds(), time.perf_counter()
    for html, url in pages:
        extract(html, url)
    case.cpu_s += cpu_seconds() - cpu
    case.wall_s += time.perf_counter() - wall
    case.pages += len(pages)


def plain_trafilatura(html: str, url: str) -> object:
    return trafilatura.extract(html, url=url)


SITREP_CLI = ("-m", "services.parser", "extract")
PLAIN_CLI = ("-m", "bench.plain_extract")


def run_cli(lines: Path, name: str, command: Sequence[str] = SITREP_CLI) -> tuple[Case, str | None]:
    """A child `python <command>` over the JSON lines in `lines`; CPU of the child only."""
    case = Case(name)
    with lines.open("rb") as stdin, tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        cpu, wall = cpu_seconds(resource.RUSAGE_CHILDREN), time.perf_counter()
        process = subprocess.run(
            [sys.executable, *command],
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            cwd=ROOT,
            check=False,
        )
        case.cpu_s = cpu_seconds(resource.RUSAGE_CHILDREN) - cpu
        case.wall_s = time.perf_counter() - wall
        stdout.seek(0)
        case.pages = sum(1 for line in stdout if line.strip())
        stderr.seek(0)
        tail = stderr.read()[-500:].decode("utf-8", "replace").strip()
    if process.returncode != 0:
        return case, f"exit status {process.returncode}: {tail}"
    return case, None


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the fundus-eval directory")
    parser.add_argument("--seconds", type=float, default=10.0, help="CPU seconds to aim at per case")
    parser.add_argument("--reps", type=int, default=None, help="passes over the pages (default: from --seconds)")
    args = parser.parse_args(argv)

    pages = [(page.html, page.url) for page in load_pages(args.data) if page.html is not None]
    notes: list[str] = []
    try:
        # Imported now, not at module load: the parser is being edited while this runs.
        from services.parser.extract import extract_page

        sitrep_extract: Extract | None = extract_page
    except Exception as exc:  # noqa: BLE001 - any import-time failure is reported, not raised
        sitrep_extract = None
        notes.append(f"sitrep extract_page could not be imported: {type(exc).__name__}: {exc}")

    plain, sitrep = Case("trafilatura defaults, in-process"), Case("sitrep extract_page, in-process")
    # A warm-up pass each (imports, lazily built tables), which also sizes the run.
    warm_plain, warm_sitrep = Case("warm-up"), Case("warm-up")
    one_pass(plain_trafilatura, pages, warm_plain)
    if sitrep_extract is not None:
        try:
            one_pass(sitrep_extract, pages, warm_sitrep)
        except Exception as exc:  # noqa: BLE001 - a changed signature costs the sitrep rows only
            notes.append(f"sitrep extract_page failed: {type(exc).__name__}: {exc}")
            sitrep_extract = None
    slowest = max(warm_plain.cpu_s, warm_sitrep.cpu_s)
    reps = args.reps or max(1, round(args.seconds / slowest))

    for _ in range(reps):
        one_pass(plain_trafilatura, pages, plain)
        if sitrep_extract is not None:
            one_pass(sitrep_extract, pages, sitrep)

    with tempfile.TemporaryDirectory() as scratch:
        empty, full = Path(scratch) / "empty.jsonl", Path(scratch) / "pages.jsonl"
        empty.write_bytes(b"")
        with full.open("w", encoding="utf-8") as out:
            for _ in range(reps):
                for html, url in pages:
                    out.write(json.dumps({"url": url, "html": html}) + "\n")
        startup, startup_error = run_cli(empty, "CLI start-up alone (empty input)")
        plain_startup, _ = run_cli(empty, "plain start-up alone", PLAIN_CLI)
        cli, cli_error = run_cli(full, "`python -m services.parser extract`, child process")
        plain_cli, plain_error = run_cli(full, "plain trafilatura, same JSON-lines loop, child process", PLAIN_CLI)
    for error in (startup_error, cli_error, plain_error):
        if error:
            notes.append(f"a child process failed: {error}")
    if not cli_error and cli.pages != reps * len(pages):
        notes.append(f"the CLI wrote {cli.pages} lines for {reps * len(pages)} pages")

    print(
        f"{len(pages)} pages x {reps} passes; trafilatura {trafilatura.__version__}; "
        f"CPU = user + system of the working process.\n"
    )
    print("| case | pages | CPU s | pages/s per core | wall s | pages/s wall | vs its baseline (per core) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for case, baseline in ((plain, plain), (sitrep, plain), (plain_cli, plain), (cli, plain_cli)):
        if not case.pages:
            print(f"| {case.name} | 0 | - | - | - | - | - |")
            continue
        ratio = case.per_core / baseline.per_core if baseline.per_core else 0.0
        print(
            f"| {case.name} | {case.pages} | {case.cpu_s:.2f} | **{case.per_core:.2f}** | {case.wall_s:.2f} "
            f"| {case.per_wall:.2f} | {ratio:.3f}x |"
        )
    print(
        "\nBaselines: the in-process cases against plain trafilatura in-process; the sitrep CLI against "
        "plain trafilatura's child process."
    )
    print(f"Start-up alone: sitrep CLI {startup.cpu_s:.2f} s CPU, plain child {plain_startup.cpu_s:.2f} s CPU.")
    if cli.pages and plain_cli.per_core:
        ratio = cli.per_core / plain_cli.per_core
        verdict = "meets" if ratio >= 0.9 else "misses"
        print(f"sitrep CLI / plain child, per core: **{ratio:.3f}x** ({verdict} the 0.9x goal).")
    if sitrep.pages and plain.per_core:
        verdict = "meets" if sitrep.per_core / plain.per_core >= 0.9 else "misses"
        print(f"sitrep / plain, per core: **{sitrep.per_core / plain.per_core:.3f}x** ({verdict} the 0.9x goal).")
    for note in notes:
        print(f"\n**{note}**")


if __name__ == "__main__":
    main()
