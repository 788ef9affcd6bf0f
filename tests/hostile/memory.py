"""Resident memory of a stage process and its descendants (the parser's extraction workers), read
from /proc: what a container's memory limit is measured against, give or take shared pages
(counted once per process here, so the figure errs high)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from devtools.proctree import descendants, status_kib

MIB = 1024 * 1024


@dataclass
class MemorySampler:
    """Samples the process tree's summed VmRSS every `interval_s` in a thread, until stopped."""

    pid: int
    interval_s: float = 0.1
    peak_tree_bytes: int = 0
    peak_processes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def sample(self) -> None:
        tree = descendants(self.pid)
        total = sum(status_kib(pid, "VmRSS") for pid in tree) * 1024
        self.peak_tree_bytes = max(self.peak_tree_bytes, total)
        self.peak_processes = max(self.peak_processes, len(tree))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    @property
    def main_hwm_bytes(self) -> int:
        """The main process's own high-water mark (exact, however short the peak)."""
        return status_kib(self.pid, "VmHWM") * 1024

    @property
    def peak_bytes(self) -> int:
        return max(self.peak_tree_bytes, self.main_hwm_bytes)
