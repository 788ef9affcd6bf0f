"""Label JSON lines offline: `{"id", "text", "title"?}` in, `{"id", "language", "theaters", "actors", "events"}` out."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from .labeler import Labeler


def label_lines(lines: Iterable[str], labeler: Labeler, errors: TextIO) -> Iterator[str]:
    """One output line per good input line; bad lines are reported to `errors` and skipped."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.write(f"line {number}: invalid JSON: {exc.msg} (column {exc.colno})\n")
            continue
        problem = _problem(record)
        if problem:
            errors.write(f"line {number}: {problem}\n")
            continue
        title = record.get("title")
        labels = labeler.label(record["text"], title=title if isinstance(title, str) else None)
        out = {"id": record.get("id"), **labels.model_dump(mode="json")}
        yield json.dumps(out, ensure_ascii=False)


def _problem(record: Any) -> str | None:
    if not isinstance(record, dict):
        return f"expected a JSON object, got {type(record).__name__}"
    if "text" not in record:
        return "missing 'text'"
    if not isinstance(record["text"], str):
        return f"'text' must be a string, got {type(record['text']).__name__}"
    return None
