from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from services.kit.politeness import HostLimiter, host_key

EPS = 0.001  # clock granularity slack for gap bounds


def now() -> float:
    return asyncio.get_running_loop().time()


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://A.example/x", "a.example"),
        ("http://a.example/y", "a.example"),
        ("https://a.example/z?q=1", "a.example"),
        ("http://a.example:8080/", "a.example:8080"),
        ("http://www.a.example/", "www.a.example"),
        ("http://user:pw@A.Example:81/p", "a.example:81"),
        ("http://[::1]:8080/", "[::1]:8080"),
    ],
)
def test_host_key(url: str, key: str) -> None:
    assert host_key(url) == key


@pytest.mark.parametrize("url", ["/relative/path", "not a url", ""])
def test_host_key_rejects_urls_without_a_host(url: str) -> None:
    with pytest.raises(ValueError, match="no host"):
        host_key(url)


@pytest.mark.parametrize(("per_host", "min_gap_s", "idle_ttl_s"), [(0, 1.0, 1.0), (1, -0.1, 1.0), (1, 1.0, 0.0)])
def test_rejects_bad_settings(per_host: int, min_gap_s: float, idle_ttl_s: float) -> None:
    with pytest.raises(ValueError, match="must"):
        HostLimiter(per_host=per_host, min_gap_s=min_gap_s, idle_ttl_s=idle_ttl_s)


async def test_case_variants_share_a_slot_but_an_explicit_port_does_not() -> None:
    lim = HostLimiter(per_host=1, min_gap_s=0.0)
    async with lim.slot("http://A.example/x"):
        same = asyncio.create_task(_enter_and_leave(lim, "http://a.example/y"))
        other_port = asyncio.create_task(_enter_and_leave(lim, "http://a.example:8080/"))
        subdomain = asyncio.create_task(_enter_and_leave(lim, "http://b.a.example/"))
        await asyncio.wait_for(asyncio.gather(other_port, subdomain), 0.5)
        await asyncio.sleep(0.01)
        assert not same.done()  # queued behind us: same origin
        assert lim.hosts() == 3
    await asyncio.wait_for(same, 0.5)


async def _enter_and_leave(lim: HostLimiter, url: str) -> None:
    async with lim.slot(url):
        pass


async def test_per_host_concurrency_is_capped_and_other_hosts_are_not_delayed() -> None:
    lim = HostLimiter(per_host=2, min_gap_s=0.0)
    inside = 0
    peak = 0
    order: list[int] = []

    async def busy(i: int) -> None:
        nonlocal inside, peak
        async with lim.slot("http://slow.example/a"):
            order.append(i)
            inside += 1
            peak = max(peak, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    queue = [asyncio.create_task(busy(i)) for i in range(20)]
    await asyncio.sleep(0)  # let them all queue up

    t0 = now()
    await asyncio.wait_for(_enter_and_leave(lim, "http://fast.example/b"), 0.5)
    assert now() - t0 < 0.02  # did not wait behind slow.example's ten rounds of 10 ms
    assert not any(t.done() for t in queue)

    await asyncio.gather(*queue)
    assert peak == 2
    assert inside == 0
    assert order == list(range(20))  # served in arrival order


async def test_starts_are_spaced_by_the_min_gap() -> None:
    gap = 0.05
    lim = HostLimiter(per_host=5, min_gap_s=gap)  # slots are plentiful; only the gap holds them back
    starts: list[float] = []

    async def request() -> None:
        async with lim.slot("http://gap.example/"):
            starts.append(now())

    await asyncio.gather(*(request() for _ in range(5)))
    assert len(starts) == 5
    assert all(b - a >= gap - EPS for a, b in itertools.pairwise(starts))
    assert starts[-1] - starts[0] < 4 * gap + 0.05  # and no more spread out than the gap needs

    # A request arriving right after the burst still waits a gap after the last start.
    await _enter_and_leave(lim, "http://gap.example/")
    assert now() - starts[-1] >= gap - EPS


async def test_cancelled_waiter_does_not_leak_a_slot() -> None:
    lim = HostLimiter(per_host=1, min_gap_s=0.0, idle_ttl_s=0.02)
    url = "http://c.example/"
    inside = 0
    entered: list[str] = []

    async def request(name: str, hold: asyncio.Event) -> None:
        nonlocal inside
        async with lim.slot(url):
            entered.append(name)
            inside += 1
            await hold.wait()
            inside -= 1

    release = asyncio.Event()
    holder = asyncio.create_task(request("holder", release))
    doomed = asyncio.create_task(request("doomed", release))
    later = asyncio.create_task(request("later", release))
    await asyncio.sleep(0.01)
    assert entered == ["holder"]

    doomed.cancel()
    await asyncio.sleep(0)
    release.set()
    await asyncio.wait_for(asyncio.gather(holder, later), 0.5)
    assert doomed.cancelled()
    assert entered == ["holder", "later"]
    assert inside == 0

    # Both the slot and the host's state are free: a fresh request enters at once, and once
    # idle past the TTL the host is dropped, which only happens with no active or queued request.
    await asyncio.wait_for(_enter_and_leave(lim, url), 0.5)
    await asyncio.sleep(0.03)
    await _enter_and_leave(lim, "http://other.example/")
    assert lim.hosts() == 1


async def test_waiter_cancelled_as_the_slot_is_handed_to_it_passes_the_slot_on() -> None:
    lim = HostLimiter(per_host=1, min_gap_s=0.0)
    url = "http://h.example/"
    async with lim.slot(url):
        first = asyncio.create_task(_enter_and_leave(lim, url))
        second = asyncio.create_task(_enter_and_leave(lim, url))
        await asyncio.sleep(0)
    # Leaving handed the slot to `first` without yielding; cancel it before it can run.
    first.cancel()
    await asyncio.wait_for(second, 0.5)
    assert first.cancelled()
    await asyncio.wait_for(_enter_and_leave(lim, url), 0.5)


async def test_waiter_cancelled_just_before_a_release_leaves_the_queue_cleanly() -> None:
    lim = HostLimiter(per_host=1, min_gap_s=0.0)
    url = "http://q.example/"
    async with lim.slot(url):
        first = asyncio.create_task(_enter_and_leave(lim, url))
        second = asyncio.create_task(_enter_and_leave(lim, url))
        await asyncio.sleep(0)
        first.cancel()  # its future is cancelled, but it has not run its cleanup yet
    # Leaving skipped the cancelled future and handed the slot to `second`.
    await asyncio.wait_for(second, 0.5)
    assert first.cancelled()
    await asyncio.wait_for(_enter_and_leave(lim, url), 0.5)


async def test_cancel_during_gap_wait_does_not_push_later_starts_back() -> None:
    gap = 0.05
    lim = HostLimiter(per_host=3, min_gap_s=gap)
    url = "http://g.example/"
    t0 = now()
    await _enter_and_leave(lim, url)  # starts at ~t0
    doomed = asyncio.create_task(_enter_and_leave(lim, url))  # next in line, for t0 + gap
    later_start: list[float] = []

    async def later() -> None:
        async with lim.slot(url):
            later_start.append(now() - t0)

    waiting = asyncio.create_task(later())  # behind `doomed`, for t0 + 2 * gap
    await asyncio.sleep(0.01)
    doomed.cancel()
    await asyncio.wait_for(waiting, 0.5)
    assert doomed.cancelled()
    assert gap - EPS <= later_start[0] < 2 * gap - EPS  # took the freed t0 + gap, not t0 + 2 * gap


async def test_cancelling_a_request_queued_behind_another_start_leaves_that_start_alone() -> None:
    gap = 0.03
    lim = HostLimiter(per_host=4, min_gap_s=gap)
    url = "http://s.example/"
    starts: dict[str, float] = {}

    async def request(name: str) -> None:
        async with lim.slot(url):
            starts[name] = now()

    await request("first")
    second = asyncio.create_task(request("second"))  # sleeping out the gap
    third = asyncio.create_task(request("third"))  # waiting for the second to start
    fourth = asyncio.create_task(request("fourth"))
    await asyncio.sleep(0.005)
    third.cancel()
    await asyncio.wait_for(asyncio.gather(second, fourth), 0.5)
    assert third.cancelled()
    assert starts["second"] - starts["first"] >= gap - EPS
    assert gap - EPS <= starts["fourth"] - starts["second"] < 2 * gap - EPS


def _stall(seconds: float) -> None:
    time.sleep(seconds)  # blocks the event loop on purpose, as a slow callback would


async def test_gap_holds_between_real_starts_when_the_loop_runs_late() -> None:
    gap = 0.02
    lim = HostLimiter(per_host=3, min_gap_s=gap)
    starts: list[float] = []

    async def request(i: int) -> None:
        async with lim.slot("http://late.example/"):
            starts.append(now())
            if i == 0:
                await asyncio.sleep(0.005)  # the others take their places: due at +20 ms and +40 ms
                _stall(0.03)  # the second wakes at ~+35 ms, so the third must wait past +40 ms

    await asyncio.gather(*(request(i) for i in range(3)))
    assert all(b - a >= gap - EPS for a, b in itertools.pairwise(starts))


async def test_idle_hosts_are_forgotten() -> None:
    lim = HostLimiter(per_host=2, min_gap_s=0.0, idle_ttl_s=0.05)
    for i in range(50):
        await _enter_and_leave(lim, f"http://h{i}.example/")
    assert lim.hosts() == 50

    async with lim.slot("http://busy.example/"):
        await asyncio.sleep(0.06)
        await _enter_and_leave(lim, "http://fresh.example/")
        assert lim.hosts() == 2  # the 50 idle hosts went; the busy one and the new one stay

    assert lim.hosts() == 2  # busy.example is idle now but not yet past the TTL


async def test_a_host_with_a_pending_gap_is_kept_past_the_ttl() -> None:
    # With a TTL shorter than the gap, forgetting the host would let the next request skip its gap.
    lim = HostLimiter(per_host=1, min_gap_s=0.1, idle_ttl_s=0.001)
    await _enter_and_leave(lim, "http://a.example/")
    await asyncio.sleep(0.01)
    await _enter_and_leave(lim, "http://b.example/")
    assert lim.hosts() == 2
