"""Resident memory of a stage process and its descendants (the parser's extraction workers), read
from /proc: what a container's memory limit is measured against, give or take shared pages
(counted once per process here, so the figure errs high)."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
MIB = 1024 * 1024


def _status_kib(pid: int, field_name: str) -> int:
    with contextlib.suppress(OSError):
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0  # gone, or a kernel thread


def descendants(pid: int) -> list[int]:
    """The process and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            # Fields after the command name, which may itself hold spaces and parentheses.
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


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
        total = sum(_status_kib(pid, "VmRSS") for pid in tree) * 1024
        self.peak_tree_bytes = max(self.peak_tree_bytes, total)
        self.peak_processes = max(self.peak_processes, len(tree))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    @property
    def main_hwm_bytes(self) -> int:
        """The main process's own high-water mark (exact, however short the peak)."""
        return _status_kib(self.pid, "VmHWM") * 1024

    @property
    def peak_bytes(self) -> int:
        return max(self.peak_tree_bytes, self.main_hwm_bytes)
