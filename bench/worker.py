"""One Celery worker in a child process (with its pool processes), for benchmarks.

The worker starts on a queue nobody publishes to, so it can be ready (imported,
connected) before the work is queued; `consume()` then points it at the
default queue, and delivery is timed from there without the start-up."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.common import start_process

HOLD_QUEUE = "bench.hold"
DEFAULT_QUEUE = "celery"


class BenchWorker:
    def __init__(
        self, *, cwd: Path, env: dict[str, str], log_path: Path, pool: str, concurrency: int = 1
    ) -> None:
        self.name = f"bench-{uuid.uuid4().hex[:8]}@localhost"
        self.pool = pool
        self.concurrency = concurrency
        self.log_path = log_path
        self._log = log_path.open("w")
        # Its own process group: stop() reaches a prefork pool's children
        # too, and nothing else.
        self.process = start_process(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "justop",
                "worker",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "-n",
                self.name,
                "-Q",
                HOLD_QUEUE,
                "--loglevel=INFO",
            ],
            cwd=cwd,
            env=env,
            log=self._log,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        if not self._log.closed:
            self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_ready(self, timeout: float = 60) -> None:
        from justop.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"The worker exited at start-up:\n{self.log_tail()}")
            if app.control.ping(destination=[self.name], timeout=0.5):
                return
        raise TimeoutError(f"The worker did not answer in {timeout:.0f}s:\n{self.log_tail()}")

    def consume(self) -> None:
        from justop.celery import app

        replies = app.control.add_consumer(
            DEFAULT_QUEUE, destination=[self.name], reply=True, timeout=5
        )
        if not replies:
            raise RuntimeError(f"The worker did not start consuming:\n{self.log_tail()}")

    def peak_rss_kib(self) -> dict[str, int]:
        """VmHWM (peak resident set) of the worker and its pool processes, in KiB."""
        peaks = {}
        for pid in [self.pid, *_children(self.pid)]:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks["main" if pid == self.pid else f"child {pid}"] = int(line.split()[1])
        return peaks

    def cpu_seconds(self) -> float:
        """User and system CPU time of the worker and its pool processes."""
        ticks = 0
        for pid in [self.pid, *_children(self.pid)]:
            with contextlib.suppress(OSError, ValueError, IndexError):
                # Fields after the command name, which is in parentheses and
                # may hold spaces: utime and stime are the 12th and 13th.
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self, timeout: float = 20) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL if the worker hangs."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.process.wait(timeout=timeout)
        self._log.close()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]
