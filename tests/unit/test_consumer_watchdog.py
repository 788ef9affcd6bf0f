"""The consumer watchdog's logic, with a fake consumer and clocks: what counts as progress, what
is excused, and the reason it gives."""

from __future__ import annotations

from aiokafka import TopicPartition

from services.kit.health import ConsumerWatchdog

TP = TopicPartition("news.items", 0)


class FakeConsumer:
    def __init__(self) -> None:
        self.assigned: set[TopicPartition] = {TP}
        self.polled_ms: int | None = None

    def assignment(self) -> set[TopicPartition]:
        return self.assigned

    def last_poll_timestamp(self, partition: TopicPartition) -> int | None:
        return self.polled_ms if partition in self.assigned else None


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.now + 1_700_000_000  # a different origin, as time.time's


def make(broker_up_since: float | None = 0.0) -> tuple[ConsumerWatchdog, FakeConsumer, Clock]:
    consumer, clock = FakeConsumer(), Clock()
    watchdog = ConsumerWatchdog(consumer, 10, lambda: broker_up_since, clock.monotonic, clock.wall)
    return watchdog, consumer, clock


def test_fetch_responses_count_as_progress_even_when_empty() -> None:
    watchdog, consumer, clock = make()
    for _ in range(5):
        clock.now += 5
        consumer.polled_ms = int(clock.wall() * 1000) - 400  # answered 0.4 s ago
        watchdog.fetched(0)
        assert watchdog.check() is None


def test_no_fetch_response_while_getmany_returns_nothing_is_stuck() -> None:
    watchdog, consumer, clock = make()
    consumer.polled_ms = int(clock.wall() * 1000)
    watchdog.fetched(0)
    for _ in range(11):  # the loop turns every second; the partitions are not fetched
        clock.now += 1
        watchdog.fetched(0)
    assert watchdog.check() == "consumer has not fetched for 11s"


def test_a_getmany_that_never_returns_is_stuck() -> None:
    watchdog, _, clock = make()
    watchdog.fetched(3)
    clock.now += 10
    assert watchdog.check() is None
    clock.now += 2
    assert watchdog.check() == "consumer has not fetched for 12s"


def test_records_handed_over_count_as_progress() -> None:
    watchdog, consumer, clock = make()
    consumer.polled_ms = None  # buffered records: no new fetch response needed
    for _ in range(5):
        clock.now += 5
        watchdog.fetched(2)
    assert watchdog.check() is None


def test_no_assignment_for_too_long_is_stuck_and_says_so() -> None:
    watchdog, consumer, clock = make()
    consumer.assigned = set()
    clock.now += 15
    watchdog.fetched(0)
    assert watchdog.check() == "consumer has not fetched for 15s (no partitions assigned)"


def test_time_spent_on_a_batch_is_not_held_against_the_consumer() -> None:
    watchdog, _, clock = make()
    watchdog.fetched(5)
    watchdog.working()
    clock.now += 100
    assert watchdog.check() is None
    watchdog.idle()
    clock.now += 5
    assert watchdog.check() is None


def test_a_broker_outage_is_excused_and_its_end_restarts_the_count() -> None:
    up: list[float | None] = [0.0]
    consumer, clock = FakeConsumer(), Clock()
    watchdog = ConsumerWatchdog(consumer, 10, lambda: up[0], clock.monotonic, clock.wall)
    watchdog.fetched(1)
    up[0] = None  # broker unreachable
    clock.now += 60
    assert watchdog.check() is None
    up[0] = clock.now  # answering again from now
    clock.now += 5
    assert watchdog.check() is None
    clock.now += 6
    assert watchdog.check() == "consumer has not fetched for 11s"
