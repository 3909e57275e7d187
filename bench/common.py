"""What the benchmarks share: where results and docs go, printing, the
bench's own databases (dropped and recreated, never the developer's), the
description of the machine, and the signals that stop a run cleanly.

The benchmarks (bench.digests, bench.search, bench.region) import from here
and not from each other."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import IO, Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
RESULTS_DIR = ROOT / "bench" / "results"

# The database of the digest and search benchmarks.
BENCH_DATABASE = "justop_bench"
LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432/"


def say(message: str) -> None:
    print(message, flush=True)


def redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


# --- The bench's own databases ---------------------------------------------------------


def own_database_url(environ: Mapping[str, str], name: str) -> str:
    """The server of DATABASE_URL (or the local one, when it is not
    PostgreSQL), always with the database ``name``: a benchmark drops and
    recreates it, so it must never be the database a developer pointed
    DATABASE_URL at."""
    given = environ.get("DATABASE_URL", "").strip()
    if not given.startswith(("postgres://", "postgresql://")):
        given = LOCAL_SERVER
    return urlunsplit(urlsplit(given)._replace(path=f"/{name}"))


def own_redis_url(environ: Mapping[str, str], variable: str, default_number: int) -> str:
    """The server of REDIS_URL with the benchmark's own database number
    (``variable`` in the environment, or ``default_number``), flushed at the
    start, so the development broker and cache are never flushed."""
    number = int(environ.get(variable, default_number))
    given = environ.get("REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"
    parts = urlsplit(given)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "db"])
    return urlunsplit(parts._replace(path=f"/{number}", query=query))


def maintenance_url(database_url: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(path="/postgres"))


def recreate_database(database_url: str) -> str:
    """Drop and create the database of this URL; returns the server's version."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(maintenance_url(database_url), autocommit=True) as conn:
        name = sql.Identifier(urlsplit(database_url).path.lstrip("/"))
        # FORCE ends connections an interrupted earlier run may have left on it.
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def server_version(database_url: str) -> str:
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def flush_redis(redis_url: str) -> str:
    """Empty the benchmark's Redis database (tasks or cached pages left by an
    interrupted run would point at rows of a dropped database); returns
    Redis's version."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    return redis_server_version(client)


def redis_server_version(client: Any) -> str:
    return str(client.info("server").get("redis_version", "?"))


def django_env(
    unset: tuple[str, ...], mode: str, database_url: str, redis_url: str, **settings: str
) -> dict[str, str]:
    """This process's environment without ``unset`` (a developer's settings
    that would send the benchmark's mail, cache or client addresses
    elsewhere), for the portal in ``mode`` (DJANGO_ENV) with DEBUG off, on
    the benchmark's own database and Redis, plus ``settings``."""
    env = {name: value for name, value in os.environ.items() if name not in unset}
    env.update(
        DJANGO_SETTINGS_MODULE="justop.settings",
        DJANGO_ENV=mode,
        DEBUG="false",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        PYTHONUNBUFFERED="1",
        **settings,
    )
    return env


# --- The machine ---------------------------------------------------------------------------


def machine_cpu_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot: the share of
    busy time over the delivery shows whether something else was running."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    # user nice system idle iowait irq softirq steal (guest time is in user).
    total = sum(fields[:8])
    return total - fields[3] - fields[4], total


def warn_if_busy() -> None:
    busy, total = machine_cpu_ticks()
    time.sleep(2)
    busy2, total2 = machine_cpu_ticks()
    if total2 > total:
        cpus = (busy2 - busy) / (total2 - total) * len(os.sched_getaffinity(0))
        if cpus > 0.3:
            say(f"Warning: {cpus:.1f} CPUs are already busy; the figures will show it.")


@dataclass
class Machine:
    date: str
    cpus: int
    cpu_model: str
    memory_gib: float
    system: str
    python: str
    django: str
    celery: str
    postgresql: str
    redis: str
    code: str


def describe_machine(postgresql: str, redis_version: str) -> Machine:
    import celery
    import django

    cpu_model = "?"
    memory_gib = 0.0
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu_model = found.group(1).strip() if found else "?"
        mem = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        memory_gib = int(mem.group(1)) / 1024**2 if mem else 0.0
    except OSError:
        pass
    return Machine(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cpus=len(os.sched_getaffinity(0)),
        cpu_model=cpu_model,
        memory_gib=round(memory_gib, 1),
        system=f"{platform.system()} {platform.release()}",
        python=platform.python_version(),
        django=django.get_version(),
        celery=celery.__version__,
        postgresql=postgresql,
        redis=redis_version,
        code=describe_code(),
    )


def describe_code() -> str:
    """The commit, and whether the working tree differed from it."""
    git = ["git", "--no-optional-locks", "-C", str(ROOT)]
    try:
        commit = subprocess.run(  # noqa: S603 (fixed arguments)
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changes = subprocess.run(  # noqa: S603 (fixed arguments)
            [*git, "status", "--porcelain"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return f"commit {commit}" + (f" with {len(changes)} changed files" if changes else "")


# --- Running --------------------------------------------------------------------------------


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def exit_on_signals() -> None:
    """SIGTERM and SIGHUP become SystemExit, so what the run started (a
    worker, the SMTP sink, gunicorn) is stopped on the way out."""
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)


def save_json(results: Any, path: Path) -> Path:
    """Write a run's figures (a dataclass) as JSON; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(results), indent=2, default=str) + "\n")
    return path


def start_process(
    command: list[str], *, cwd: Path, env: dict[str, str], log: IO[Any]
) -> subprocess.Popen[bytes]:
    """A child process with its output in ``log``, in a process group of
    its own: stopping the group stops its children too, and nothing else."""
    return subprocess.Popen(  # noqa: S603 (the benchmark's own, fixed commands)
        command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


class Configured(Protocol):
    write: bool  # --write: the figures go into docs/performance.md


def argument_parser(module: str, doc: str | None) -> argparse.ArgumentParser:
    """The parser of ``python -m <module>``, described by the first
    paragraph of the module's docstring."""
    return argparse.ArgumentParser(
        prog=f"python -m {module}", description=doc.split("\n\n")[0] if doc else None
    )


def run_main[C: Configured, R](
    config: C,
    run: Callable[[C], R],
    show: Callable[[R], None],
    path: Callable[[R], Path],
    write_docs: Callable[[R], None],
    failure: type[Exception] | tuple[type[Exception], ...] = (),
    *,
    stop_on_signals: bool = True,
) -> int:
    """A benchmark from start to exit status: SIGTERM and SIGHUP stop it
    cleanly (exit_on_signals), a failure it expects is said in one line
    (status 1); then its figures are shown, saved as JSON and, with
    --write, written into docs/performance.md."""
    if stop_on_signals:
        exit_on_signals()
    try:
        results = run(config)
    except failure as error:
        say(f"Benchmark failed: {error}")
        return 1
    show(results)
    saved = save_json(results, path(results))
    say(f"\nFigures saved to {saved.relative_to(ROOT)}")
    if config.write:
        write_docs(results)
    return 0
