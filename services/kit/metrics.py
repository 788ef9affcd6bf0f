"""Prometheus metrics shared by the stages, labelled by stage."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

MESSAGES_IN = Counter("sitrep_messages_in_total", "Messages taken from the input topic.", ["stage"])
MESSAGES_OUT = Counter("sitrep_messages_out_total", "Messages produced and acknowledged.", ["stage", "topic"])
MESSAGES_FAILED = Counter(
    "sitrep_messages_failed_total", "Processing attempts that failed, by reason.", ["stage", "reason"]
)
DEAD_LETTERED = Counter(
    "sitrep_messages_dead_lettered_total", "Messages sent to the dead-letter topic.", ["stage", "reason"]
)
SKIPPED = Counter("sitrep_messages_skipped_total", "Inputs deliberately not passed on, by reason.", ["stage", "reason"])
PROCESSING_SECONDS = Histogram(
    "sitrep_processing_seconds",
    "Time from taking a message to its outputs being acknowledged.",
    ["stage"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
COMMITS_FAILED = Counter("sitrep_commits_failed_total", "Offset commits the broker refused.", ["stage"])
PRODUCE_RETRIES = Counter("sitrep_produce_retries_total", "Produce attempts retried after a broker error.", ["stage"])
IN_FLIGHT = Gauge("sitrep_in_flight", "Messages being processed now.", ["stage"])
KAFKA_UP = Gauge("sitrep_kafka_up", "1 when the broker answered the last metadata request.", ["stage"])


def register_stage(stage: str) -> None:
    """Expose a stage's series at zero from the start, so dashboards and rate() see them before
    the first message."""
    for metric in (MESSAGES_IN, PROCESSING_SECONDS, COMMITS_FAILED, PRODUCE_RETRIES, IN_FLIGHT, KAFKA_UP):
        metric.labels(stage)
