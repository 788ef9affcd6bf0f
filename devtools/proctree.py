"""A process and its descendants, read from /proc: what a container's limits are measured
against (the parser's extraction workers belong to its stage). Benchmarks and tests sample it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str]:
    # The fields after the command name, which may itself hold spaces and parentheses.
    return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()


def status_kib(pid: int, field_name: str) -> int:
    """A `/proc/<pid>/status` figure in KiB (VmRSS, VmHWM); 0 when the process is gone."""
    with contextlib.suppress(OSError):
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def descendants(pid: int) -> list[int]:
    """The process and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            children.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree_rss_bytes(pid: int) -> int:
    """Summed VmRSS of the tree; shared pages count once per process, so it errs high."""
    return sum(status_kib(member, "VmRSS") for member in descendants(pid)) * 1024


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of the tree, children it has reaped included."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in descendants(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += sum(int(f) for f in _stat_fields(member)[11:15])  # utime stime cutime cstime
    return total / tick
