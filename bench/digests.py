"""Benchmark of the weekly member digest: build and queue one digest per
member, deliver them with one Celery worker (the deployment's: prefork, two
processes, unless told otherwise) to a local SMTP sink, and count the SQL
queries on the way.

    make bench                              # 20,000 members, updates docs/performance.md
    BENCH_MEMBERS=500 .venv/bin/python -m bench.digests   # a quick run, no docs
    .venv/bin/python -m bench.digests --pool solo --concurrency 1   # one process

It drops and recreates the PostgreSQL database ``justop_bench`` (on the server
of DATABASE_URL, or 127.0.0.1:5432) and flushes one Redis database (15 by
default, on the server of REDIS_URL); it touches no other database. What the
figures mean and what limits them: docs/performance.md.
"""

from __future__ import annotations

import email.policy
import os
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH_DATABASE,
    DOC,
    RESULTS_DIR,
    ROOT,
    Machine,
    argument_parser,
    describe_machine,
    django_env,
    flush_redis,
    machine_cpu_ticks,
    own_database_url,
    own_redis_url,
    recreate_database,
    redacted,
    run_main,
    say,
    warn_if_busy,
)
from bench.sink import CountingSink, free_port
from bench.worker import BenchWorker

DEFAULT_REDIS_DB = 15
DEFAULT_MEMBERS = 20_000
DEFAULT_SAMPLE = 200
# The worker of docker-compose.yml: `celery worker --concurrency 2` (prefork).
DEFAULT_POOL = "prefork"
DEFAULT_CONCURRENCY = 2
# What the project aims at: build, queue and deliver 20,000 digests in this long.
TARGET_SECONDS = 120.0
FREQUENCY = "weekly"
KIND = f"digest.{FREQUENCY}"
# Synthetic sections and how many items each gives every member.
SECTIONS = {"bench-forums": ("Forums coming up", 3), "bench-research": ("New in the library", 2)}
ITEMS_PER_SECTION_AND_WEEK = 30
# Organizations that joined the Circle in each week of the data.
NEW_ORGANIZATIONS = 3
# The delivery is declared stuck when no new message arrives for this long.
STALL_SECONDS = 60.0
RESULTS_END = "<!-- bench:results:end -->"


# --- Configuration ------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    members: int
    sample: int
    pool: str
    concurrency: int
    database_url: str
    redis_url: str
    smtp_port: int
    write: bool


def bench_database_url(environ: Mapping[str, str]) -> str:
    """The server of DATABASE_URL, always with the database justop_bench."""
    return own_database_url(environ, BENCH_DATABASE)


def bench_redis_url(environ: Mapping[str, str]) -> str:
    return own_redis_url(environ, "BENCH_REDIS_DB", DEFAULT_REDIS_DB)


# Settings of a developer's environment that would send the bench's mail or
# cache elsewhere.
UNSET = ("EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_SSL", "REDIS_CACHE_URL")


def service_env(config: Config) -> dict[str, str]:
    """The environment of the bench process and of the worker: the bench
    services, SMTP to the sink, production-like DEBUG=false."""
    return django_env(
        UNSET,
        "development",
        config.database_url,
        config.redis_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(config.smtp_port),
        EMAIL_USE_TLS="false",
    )


# --- Services -------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerCounters:
    """PostgreSQL's own counters for justop_bench. Every statement outside an
    explicit transaction is a transaction, so the difference over the
    delivery counts the worker's statements, including any that Django's
    execute wrappers never see; sessions counts connections opened."""

    transactions: int
    sessions: int


def server_counters() -> ServerCounters | None:
    from django.db import connection

    with connection.cursor() as cursor:
        try:
            # Statistics reach the shared counters lazily (up to seconds later);
            # make this process's own ones current first (PostgreSQL 15+).
            cursor.execute("SELECT pg_stat_force_next_flush()")
        except Exception:  # an older server: no server-side figure
            return None
        cursor.execute(
            "SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database WHERE datname = %s",
            [BENCH_DATABASE],
        )
        row = cursor.fetchone()
    return ServerCounters(int(row[0]), int(row[1])) if row else None


# --- Counting queries -------------------------------------------------------------------


@dataclass
class QueryCount:
    """An execute wrapper that counts statements by their first word and
    the time spent in them (round trip included)."""

    total: int = 0
    seconds: float = 0.0
    by_kind: Counter[str] = field(default_factory=Counter)
    seconds_by_kind: dict[str, float] = field(default_factory=dict)

    def __call__(
        self, execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            words = str(sql).split(None, 1)
            kind = words[0].upper() if words else "?"
            self.seconds += spent
            self.total += 1
            self.by_kind[kind] += 1
            self.seconds_by_kind[kind] = self.seconds_by_kind.get(kind, 0.0) + spent


@contextmanager
def counting_queries() -> Iterator[QueryCount]:
    from django.db import connection

    count = QueryCount()
    with connection.execute_wrapper(count):
        yield count


# --- Data ---------------------------------------------------------------------------------


@dataclass
class Seeded:
    members: int
    decoys: int
    organizations: int
    explicit_preferences: int
    spanish: int
    sections_off: int
    suppressions: int
    items: int
    seconds: float = 0.0


def seed(members: int, period: Any, previous: Any) -> Seeded:
    """``members`` people who get the weekly digest, plus people the
    recipient query must leave out, and the organizations they belong to.
    ``period`` and ``previous`` are the digest's week and the week before."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from circle.models import EmailPreferences, Membership, Organization, User
    from justop.models import Suppression

    organizations = seed_organizations(max(members // 20, 10), [period, previous])
    active = [o for o in organizations if o.status == Organization.Status.ACTIVE]
    inactive = next(o for o in organizations if o.status != Organization.Status.ACTIVE)
    decoy_kinds = ("inactive", "unverified", "daily", "off", "no-membership", "inactive-org")
    decoys = max(members // 20, len(decoy_kinds))
    # make_password(None) is an unusable password: random text, no hashing.
    people = [
        User(
            email=f"member{i:06d}@bench.example.org",
            name="" if i % 5 == 4 else f"Member{i} Benchmark",
            language="es" if i % 7 == 3 else "en",
            password=make_password(None),
        )
        for i in range(members)
    ]
    people += [
        User(
            email=f"decoy{j:06d}-{decoy_kinds[j % len(decoy_kinds)]}@bench.example.org",
            is_active=decoy_kinds[j % len(decoy_kinds)] != "inactive",
            password=make_password(None),
        )
        for j in range(decoys)
    ]
    User.objects.bulk_create(people, batch_size=2000)
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(
                user=user, email=user.email, primary=True, verified="-unverified@" not in user.email
            )
            for user in people
        ],
        batch_size=2000,
    )
    memberships = [
        Membership(
            user=user,
            organization=active[i % len(active)],
            role=Membership.Role.ADMIN if i < len(active) else Membership.Role.MEMBER,
        )
        for i, user in enumerate(people[:members])
    ]
    for user in people[members:]:
        if "-no-membership@" not in user.email:
            organization = inactive if "-inactive-org@" in user.email else active[0]
            memberships.append(Membership(user=user, organization=organization))
    Membership.objects.bulk_create(memberships, batch_size=2000)
    preferences = []
    sections_off = 0
    for i, user in enumerate(people[:members]):
        # ~10% set their preferences explicitly (still weekly); a third of
        # those turned one section off.
        if i % 10 == 0:
            off = ["bench-research"] if i % 30 == 0 else []
            sections_off += bool(off)
            preferences.append(
                EmailPreferences(user=user, digest_frequency=FREQUENCY, digest_sections_off=off)
            )
    explicit = len(preferences)
    for user in people[members:]:
        for frequency in ("daily", "off"):
            if f"-{frequency}@" in user.email:
                preferences.append(EmailPreferences(user=user, digest_frequency=frequency))
    EmailPreferences.objects.bulk_create(preferences, batch_size=2000)
    # Addresses that left the stream, so the suppression check searches a
    # table that is not empty.
    suppressions = members // 10
    Suppression.objects.bulk_create(
        [
            Suppression(email=f"former{k:06d}@elsewhere.example.org", stream="digest")
            for k in range(suppressions)
        ],
        batch_size=2000,
    )
    items = create_items(previous.start, period.end)
    return Seeded(
        members=members,
        decoys=decoys,
        organizations=len(organizations),
        explicit_preferences=explicit,
        spanish=sum(1 for user in people[:members] if user.language == "es"),
        sections_off=sections_off,
        suppressions=suppressions,
        items=items,
    )


def seed_organizations(count: int, periods: Sequence[Any]) -> list[Any]:
    """Active organizations, a few of which joined in each of ``periods`` (so
    the portal's own "new member organizations" section has something to
    say), and one inactive organization."""
    from circle.models import Organization

    sectors = list(Organization.Sector)
    mission = (
        "We connect residents of metro Atlanta with training, jobs and capital, and work "
        "with employers and public agencies so that the clean energy economy creates "
        "wealth in the neighbourhoods that have carried its costs. "
    ) * 2
    long_ago = min(p.first_day for p in periods) - timedelta(days=365)
    organizations = [
        Organization(
            name=f"Bench Organization {k:05d}",
            slug=f"bench-organization-{k:05d}",
            sector=sectors[k % len(sectors)],
            mission=mission,
            status=Organization.Status.ACTIVE,
            # The first NEW_ORGANIZATIONS of each period joined in it.
            joined_on=(
                periods[k // NEW_ORGANIZATIONS].first_day + timedelta(days=k % 7)
                if k < NEW_ORGANIZATIONS * len(periods)
                else long_ago
            ),
        )
        for k in range(count)
    ]
    organizations.append(
        Organization(
            name="Bench Organization inactive",
            slug="bench-organization-inactive",
            sector=sectors[0],
            status=Organization.Status.INACTIVE,
        )
    )
    return Organization.objects.bulk_create(organizations)


def create_items(first_day: datetime, last_day: datetime) -> int:
    """A bench-only table of digest items (not a Django model: the bench adds
    no migration), spread over the weeks from first_day to last_day."""
    from django.db import connection

    span = (last_day - first_day).total_seconds()
    weeks = max(round(span / (7 * 86400)), 1)
    rows = []
    for key in SECTIONS:
        name = key.removeprefix("bench-")
        for n in range(ITEMS_PER_SECTION_AND_WEEK * weeks):
            count = ITEMS_PER_SECTION_AND_WEEK * weeks
            published = first_day + timedelta(seconds=span * (n + 0.5) / count)
            rows.append(
                (
                    key,
                    f"{name.title()} item {n}: community solar in metro Atlanta",
                    f"/{name}/{n}/",
                    "What changed this week for neighbourhood energy co-ops, with the "
                    "questions members raised and the next steps agreed by the organizers.",
                    f"{published:%A, %B %-d} · Atlanta and online",
                    published,
                )
            )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_digest_item (id serial PRIMARY KEY, section varchar(40) NOT NULL,"
            " title text NOT NULL, url text NOT NULL, summary text NOT NULL, meta text NOT NULL,"
            " published_at timestamptz NOT NULL)"
        )
        cursor.execute("CREATE INDEX ON bench_digest_item (section, published_at)")
        cursor.executemany(
            "INSERT INTO bench_digest_item (section, title, url, summary, meta, published_at)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            rows,
        )
    return len(rows)


def section_reader(key: str, per_member: int) -> Callable[[Sequence[Any], Any], dict[int, Any]]:
    """A digest section in the registry's contract: one query for the whole
    batch. Which items each member gets is computed in Python (rotating
    through the week's items): it stands in for a visibility rule, at no cost."""

    def for_members(users: Sequence[Any], period: Any) -> dict[int, list[dict[str, str]]]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT title, url, summary, meta FROM bench_digest_item"
                " WHERE section = %s AND published_at >= %s AND published_at < %s"
                " ORDER BY published_at, id",
                [key, period.start, period.end],
            )
            items = [
                {"title": title, "url": url, "summary": summary, "meta": meta}
                for title, url, summary, meta in cursor.fetchall()
            ]
        if not items:
            return {}
        return {
            user.pk: [items[(user.pk + k) % len(items)] for k in range(per_member)]
            for user in users
        }

    return for_members


def register_sections() -> None:
    from justop.registry import DigestSection, register_digest_section

    for order, (key, (title, per_member)) in enumerate(SECTIONS.items()):
        register_digest_section(
            DigestSection(
                key=key, title=title, for_members=section_reader(key, per_member), order=order
            )
        )


# --- Steps -------------------------------------------------------------------------------


@dataclass
class Queued:
    seconds: float
    recipients: int
    queued: int
    queries: int
    queries_by_kind: dict[str, int]
    database_seconds: float
    database_seconds_by_kind: dict[str, float]
    enqueue_seconds: float
    enqueue_database_seconds: float
    on_broker: int


def build_and_queue(config: Config, now: datetime) -> Queued:
    import redis

    from circle.digests import send_digests
    from justop.outbox import delivery

    # delivery.enqueue (run on commit of each batch) is timed by wrapping it:
    # queue_many looks the name up in its module when it calls it.
    original = delivery.enqueue
    spent = {"seconds": 0.0, "database": 0.0}

    def timed_enqueue(*args: Any, **kwargs: Any) -> None:
        start, database = time.perf_counter(), count.seconds
        try:
            original(*args, **kwargs)
        finally:
            spent["seconds"] += time.perf_counter() - start
            spent["database"] += count.seconds - database

    with counting_queries() as count:
        delivery.enqueue = timed_enqueue
        try:
            start = time.perf_counter()
            run = send_digests(FREQUENCY, now=now)
            seconds = time.perf_counter() - start
        finally:
            delivery.enqueue = original
    on_broker = int(redis.Redis.from_url(config.redis_url).llen("celery"))
    return Queued(
        seconds=seconds,
        recipients=run.recipients,
        queued=run.queued,
        queries=count.total,
        queries_by_kind=dict(count.by_kind),
        database_seconds=count.seconds,
        database_seconds_by_kind=count.seconds_by_kind,
        enqueue_seconds=spent["seconds"],
        enqueue_database_seconds=spent["database"],
        on_broker=on_broker,
    )


@dataclass
class Delivered:
    seconds: float
    seconds_to_sink: float
    accepted: int
    distinct: int
    duplicates: int
    without_message_id: int
    missing: int
    unknown: int
    states: dict[str, int]
    attempts_over_one: int
    server_transactions: int | None
    server_sessions: int | None
    average_bytes: float
    worker_peak_rss_kib: dict[str, int]
    worker_cpu_seconds: float
    bench_cpu_seconds: float
    machine_busy_cpus: float


class DeliveryError(RuntimeError):
    pass


def deliver_all(expected: int, sink: CountingSink, worker: BenchWorker) -> Delivered:
    from django.db.models import Count

    from justop.models import OutboxEmail

    State = OutboxEmail.State
    rows = OutboxEmail.objects.filter(kind=KIND)
    counters_before = server_counters()
    # Our own statements during the delivery, subtracted from the server's count.
    with counting_queries() as ours:
        bench_cpu = process_cpu_seconds()
        worker_cpu = worker.cpu_seconds()
        machine = machine_cpu_ticks()
        start = time.perf_counter()
        worker.consume()
        last_count, last_change, last_report, last_check = 0, start, start, start
        while (count := sink.distinct()) < expected:
            now = time.perf_counter()
            if count != last_count:
                last_count, last_change = count, now
            if not worker.alive():
                raise DeliveryError(f"The worker died at {count:,} messages:\n{worker.log_tail()}")
            if now - last_change > STALL_SECONDS:
                raise DeliveryError(
                    f"No new message for {STALL_SECONDS:.0f}s at {count:,}/{expected:,}: "
                    f"{stuck_rows(rows)}\n{worker.log_tail()}"
                )
            if now - last_check > 5:
                last_check = now
                given_up = rows.filter(state__in=[State.FAILED, State.CANCELLED])
                if given_up.exists():
                    raise DeliveryError(f"Rows failed or were cancelled: {stuck_rows(rows)}")
            if now - last_report > 15:
                last_report = now
                say(f"    {count:,}/{expected:,} messages, {count / (now - start):,.0f}/s")
            time.sleep(0.05)
        seconds_to_sink = time.perf_counter() - start
        # A row is marked sent just after the server accepted its message.
        while rows.exclude(state=State.SENT).exists():
            if time.perf_counter() - start - seconds_to_sink > STALL_SECONDS:
                raise DeliveryError(f"Rows never became sent: {stuck_rows(rows)}")
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        worker_cpu = worker.cpu_seconds() - worker_cpu
        bench_cpu = process_cpu_seconds() - bench_cpu
        busy, total = (
            after - before for after, before in zip(machine_cpu_ticks(), machine, strict=True)
        )
        peaks = worker.peak_rss_kib()
        # The worker's connections flush their statistics when they close.
        worker.stop()
        time.sleep(0.5)
        accepted, ids = sink.snapshot()
        states = dict(rows.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
        attempts_over_one = rows.filter(attempts__gt=1).count()
        known = set(rows.values_list("message_id", flat=True))
    counters_after = server_counters()
    transactions = sessions = None
    if counters_before is not None and counters_after is not None:
        # Each of our statements ran in autocommit, a transaction of its own:
        # those counted by ``ours``, plus the reading query of the first
        # snapshot and the flush of the second, which fall inside the window.
        transactions = counters_after.transactions - counters_before.transactions - ours.total - 2
        sessions = counters_after.sessions - counters_before.sessions
    return Delivered(
        seconds=seconds,
        seconds_to_sink=seconds_to_sink,
        accepted=accepted,
        distinct=len(ids),
        duplicates=sum(n - 1 for n in ids.values()),
        without_message_id=sink.without_id,
        missing=len(known - ids.keys()),
        unknown=len(ids.keys() - known),
        states=states,
        attempts_over_one=attempts_over_one,
        server_transactions=transactions,
        server_sessions=sessions,
        average_bytes=sink.total_bytes / accepted if accepted else 0.0,
        worker_peak_rss_kib=peaks,
        worker_cpu_seconds=worker_cpu,
        bench_cpu_seconds=bench_cpu,
        machine_busy_cpus=busy / total * len(os.sched_getaffinity(0)) if total else 0.0,
    )


def process_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def stuck_rows(rows: Any) -> str:
    from django.db.models import Count

    states = dict(rows.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    error = rows.exclude(last_error="").values_list("last_error", flat=True).first()
    return f"states {states}" + (f", e.g. {error!r}" if error else "")


@dataclass
class Sampled:
    messages: int
    outcomes: dict[str, int]
    queries: int
    queries_by_kind: dict[str, int]
    batches: int
    queries_per_batch_min: int
    queries_per_batch_max: int
    seconds: float
    database_seconds: float
    render_seconds: float
    mime_seconds: float


def deliver_sample(size: int, now: datetime) -> Sampled:
    """outbox.deliver_many() in this process, batch by batch as the send
    tasks do, for rows of another week, which no task was queued for. Like
    Celery's Django fixup after each task, the database connection is given
    back to the pool between batches."""
    from django.db import connection

    from circle.digests import _wants, digest_recipients
    from justop.digests import Period, member_digests
    from justop.models import OutboxEmail
    from justop.outbox import batches, deliver_many, render

    period = Period.last_complete(FREQUENCY, now - timedelta(days=7))
    users = list(digest_recipients(FREQUENCY)[:size])
    emails = member_digests(users, period, wants=_wants, kind=KIND, stream="digest")
    rows = OutboxEmail.objects.bulk_create([email.row() for email in emails])
    pks = [row.pk for row in rows]

    # Rendering and MIME serialization alone, on a separate pass, to split
    # the time of a message, serialized as the SMTP backend does.
    render_seconds = mime_seconds = 0.0
    for row in OutboxEmail.objects.filter(pk__in=pks):
        start = time.perf_counter()
        message = render(row)
        middle = time.perf_counter()
        message.message(policy=email.policy.SMTP).as_bytes()
        render_seconds += middle - start
        mime_seconds += time.perf_counter() - middle
    connection.close()

    outcomes: Counter[str] = Counter()
    per_batch = []
    with counting_queries() as count:
        start = time.perf_counter()
        for batch in batches(pks):
            before = count.total
            outcomes.update(deliver_many(batch).values())
            connection.close()
            per_batch.append(count.total - before)
        seconds = time.perf_counter() - start
    return Sampled(
        messages=len(pks),
        outcomes=dict(outcomes),
        queries=count.total,
        queries_by_kind=dict(count.by_kind),
        batches=len(per_batch),
        queries_per_batch_min=min(per_batch, default=0),
        queries_per_batch_max=max(per_batch, default=0),
        seconds=seconds,
        database_seconds=count.seconds,
        render_seconds=render_seconds,
        mime_seconds=mime_seconds,
    )


# --- Report --------------------------------------------------------------------------------


@dataclass
class Results:
    config: dict[str, Any]
    machine: Machine
    seeded: Seeded
    queued: Queued
    delivered: Delivered
    sampled: Sampled


def rows_of(r: Results) -> list[tuple[str, str, str]]:
    """(step, measure, figure) lines, shared by the console table and the docs."""
    q, d, s = r.queued, r.delivered, r.sampled
    per_thousand = q.queries / q.recipients * 1000 if q.recipients else 0.0
    n = s.messages or 1
    rest = (s.seconds - s.render_seconds - s.mime_seconds - s.database_seconds) / n * 1000
    peak = max(d.worker_peak_rss_kib.values(), default=0) / 1024
    server = (
        f"{d.server_transactions:,} transactions ({d.server_transactions / d.distinct:.2f} "
        f"per message), {d.server_sessions:,} connections opened"
        if d.server_transactions is not None and d.server_sessions is not None and d.distinct
        else "n/a"
    )
    publishing = q.enqueue_seconds - q.enqueue_database_seconds
    total = q.seconds + d.seconds
    verdict = (
        f"{'within' if total <= TARGET_SECONDS else 'over'} the target of {TARGET_SECONDS:.0f} s"
        if r.seeded.members == DEFAULT_MEMBERS
        else f"the target, {TARGET_SECONDS:.0f} s, is for {DEFAULT_MEMBERS:,} members"
    )
    processes = worker_processes(r.config)
    by_time = sorted(q.database_seconds_by_kind.items(), key=lambda kv: -kv[1])
    sql_by_kind = ", ".join(f"{k} {v:.1f} s" for k, v in by_time)
    return [
        (
            "data",
            "digest recipients / left-out decoys",
            f"{r.seeded.members:,} / {r.seeded.decoys:,} (seeded in {r.seeded.seconds:.1f} s)",
        ),
        (
            "1 build + queue",
            "wall time",
            f"{q.seconds:.1f} s ({q.queued / q.seconds:,.0f} digests/s)",
        ),
        ("", "digests queued / tasks on the broker", f"{q.queued:,} / {q.on_broker:,}"),
        (
            "",
            "SQL queries",
            f"{q.queries:,} ({per_thousand:.2f} per 1,000 members): {kinds(q.queries_by_kind)}",
        ),
        ("", "time in SQL queries", f"{q.database_seconds:.1f} s: {sql_by_kind}"),
        (
            "",
            "time publishing the send tasks to Redis",
            f"{publishing:.1f} s ({publishing / q.queued * 1e6:,.0f} µs a task)"
            if q.queued
            else "n/a",
        ),
        (
            "",
            "time in Python (the rest)",
            f"{q.seconds - q.database_seconds - publishing:.1f} s",
        ),
        (
            f"2 delivery ({processes})",
            "wall time",
            f"{d.seconds:.1f} s ({d.distinct / d.seconds:,.1f} messages/s, "
            f"{d.seconds / d.distinct * 1000:.2f} ms each)",
        ),
        (
            "",
            "sink: messages / distinct Message-IDs / duplicates",
            f"{d.accepted:,} / {d.distinct:,} / {d.duplicates:,}",
        ),
        ("", "Message-IDs missing / unknown", f"{d.missing:,} / {d.unknown:,}"),
        ("", "outbox rows by state", kinds(d.states)),
        ("", "rows sent after more than one attempt", f"{d.attempts_over_one:,}"),
        ("", "PostgreSQL, server side", server),
        (
            "",
            "CPU: worker / bench process with the sink",
            f"{d.worker_cpu_seconds:.0f} s ({d.worker_cpu_seconds / d.seconds:.0%} of one CPU, "
            f"{d.worker_cpu_seconds / d.distinct * 1000:.2f} ms a message) / "
            f"{d.bench_cpu_seconds:.0f} s ({d.bench_cpu_seconds / d.seconds:.0%})",
        ),
        (
            "",
            "CPU: whole machine, all processes",
            f"{d.machine_busy_cpus:.2f} of {r.machine.cpus} CPUs busy on average",
        ),
        ("", "average message size", f"{d.average_bytes / 1024:.1f} KiB"),
        ("", "worker peak RSS (VmHWM)", f"{peak:.0f} MiB"),
        (
            "3 deliver_many() in process",
            "SQL queries per message",
            f"{s.queries / n:.2f} ({s.batches} batches of up to {batch_size()}, "
            f"{s.queries_per_batch_min} to {s.queries_per_batch_max} queries each): "
            f"{kinds(s.queries_by_kind)}",
        ),
        (
            "",
            "time per message",
            f"{s.seconds / n * 1000:.2f} ms: templates {s.render_seconds / n * 1000:.2f} ms, "
            f"MIME {s.mime_seconds / n * 1000:.2f} ms, SQL {s.database_seconds / n * 1000:.2f} ms,"
            f" SMTP and the rest {rest:.2f} ms",
        ),
        ("", "messages / outcomes", f"{s.messages:,} / {kinds(s.outcomes)}"),
        (
            "1 + 2",
            "built, queued and delivered",
            f"{total:.1f} s ({verdict})",
        ),
    ]


def batch_size() -> int:
    from justop.outbox import BATCH_SIZE

    return BATCH_SIZE


def worker_processes(config: Mapping[str, Any]) -> str:
    count = int(config["concurrency"])
    return f"1 worker, {count} process{'es' if count > 1 else ''}"


def kinds(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def machine_line(m: Machine, config: Mapping[str, Any]) -> str:
    return (
        f"{m.date}; {m.cpus} CPUs ({m.cpu_model}), {m.memory_gib:g} GiB RAM, {m.system}; "
        f"Python {m.python}, Django {m.django}, Celery {m.celery}, PostgreSQL {m.postgresql}, "
        f"Redis {m.redis}; code: {m.code}; one worker, --pool={config['pool']} "
        f"--concurrency={config['concurrency']}; load average {config['load_average']} "
        "at the start. "
        "PostgreSQL, Redis, "
        "the worker, the SMTP sink and the bench process all ran on this machine."
    )


def print_table(r: Results) -> None:
    lines = rows_of(r)
    widths = [max(len(line[i]) for line in lines) for i in range(2)]
    say("")
    say(f"Weekly digest benchmark, {r.seeded.members:,} members")
    say(machine_line(r.machine, r.config))
    say("")
    for step, measure, figure in lines:
        say(f"{step:<{widths[0]}}  {measure:<{widths[1]}}  {figure}")


def run_name(r: Results) -> str:
    return f"{r.seeded.members}:{r.config['pool']}-{r.config['concurrency']}"


def section_key(r: Results) -> str:
    return f"bench:digests:{run_name(r)}"


def markdown_section(r: Results) -> str:
    key = section_key(r)
    body = [
        f"<!-- {key}:start -->",
        f"### {r.seeded.members:,} members, `--pool={r.config['pool']} "
        f"--concurrency={r.config['concurrency']}` ({r.machine.date[:10]})",
        "",
        "Written by `python -m bench.digests --write`. " + machine_line(r.machine, r.config),
        "",
        "| step | measure | figure |",
        "|---|---|---|",
        *(f"| {step} | {measure} | {figure} |" for step, measure, figure in rows_of(r)),
        f"<!-- {key}:end -->",
    ]
    return "\n".join(body)


def write_docs(r: Results) -> None:
    """Replace the section of docs/performance.md for this member count, pool
    and concurrency (a quick run with 500 members does not overwrite the
    20,000 figures)."""
    key = section_key(r)
    block = markdown_section(r)
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n## Results\n\n{RESULTS_END}\n"
    existing = re.compile(rf"<!-- {re.escape(key)}:start -->.*?<!-- {re.escape(key)}:end -->", re.S)
    if existing.search(text):
        text = existing.sub(lambda _: block, text)
    elif RESULTS_END in text:
        text = text.replace(RESULTS_END, f"{block}\n\n{RESULTS_END}")
    else:
        text = f"{text.rstrip()}\n\n{block}\n"
    DOC.write_text(text)
    say(f"Updated {DOC.relative_to(ROOT)}")


def results_path(r: Results) -> Path:
    return RESULTS_DIR / f"digests-{run_name(r).replace(':', '-')}.json"


# --- Main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> Config:
    parser = argument_parser("bench.digests", __doc__)
    parser.add_argument(
        "--members",
        type=int,
        default=int(os.environ.get("BENCH_MEMBERS", DEFAULT_MEMBERS)),
        help="digest recipients (default: $BENCH_MEMBERS or 20,000)",
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=DEFAULT_SAMPLE,
        help="rows for the in-process deliver() measure (default 200)",
    )
    parser.add_argument(
        "--pool",
        choices=("solo", "prefork"),
        default=os.environ.get("BENCH_WORKER_POOL", DEFAULT_POOL),
        help=f"the worker's pool (default: {DEFAULT_POOL}, as deployed)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=int(os.environ.get("BENCH_WORKER_CONCURRENCY", DEFAULT_CONCURRENCY)),
        help=f"the worker's processes (default: {DEFAULT_CONCURRENCY}, as deployed; "
        "solo always runs one)",
    )
    parser.add_argument(
        "--write", action="store_true", help="update the results in docs/performance.md"
    )
    args = parser.parse_args(argv)
    if args.members < 1 or args.sample < 0:
        parser.error("--members must be positive and --sample not negative")
    if args.concurrency < 1 or (args.pool == "solo" and args.concurrency != 1):
        parser.error("--concurrency must be positive, and 1 with --pool solo")
    return Config(
        members=args.members,
        sample=min(args.sample, args.members),
        pool=args.pool,
        concurrency=args.concurrency,
        database_url=bench_database_url(os.environ),
        redis_url=bench_redis_url(os.environ),
        smtp_port=free_port(),
        write=args.write,
    )


def load_average() -> str:
    """The 1, 5 and 15-minute load averages, which say what else the machine ran."""
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "?"


def run(config: Config) -> Results:
    warn_if_busy()
    load_at_start = load_average()
    say(f"Database {redacted(config.database_url)} (dropped and recreated)")
    say(f"Redis    {redacted(config.redis_url)} (flushed)")
    postgresql = recreate_database(config.database_url)
    redis_version = flush_redis(config.redis_url)

    for name in UNSET:
        os.environ.pop(name, None)
    os.environ.update(service_env(config))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from justop.digests import Period

    # The system checks import every module and the URLconf now, so the code
    # measured is the code of this moment, and a broken tree fails before
    # minutes of work rather than at the first message rendered.
    call_command("check", verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)
    now = timezone.now()
    period = Period.last_complete(FREQUENCY, now)
    previous = Period.last_complete(FREQUENCY, now - timedelta(days=7))

    say(f"Seeding {config.members:,} members...")
    start = time.perf_counter()
    seeded = seed(config.members, period, previous)
    seeded.seconds = time.perf_counter() - start
    register_sections()

    with ExitStack() as stack:
        sink = CountingSink(config.smtp_port).start()
        stack.callback(sink.stop)
        log_path = Path(f"/tmp/justop-bench-worker-{os.getpid()}.log")  # noqa: S108 (a log)
        worker = BenchWorker(
            cwd=ROOT,
            env=service_env(config),
            log_path=log_path,
            pool=config.pool,
            concurrency=config.concurrency,
        )
        stack.callback(worker.stop)
        say(f"Worker {worker.name} (pid {worker.pid}, log {log_path}), SMTP sink on :{sink.port}")
        worker.wait_ready()

        say(f"1. Building and queueing the {period.key} digests...")
        queued = build_and_queue(config, now)
        if queued.queued != config.members:
            raise DeliveryError(f"{queued.queued:,} digests queued, expected {config.members:,}")
        say(f"   {queued.queued:,} queued in {queued.seconds:.1f} s, {queued.queries} queries")

        say(
            f"2. Delivering with one worker, --pool={config.pool} "
            f"--concurrency={config.concurrency}..."
        )
        delivered = deliver_all(config.members, sink, worker)
        say(f"   {delivered.distinct:,} delivered in {delivered.seconds:.1f} s")

        say(f"3. deliver_many() in process for {config.sample} more rows...")
        sampled = deliver_sample(config.sample, now)

    return Results(
        config={k: v for k, v in asdict(config).items() if k not in ("database_url", "redis_url")}
        | {"period": period.key, "load_average": load_at_start},
        machine=describe_machine(postgresql, redis_version),
        seeded=seeded,
        queued=queued,
        delivered=delivered,
        sampled=sampled,
    )


def main(argv: Sequence[str] | None = None) -> int:
    return run_main(parse_args(argv), run, print_table, results_path, write_docs, DeliveryError)


if __name__ == "__main__":
    sys.exit(main())
