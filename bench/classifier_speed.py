"""Classifier speed, memory and start-up.

    .venv/bin/python -m bench.classifier_speed [--seconds 10] [--words 800] [--corpus news|dense]

Articles, `news`: the 80 gold article bodies of fundus-evaluation (../shared/data/fundus-eval, read
in place), each cut or repeated to exactly --words words, with the first sentence as the title: real
English news text of the length the goal names. `dense`: the text sitrep exists for, 80 original
monitoring notes (bench/data/dense_notes.txt) joined in a rotating order into articles of --words
words, every sentence naming villages, districts, armed groups and casualties. They are labelled over and over for about
--seconds of CPU; the figure is articles per CPU-second (user + system) of this process. The
language is passed in, as the stage does (the parser sets it); the rate with detection is also given.

Also measured, each in a fresh child process:
- start-up: `Labeler.load()` with the built-matcher cache warm, and with it cold (empty cache dir);
- resident memory: peak RSS of a process that loads the labeler and labels every article once.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT.parent / "shared" / "data" / "fundus-eval" / "ground_truth.json"
DENSE = ROOT / "bench" / "data" / "dense_notes.txt"

_CHILD = """
import json, resource, sys, time
from pathlib import Path
started = time.perf_counter()
from services.classifier.labeler import Labeler
labeler = Labeler.load(cache_dir=Path(sys.argv[1]))
loaded = time.perf_counter() - started
for title, text in json.loads(Path(sys.argv[2]).read_text()):
    labeler.label(text, title=title, language="en")
print(json.dumps({"load_s": loaded, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def dense_articles(words: int) -> list[tuple[str, str]]:
    lines = [line for line in DENSE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    notes = [n.strip() for n in "\n".join(lines).split("\n\n") if n.strip()]
    out = []
    for first in range(len(notes)):
        chosen: list[str] = []
        count, k = 0, first
        while count < words:
            note = notes[k % len(notes)]
            chosen.append(note)
            count += len(note.split())
            k += 1
        text = "\n\n".join(chosen)
        out.append((chosen[0].split(". ", 1)[0][:200], text))
    return out


def articles(words: int) -> list[tuple[str, str]]:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    out = []
    for entry in gold.values():
        paragraphs = [p.strip("[]") for p in entry["body"] if p.strip()]
        tokens = " ".join(paragraphs).split()
        if not tokens:
            continue
        while len(tokens) < words:
            tokens += tokens
        text = " ".join(tokens[:words])
        title = text.split(". ", 1)[0][:200]
        out.append((title, text))
    return out


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(cache_dir: Path, corpus: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(cache_dir), str(corpus)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    parsed: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="CPU seconds to spend labelling")
    parser.add_argument("--words", type=int, default=800, help="words per article")
    parser.add_argument("--corpus", choices=["news", "dense"], default="news", help="general news or monitoring notes")
    args = parser.parse_args(argv)

    from services.classifier.labeler import Labeler

    corpus = dense_articles(args.words) if args.corpus == "dense" else articles(args.words)
    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch) / "cache"
        texts = Path(scratch) / "articles.json"
        texts.write_text(json.dumps(corpus), encoding="utf-8")
        cold = child(cache, texts)
        warm = child(cache, texts)
        labeler = Labeler.load(cache_dir=cache)

    for title, text in corpus:  # warm-up
        labeler.label(text, title=title, language="en")
    # As the stage calls it: the parser has already set the article's language.
    done, cpu, wall = 0, cpu_seconds(), time.perf_counter()
    while cpu_seconds() - cpu < args.seconds:
        for title, text in corpus:
            labeler.label(text, title=title, language="en")
        done += len(corpus)
    cpu_s, wall_s = cpu_seconds() - cpu, time.perf_counter() - wall
    # And when it has not, so the classifier detects it (py3langid on the first 1,000 characters).
    detect_done, detect_cpu = 0, cpu_seconds()
    while cpu_seconds() - detect_cpu < args.seconds / 4:
        for title, text in corpus:
            labeler.label(text, title=title)
        detect_done += len(corpus)
    detect_s = cpu_seconds() - detect_cpu

    print(
        f"{len(corpus)} {args.corpus} articles of about {args.words} words, labelled {done} times; "
        f"version {labeler.version}\n"
    )
    print("| measure | value | goal |")
    print("|---|---:|---|")
    print(f"| articles per CPU-second | **{done / cpu_s:,.0f}** | ≥ 1,000 |")
    print(f"| articles per wall-second | {done / wall_s:,.0f} | |")
    print(f"| articles per CPU-second, language detected too | {detect_done / detect_s:,.0f} | |")
    print(f"| mean time per article | {1000 * cpu_s / done:.2f} ms | |")
    print(f"| start-up, matcher cache warm | **{warm['load_s']:.2f} s** | ≤ 5 s |")
    print(f"| start-up, cache cold (builds and writes it) | {cold['load_s']:.2f} s | |")
    print(f"| peak resident memory, load + label all | **{warm['rss_mb']:.0f} MB** | ≤ 500 MB |")


if __name__ == "__main__":
    main()
