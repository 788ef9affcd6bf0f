"""A dead letter from a record that could not be processed: what failed, and the record itself
(UTF-8 when it is text, base64 otherwise, cut at DLQ_MAX_PAYLOAD_BYTES)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Literal

from aiokafka.structs import ConsumerRecord

from services.kit.models import DeadLetter

DLQ_MAX_PAYLOAD_BYTES = 512 * 1024


def dead_letter(
    record: ConsumerRecord[bytes, bytes],
    *,
    stage: str,
    error_type: str,
    error: str,
    retriable: bool,
    attempts: int,
) -> DeadLetter:
    raw = record.value or b""
    truncated = len(raw) > DLQ_MAX_PAYLOAD_BYTES
    raw = raw[:DLQ_MAX_PAYLOAD_BYTES]
    encoding: Literal["utf-8", "base64"] = "utf-8"
    try:
        payload = raw.decode("utf-8")
    except UnicodeDecodeError:
        payload, encoding = base64.b64encode(raw).decode("ascii"), "base64"
    return DeadLetter(
        stage=stage,
        error_type=error_type,
        error=error[:2000],
        retriable=retriable,
        attempts=attempts,
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key.decode("utf-8", "replace") if record.key is not None else None,
        payload=payload,
        payload_encoding=encoding,
        payload_truncated=truncated,
        failed_at=datetime.now(UTC),
    )
