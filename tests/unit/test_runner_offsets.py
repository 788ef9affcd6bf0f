from __future__ import annotations

from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from services.kit.runner import _committable


def record(partition: int, offset: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("t", partition, offset, 0, 0, b"k", b"v", None, 1, 1, [])


def test_commits_only_the_finished_prefix_of_each_partition() -> None:
    batch = [record(0, 10), record(0, 11), record(0, 12), record(1, 5), record(1, 6), record(2, 7)]
    finished = {0, 2, 4, 5}  # partition 0: offset 11 unfinished; partition 1: offset 5 unfinished
    assert _committable(batch, finished) == {
        TopicPartition("t", 0): OffsetAndMetadata(11, ""),
        TopicPartition("t", 2): OffsetAndMetadata(8, ""),
    }


def test_everything_finished() -> None:
    batch = [record(0, 3), record(0, 4)]
    assert _committable(batch, {0, 1}) == {TopicPartition("t", 0): OffsetAndMetadata(5, "")}
