"""Benchmark of the portal's pages at the scale of a region: 300
organizations, 20,000 members, 100,000 research resources, 2,000 forums with
100,000 registrations, 3,000 news posts, 500 volunteer opportunities and
3,000 asks and offers in PostgreSQL, the portal in production mode under
gunicorn (two sync workers) with Redis, and wrk with 8 connections on each
key page, each page followed by a "ceiling" of the same size and, for
visitors' pages, by the page again without the page cache.

    make bench                                          # all three benchmarks
    .venv/bin/python -m bench.region --scale 0.02       # a quick run, docs untouched
    .venv/bin/python -m bench.region --reuse --write    # measure again, update the docs

It drops and recreates the PostgreSQL database ``justop_bench_region`` (on
the server of DATABASE_URL, or 127.0.0.1:5432) unless --reuse finds it
seeded at the same scale, and flushes Redis database 14 (BENCH_REGION_REDIS_DB)
on the server of REDIS_URL. What the figures mean: docs/performance.md.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.common import (
    argument_parser,
    describe_machine,
    django_env,
    flush_redis,
    own_database_url,
    own_redis_url,
    recreate_database,
    redacted,
    redis_server_version,
    run_main,
    say,
    server_version,
    warn_if_busy,
)
from bench.pages import BenchError, Gunicorn, Load, fetch, run_wrk, wrk_version
from bench.region_data import Seeded, Sizes
from bench.region_report import print_table, results_path, write_docs

DATABASE = "justop_bench_region"
DEFAULT_REDIS_DB = 14
META_TABLE = "bench_region_meta"
WORKERS = 2
CONNECTIONS = 8
THREADS = 2
TARGET_SHARE = 0.8
TARGET_P95_MS = 100.0
# A cookie the portal does not set: a request carrying it is not a first
# visit, so the page cache for visitors leaves it to the view.
BYPASS_COOKIE = "bench_returning_visitor=1"


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    signed_in: bool


# The key pages, in the order they are measured; their addresses are looked
# up in the data (find_paths).
PAGES = [
    Page("home", "Home", False),
    Page("news", "News list", False),
    Page("news-post", "A news post", False),
    Page("forums", "Forum list", False),
    Page("forum", "A forum", False),
    Page("research-common", "Research search: a word in most resources", False),
    Page("research-rare", "Research search: a rare word", False),
    Page("research-topic", "Research search: a word + a topic", False),
    Page("volunteer", "Volunteer opportunities", False),
    Page("directory", "Directory", True),
    Page("organization", "An organization (largest)", True),
    Page("continuum", "Continuum map", True),
    Page("board", "Asks and offers", True),
    Page("member-home", "My home", True),
]


@dataclass(frozen=True)
class Config:
    scale: float
    reuse: bool
    write: bool
    seconds: float
    warmup: float
    rounds: int
    pages: tuple[str, ...]
    database_url: str
    redis_url: str


@dataclass
class PageFigures:
    key: str
    label: str
    path: str
    signed_in: bool
    body_bytes: int
    # SQL statements of the page: the first request (nothing cached), and
    # the same request again.
    queries_first: int | None
    queries_again: int | None
    page: Load
    ceiling: Load
    share_of_ceiling: float
    target: str
    met: bool
    # Visitors' pages asked with a cookie the page cache does not know
    # (BYPASS_COOKIE): what a page costs when it is not served from the cache.
    without_page_cache: Load | None = None
    queries_without_page_cache: int | None = None
    rounds: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Results:
    scale: float
    sizes: dict[str, int]
    rows: dict[str, int]
    reused: bool
    seed_seconds: dict[str, float]
    seed_total_seconds: float
    settings: dict[str, Any]
    machine: dict[str, Any]
    pages: list[PageFigures] = field(default_factory=list)
    workers_peak_mib: dict[str, float] = field(default_factory=dict)
    run_seconds: float = 0.0


# --- Configuration ---------------------------------------------------------------------------


def region_database_url(environ: Mapping[str, str]) -> str:
    """The server of DATABASE_URL, always with the database justop_bench_region."""
    return own_database_url(environ, DATABASE)


def region_redis_url(environ: Mapping[str, str]) -> str:
    return own_redis_url(environ, "BENCH_REGION_REDIS_DB", DEFAULT_REDIS_DB)


def parse_args(argv: Sequence[str] | None) -> Config:
    parser = argument_parser("bench.region", __doc__)
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("BENCH_SCALE", "1")),
        help="size of the data, 1 = the region above (default: $BENCH_SCALE or 1)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database if seeded at the same scale"
    )
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("BENCH_SECONDS", "10")),
        help="measured seconds per page and per ceiling (default: $BENCH_SECONDS or 10)",
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before each (2)")
    parser.add_argument(
        "--rounds", type=int, default=1, help="times through all pages; medians reported (1)"
    )
    parser.add_argument(
        "--pages",
        default="",
        help="comma-separated page keys to measure (default all: "
        + ", ".join(p.key for p in PAGES)
        + ")",
    )
    args = parser.parse_args(argv)
    keys = tuple(k.strip() for k in args.pages.split(",") if k.strip())
    unknown = set(keys) - {p.key for p in PAGES}
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    if args.scale <= 0 or args.seconds <= 0 or args.rounds < 1 or args.warmup < 0:
        parser.error("--scale, --seconds and --rounds must be positive")
    return Config(
        scale=args.scale,
        reuse=args.reuse,
        write=args.write,
        seconds=args.seconds,
        warmup=args.warmup,
        rounds=args.rounds,
        pages=keys or tuple(p.key for p in PAGES),
        database_url=region_database_url(os.environ),
        redis_url=region_redis_url(os.environ),
    )


# Settings of a developer's environment that would send the benchmark's
# cache, mail or client addresses elsewhere.
UNSET = (
    "REDIS_CACHE_URL",
    "TRUSTED_PROXY_COUNT",
    "EMAIL_HOST",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "DJANGO_SETTINGS_MODULE",
)


def production_env(config: Config, static_root: Path) -> dict[str, str]:
    """Production mode on loopback, as scripts/audit runs it: no TLS, so no
    redirect to https and no HSTS; the public address stands in for SITE_URL."""
    return django_env(
        UNSET,
        "production",
        config.database_url,
        config.redis_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="https://portal.example.org",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        BENCH_STATIC_ROOT=str(static_root),
    )


# --- Database ---------------------------------------------------------------------------------


def seeded_before(config: Config) -> dict[str, Any] | None:
    """What an earlier run seeded, if the database holds it."""
    import psycopg

    try:
        with psycopg.connect(config.database_url, connect_timeout=5) as conn:
            row = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'seeded'").fetchone()  # noqa: S608
    except psycopg.Error:
        return None
    return json.loads(row[0]) if row else None


def record_seeded(value: dict[str, Any]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value text)"
        )
        cursor.execute(
            f"INSERT INTO {META_TABLE} VALUES ('seeded', %s) "  # noqa: S608
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [json.dumps(value)],
        )


def server_versions(config: Config) -> tuple[str, str]:
    import redis

    client = redis.Redis.from_url(config.redis_url)
    return server_version(config.database_url), redis_server_version(client)


# --- Pages ----------------------------------------------------------------------------------


def find_paths() -> dict[str, str]:
    """The address of each key page in this data."""
    from django.db.models import Count

    from circle.models import Organization
    from circle.viewers import ANONYMOUS
    from forums.models import Forum
    from news.models import NewsPost
    from research.models import Topic

    post = NewsPost.objects.published().order_by("-publish_at", "-pk").first()
    # The upcoming public forum with the most registrations.
    forum = (
        Forum.objects.visible_to(ANONYMOUS)
        .filter(status=Forum.Status.PUBLISHED)
        .upcoming()
        .with_counts()
        .order_by("-registered_count", "pk")  # type: ignore[misc]
        .first()
    )
    topic = Topic.objects.filter(key="workforce-skills").first() or Topic.objects.first()
    largest = (
        Organization.objects.active()
        .annotate(people=Count("memberships"))
        .order_by("-people", "pk")
        .first()
    )
    if post is None or forum is None or topic is None or largest is None:
        raise BenchError(
            "the database lacks a news post, an upcoming forum, a topic or an organization"
        )
    return {
        "home": "/",
        "news": "/news/",
        "news-post": post.get_absolute_url(),
        "forums": "/forums/",
        "forum": forum.get_absolute_url(),
        "research-common": "/research/search/?q=economic",
        "research-rare": "/research/search/?q=zorbeltrim",
        "research-topic": f"/research/search/?q=workforce&topic={topic.key}",
        "volunteer": "/volunteer/",
        "directory": "/directory/",
        "organization": largest.get_absolute_url(),
        "continuum": "/continuum/",
        "board": "/asks/",
        "member-home": "/home/",
    }


def session_cookies(user_ids: Sequence[int]) -> list[str]:
    """A signed-in session for each of these members, as Cookie headers."""
    from django.conf import settings
    from django.test import Client

    from circle.models import User

    cookies = []
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        client = Client()
        client.force_login(user)
        value = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={value}")
    if not cookies:
        raise BenchError("no member to sign in as")
    return cookies


def check_page(
    server: Gunicorn, page: Page, path: str, cookie: str
) -> tuple[int, int | None, int | None]:
    """The page answers 200 (not a redirect to sign in); returns its size and
    the SQL statements of a first and of a second request."""
    status, body, first, location = fetch(server.base, path, cookie, count_queries=True)
    if status != 200:
        raise BenchError(
            f"{page.label} ({path}) answered {status}{' to ' + location if location else ''}"
        )
    _, again_body, again, _ = fetch(server.base, path, cookie, count_queries=True)
    return len(again_body) or len(body), first, again


def median_load(loads: list[Load]) -> Load:
    """Each figure the median of the rounds'."""
    if len(loads) == 1:
        return loads[0]
    values: dict[str, Any] = {}
    for f in fields(Load):
        items = [getattr(load, f.name) for load in loads]
        if f.name == "errors":
            values[f.name] = {k: sum(e.get(k, 0) for e in items) for k in set().union(*items)}
        else:
            values[f.name] = type(items[0])(statistics.median(items))
    return Load(**values)


def measure(
    config: Config, server: Gunicorn, pages: list[tuple[Page, str]], cookies: list[str]
) -> list[PageFigures]:
    checked: dict[str, tuple[int, int | None, int | None]] = {}
    bypass_queries: dict[str, int | None] = {}
    for page, path in pages:
        cookie = cookies[0] if page.signed_in else ""
        checked[page.key] = check_page(server, page, path, cookie)
        size, first, again = checked[page.key]
        line = f"   {page.label:<45} {size / 1024:7.1f} KiB, {first} / {again} queries"
        if not page.signed_in:
            _, _, bypass_queries[page.key] = check_page(server, page, path, BYPASS_COOKIE)
            line += f", {bypass_queries[page.key]} without the page cache"
        say(line)

    runs: dict[str, list[dict[str, Load]]] = {page.key: [] for page, _ in pages}
    for round_number in range(config.rounds):
        if config.rounds > 1:
            say(f"Round {round_number + 1} of {config.rounds}")
        for page, path in pages:
            jar = cookies if page.signed_in else []
            # The page, its ceiling, and for visitors the page again with a
            # cookie the page cache does not know, one after the other:
            # load from elsewhere on the machine falls on all alike.
            variants = {
                "page": (path, jar),
                "ceiling": (f"/__ceiling__/{checked[page.key][0]}/", jar),
            }
            if not page.signed_in:
                variants["bypass"] = (path, [BYPASS_COOKIE])
            loads = {}
            for name, (target, jar) in variants.items():
                if config.warmup:
                    run_wrk(
                        server,
                        target,
                        config.warmup,
                        cookies=jar,
                        connections=CONNECTIONS,
                        threads=THREADS,
                    )
                loads[name] = run_wrk(
                    server,
                    target,
                    config.seconds,
                    cookies=jar,
                    connections=CONNECTIONS,
                    threads=THREADS,
                )
            runs[page.key].append(loads)
            page_load = loads["page"]
            say(
                f"   {page.label:<45} {page_load.requests_per_second:7.1f} req/s "
                f"(ceiling {loads['ceiling'].requests_per_second:7.1f}"
                + (
                    f", without the page cache {loads['bypass'].requests_per_second:.1f}"
                    if "bypass" in loads
                    else ""
                )
                + f"), p95 {page_load.p95_ms:.1f} ms, "
                f"in a worker p50 {page_load.worker_p50_ms:.1f} ms"
                + (f", errors {page_load.errors}" if page_load.errors else "")
                + (f", {page_load.not_200} answers not 200" if page_load.not_200 else "")
            )

    figures = []
    for page, path in pages:
        medians = {
            name: median_load([r[name] for r in runs[page.key]]) for name in runs[page.key][0]
        }
        page_load, ceiling_load = medians["page"], medians["ceiling"]
        share = (
            round(page_load.requests_per_second / ceiling_load.requests_per_second, 2)
            if ceiling_load.requests_per_second
            else 0.0
        )
        size, first, again = checked[page.key]
        if page.signed_in:
            target, met = f"p95 < {TARGET_P95_MS:.0f} ms", page_load.p95_ms < TARGET_P95_MS
        else:
            target, met = f"≥ {TARGET_SHARE:g} of the ceiling", share >= TARGET_SHARE
        figures.append(
            PageFigures(
                key=page.key,
                label=page.label,
                path=path,
                signed_in=page.signed_in,
                body_bytes=size,
                queries_first=first,
                queries_again=again,
                page=page_load,
                ceiling=ceiling_load,
                share_of_ceiling=share,
                target=target,
                met=met,
                without_page_cache=medians.get("bypass"),
                queries_without_page_cache=bypass_queries.get(page.key),
                rounds=[{name: asdict(load) for name, load in r.items()} for r in runs[page.key]]
                if config.rounds > 1
                else [],
            )
        )
    return figures


# --- Run ---------------------------------------------------------------------------------------


def run(config: Config) -> Results:
    started = time.perf_counter()
    if not shutil.which("wrk"):
        raise BenchError("wrk is not installed (Debian: apt-get install wrk)")
    load_before = os.getloadavg()
    warn_if_busy()
    sizes = Sizes.at(config.scale)
    before = seeded_before(config) if config.reuse else None
    reused = before is not None and before.get("scale") == config.scale
    if reused:
        say(f"Database {redacted(config.database_url)} (kept: seeded at scale {config.scale:g})")
    else:
        say(f"Database {redacted(config.database_url)} (dropped and recreated)")
        recreate_database(config.database_url)
    say(f"Redis    {redacted(config.redis_url)} (flushed)")
    postgresql, redis_version = server_versions(config)

    work = Path(tempfile.mkdtemp(prefix="justop-bench-region-"))
    env = production_env(config, work / "static")
    for name in UNSET:
        os.environ.pop(name, None)
    os.environ.update(env)
    import django

    from bench.ceiling import configure

    configure()
    django.setup()
    from django.core.management import call_command

    from bench.region_data import seed, session_members

    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    say(f"Migrated in {time.perf_counter() - start:.0f} s")
    if reused and before is not None:
        seed_seconds = {k: float(v) for k, v in before.get("seconds", {}).items()}
        sizes_seeded = before.get("sizes", {})
        rows = before.get("rows", {})
        user_ids = list(before.get("session_users", [])) or session_members()
    else:
        say(f"Seeding at scale {config.scale:g}...")
        seeded: Seeded
        seeded, user_ids = seed(sizes)
        seed_seconds, sizes_seeded, rows = seeded.seconds, seeded.sizes, seeded.rows
        say(f"   seeded in {seeded.total_seconds:.0f} s")
        record_seeded(
            {
                "scale": config.scale,
                "sizes": sizes_seeded,
                "seconds": seed_seconds,
                "rows": rows,
                "session_users": user_ids,
            }
        )
    start = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    say(f"Static files collected in {time.perf_counter() - start:.0f} s")
    paths = find_paths()
    cookies = session_cookies(user_ids)
    pages = [(page, paths[page.key]) for page in PAGES if page.key in config.pages]
    flush_redis(config.redis_url)

    from bench.sink import free_port

    server = Gunicorn(env, free_port(), WORKERS, work)
    try:
        server.wait_ready()
        say(
            f"gunicorn on {server.base}, workers {server.worker_pids()} "
            f"(logs in {work}, kept if the run fails)"
        )
        say("Checking the pages (size, SQL statements of a first and of a second request)...")
        figures = measure(config, server, pages, cookies)
        peaks = server.peak_memory_mib()
    finally:
        server.stop()
    # The logs are kept only when the run failed.
    shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()

    machine = asdict(describe_machine(postgresql, redis_version))
    machine |= {
        "gunicorn": metadata.version("gunicorn"),
        "wrk": wrk_version(),
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in load_after],
    }
    from django.conf import settings

    results = Results(
        scale=config.scale,
        sizes=sizes_seeded,
        rows=rows,
        reused=reused,
        seed_seconds=seed_seconds,
        seed_total_seconds=round(sum(seed_seconds.values()), 1),
        settings={
            "workers": WORKERS,
            "worker_class": "sync",
            "connections": CONNECTIONS,
            "threads": THREADS,
            "seconds": config.seconds,
            "warmup": config.warmup,
            "rounds": config.rounds,
            "page_cache_seconds": getattr(settings, "PAGE_CACHE_SECONDS", None),
            "session_members": len(cookies),
            "mode": "DJANGO_ENV=production, DEBUG=false",
        },
        machine=machine,
        pages=figures,
        workers_peak_mib={str(pid): mib for pid, mib in peaks.items()},
    )
    results.run_seconds = round(time.perf_counter() - started, 1)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    return run_main(parse_args(argv), run, print_table, saved_path, write_docs, BenchError)


def saved_path(results: Results) -> Path:
    return results_path()


if __name__ == "__main__":
    sys.exit(main())
