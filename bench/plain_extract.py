"""Plain trafilatura behind the same JSON-lines interface as `python -m services.parser extract`:
the CLI's baseline in bench/parser_speed.py, so both pay a process start, the imports and JSON.

    .venv/bin/python -m bench.plain_extract < pages.jsonl > texts.jsonl"""

from __future__ import annotations

import json
import sys

import trafilatura


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        record = json.loads(line)
        text = trafilatura.extract(record["html"], url=record["url"])
        sys.stdout.write(json.dumps({"url": record["url"], "text": text}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
