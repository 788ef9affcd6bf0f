"""Poison records for a stage's input topic: each keyed by its case name, with the text its dead
letter's error must contain."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Poison:
    case: str
    value: bytes | None
    error: str  # in the dead letter's `error`

    @property
    def key(self) -> bytes:
        return f"poison-{self.case}".encode()


def poison_records(valid: bytes, max_message_bytes: int) -> list[Poison]:
    """Every kind of unreadable message, built from one valid message of the topic's model."""
    document = json.loads(valid)
    wrong_version = json.dumps(document | {"schema_version": 2}).encode()
    oversized = json.dumps(document | {"title": "O" * max_message_bytes}).encode()
    return [
        Poison("invalid-json", b'{"schema_version": 1, "url": "http://127.0.0.1/x",', "Invalid JSON"),
        Poison("binary", random.Random(7).randbytes(4096), "Invalid JSON"),
        Poison("wrong-schema-version", wrong_version, "schema_version"),
        Poison("missing-fields", b'{"schema_version": 1}', "Field required"),
        Poison("not-an-object", b'["a", "list"]', "Input should be an object"),
        Poison("nested-json", b"[" * 100_000 + b"]" * 100_000, "recursion limit exceeded"),
        Poison("no-value", None, "message has no value"),
        Poison("oversized", oversized, f"exceeds {max_message_bytes}"),
    ]
