"""Serving the portal under gunicorn and loading it with wrk, for the page
benchmark (bench/region.py)."""

from __future__ import annotations

import http.client
import json
import os
import resource
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.ceiling import COUNT_HEADER, QUERIES_HEADER
from bench.common import ROOT, machine_cpu_ticks, start_process

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LUA = Path(__file__).with_name("region.lua")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    """The benchmark cannot give figures (a page fails, a tool is missing)."""


# --- The server ------------------------------------------------------------------------


class Gunicorn:
    """gunicorn serving bench.wsgi on loopback, in a process group of its
    own so that stopping it stops its workers."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log_dir: Path) -> None:
        self.port = port
        self.workers = workers
        self.log_path = log_dir / "gunicorn.log"
        self.access_path = log_dir / "access.log"
        command = [
            str(GUNICORN),
            "bench.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--no-control-socket",
            # As deployed (Dockerfile), an access log line per request; to a
            # file here rather than the terminal, with the time the worker
            # took (from the request read to the response written).
            "--access-logfile",
            str(self.access_path),
            "--access-logformat",
            "%(s)s %(L)s %(r)s",
            "--log-level",
            "warning",
        ]
        self.log = self.log_path.open("ab")
        self.process = start_process(command, cwd=ROOT, env=env, log=self.log)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until /livez answers and every worker has started."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"gunicorn exited ({self.process.returncode}); see {self.log_path}"
                )
            try:
                status, _, _, _ = fetch(self.base, "/livez")
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise BenchError(f"gunicorn did not answer within {timeout:.0f} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def workers_cpu_seconds(self) -> float:
        total = 0
        for pid in self.worker_pids():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            # Fields after the command name (which may hold spaces): utime, stime
            # are the 14th and 15th fields of the line.
            values = stat.rsplit(")", 1)[1].split()
            total += int(values[11]) + int(values[12])
        return total / CLOCK_TICKS

    def peak_memory_mib(self) -> dict[int, float]:
        """VmHWM, the peak resident memory, of each worker."""
        peaks = {}
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[pid] = round(int(line.split()[1]) / 1024, 1)
        return peaks

    def access_mark(self) -> int:
        try:
            return self.access_path.stat().st_size
        except OSError:
            return 0

    def served(self, since: int) -> list[tuple[int, float]]:
        """(status, seconds in the worker) of the requests logged since the mark."""
        try:
            with self.access_path.open("rb") as log:
                log.seek(since)
                lines = log.read().decode(errors="replace").splitlines()
        except OSError:
            return []
        served = []
        for line in lines:
            status, seconds, *_ = [*line.split(" ", 2), "", ""]
            if status.isdigit():
                served.append((int(status), float(seconds)))
        return served

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
        self.log.close()


def fetch(
    base: str, path: str, cookie: str = "", count_queries: bool = False
) -> tuple[int, bytes, int | None, str]:
    """One GET, redirects not followed: status, body, the server's query
    count (when asked) and the Location header."""
    host = base.removeprefix("http://")
    connection = http.client.HTTPConnection(host, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if count_queries:
        headers[COUNT_HEADER] = "1"
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        queries = response.getheader(QUERIES_HEADER)
        return (
            response.status,
            body,
            int(queries) if queries is not None else None,
            response.getheader("Location") or "",
        )
    finally:
        connection.close()


# --- The load --------------------------------------------------------------------------------


@dataclass
class Load:
    """One wrk run against one URL."""

    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    bytes_per_response: float
    errors: dict[str, int] = field(default_factory=dict)
    # CPUs busy on average during the run: the whole machine, the gunicorn
    # workers, wrk itself.
    machine_cpus: float = 0.0
    workers_cpus: float = 0.0
    wrk_cpus: float = 0.0
    # From gunicorn's access log: the time in the worker (without the wait
    # in the listen queue), and the answers that were not 200.
    worker_p50_ms: float = 0.0
    worker_p95_ms: float = 0.0
    not_200: int = 0


def wrk_version() -> str:
    if not shutil.which("wrk"):
        return ""
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
    return (out.stdout or out.stderr).split(" [")[0].strip()


def run_wrk(
    server: Gunicorn,
    path: str,
    seconds: float,
    *,
    cookies: list[str],
    connections: int,
    threads: int,
) -> Load:
    env = dict(os.environ, BENCH_COOKIES="|".join(cookies))
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        # Longer than any page takes under this load, so that no slow
        # response is dropped from the percentiles as a timeout.
        "--timeout",
        "60s",
        "-s",
        str(LUA),
        server.base + path,
    ]
    mark = server.access_mark()
    busy, total = machine_cpu_ticks()
    workers = server.workers_cpu_seconds()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy2, total2 = machine_cpu_ticks()
    workers2 = server.workers_cpu_seconds()
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH_WRK ")), "")
    if out.returncode != 0 or not line:
        raise BenchError(f"wrk failed on {path}: {out.stderr.strip() or out.stdout.strip()}")
    data: dict[str, Any] = json.loads(line.removeprefix("BENCH_WRK "))
    count = data["requests"]
    duration = data["duration_us"] / 1e6
    cpus = len(os.sched_getaffinity(0))
    wrk_seconds = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    served = server.served(mark)
    times = sorted(seconds for _, seconds in served) or [0.0]
    return Load(
        requests=count,
        seconds=round(duration, 2),
        requests_per_second=round(count / duration, 1) if duration else 0.0,
        p50_ms=round(data["p50_us"] / 1000, 1),
        p90_ms=round(data["p90_us"] / 1000, 1),
        p95_ms=round(data["p95_us"] / 1000, 1),
        p99_ms=round(data["p99_us"] / 1000, 1),
        max_ms=round(data["max_us"] / 1000, 1),
        bytes_per_response=round(data["bytes"] / count) if count else 0,
        errors={k: v for k, v in data["errors"].items() if v},
        machine_cpus=round((busy2 - busy) / (total2 - total) * cpus, 2) if total2 > total else 0.0,
        workers_cpus=round((workers2 - workers) / wall, 2),
        wrk_cpus=round(wrk_seconds / wall, 2),
        worker_p50_ms=round(times[len(times) // 2] * 1000, 1),
        worker_p95_ms=round(times[max(int(len(times) * 0.95) - 1, 0)] * 1000, 1),
        not_200=sum(status != 200 for status, _ in served),
    )
