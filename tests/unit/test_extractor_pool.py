"""The extraction pool's guarantees, with stand-in functions for the page work (they must be
module-level: workers are spawned processes that import them)."""

from __future__ import annotations

import os
import time

import pytest

from services.parser.extract import ExtractedPage, ExtractionCrashed, ExtractionTimeout, ExtractorPool


def hang(html: bytes | str, url: str) -> ExtractedPage | None:
    time.sleep(3600)
    return None


def whoami(html: bytes | str, url: str) -> ExtractedPage | None:
    return ExtractedPage(url=url, text=str(os.getpid()))


def die(html: bytes | str, url: str) -> ExtractedPage | None:
    os._exit(3)


async def test_a_stuck_page_has_its_worker_killed_and_the_pool_goes_on() -> None:
    stuck = ExtractorPool(workers=1, max_tasks=0, timeout_s=1, function=hang)
    try:
        with pytest.raises(ExtractionTimeout):
            await stuck.extract(b"<html></html>", "http://x.test/slow")
    finally:
        stuck.close()
    pool = ExtractorPool(workers=1, max_tasks=0, timeout_s=20, function=whoami)
    try:
        first = await pool.extract(b"", "http://x.test/a")
        assert first is not None and first.text.isdigit()
    finally:
        pool.close()


async def test_workers_are_recycled_after_max_tasks() -> None:
    pool = ExtractorPool(workers=1, max_tasks=2, timeout_s=20, function=whoami)
    try:
        pids = []
        for n in range(6):
            page = await pool.extract(b"", f"http://x.test/{n}")
            assert page is not None
            pids.append(page.text)
    finally:
        pool.close()
    assert len(set(pids)) == 3  # one worker, replaced after every 2 pages
    assert str(os.getpid()) not in pids  # never in the event loop's process


async def test_a_crashing_worker_is_reported_and_replaced() -> None:
    pool = ExtractorPool(workers=1, max_tasks=0, timeout_s=20, function=die)
    try:
        with pytest.raises(ExtractionCrashed):
            await pool.extract(b"", "http://x.test/crash")
        with pytest.raises(ExtractionCrashed):
            await pool.extract(b"", "http://x.test/crash-again")  # a fresh worker took the next task
    finally:
        pool.close()
