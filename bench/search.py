"""Benchmark of the research library's search: 100,000 resources in
PostgreSQL, then the latency (p50/p95) of searches as a visitor and as a
member, through ``research.search.search``, the function the search view
calls (results page, total, six filter counts and the snippets; the
template rendering is not included).

    make bench                                        # 100,000 resources, updates docs
    BENCH_RESOURCES=5000 .venv/bin/python -m bench.search   # a quick run, no docs

It drops and recreates the PostgreSQL database ``justop_bench`` (on the
server of DATABASE_URL, or 127.0.0.1:5432); it touches no other database.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH_DATABASE,
    DOC,
    RESULTS_DIR,
    ROOT,
    describe_machine,
    own_database_url,
    recreate_database,
    redacted,
    run_main,
    say,
    server_version,
    warn_if_busy,
)

DEFAULT_RESOURCES = 100_000
DEFAULT_REPEAT = 60
ORGANIZATIONS = 60
TAGS = 300
BATCH = 5_000
SEED = 2026
START = "<!-- bench:search:start -->"
END = "<!-- bench:search:end -->"
TARGET_P95_MS = 50.0

# The words of the synthetic library: a few domain words people search for,
# spread among many filler words with a Zipf-like frequency, so a query may
# match most of the library ("economic"), a share of it, or a handful.
DOMAIN = [
    "economic",
    "workforce",
    "training",
    "wages",
    "apprenticeship",
    "transit",
    "housing",
    "childcare",
    "credential",
    "employer",
    "hiring",
    "retention",
    "entrepreneurship",
    "wealth",
    "neighborhood",
    "investment",
    "equity",
    "inclusion",
    "education",
    "county",
    "region",
    "jobs",
    "skills",
    "families",
    "income",
    "community",
    "placement",
    "mentoring",
    "broadband",
    "health",
    "manufacturing",
    "logistics",
    "healthcare",
    "construction",
]
QUERIES = [
    ("no words, newest first", {}),
    ("a word in most resources", {"q": "economic"}),
    ("two words", {"q": "apprenticeship wages"}),
    ("a rare word", {"q": "zorbeltrim"}),
    ("a phrase", {"q": '"transit housing"'}),
    ("a word + topic + year", {"q": "workforce", "topic": "place-based", "year": "2022"}),
]
# The same searches on a Spanish page (the words read as Spanish first).
SPANISH_QUERIES = [
    ("a word in most, in Spanish", {"q": "economic"}),
    ("two words, in Spanish", {"q": "apprenticeship wages"}),
]
# Half the library has a Spanish title and abstract too (as the demo).
SPANISH_EVERY = 2


@dataclass(frozen=True)
class Config:
    resources: int
    repeat: int
    database_url: str
    write: bool
    reuse: bool = False


@dataclass
class Timing:
    label: str
    viewer: str
    matches: int
    queries: int
    # More than research.search.CANDIDATES matches: the total and the
    # filter counts are estimated from the sample.
    estimated: bool
    # Counts computed (a first search, or after a change to the library) ...
    p50_ms: float
    p95_ms: float
    # ... and read from the cache (the same search again within 10 minutes).
    cached_p50_ms: float
    cached_p95_ms: float


@dataclass
class Results:
    resources: int
    seed_seconds: float
    vector_seconds: float
    index_seconds: float
    table_mib: float
    repeat: int
    machine: dict[str, Any]
    timings: list[Timing] = field(default_factory=list)
    plan: str = ""


# --- Data ----------------------------------------------------------------------------------


def vocabulary(rng: random.Random) -> list[str]:
    syllables = [
        "ka",
        "lo",
        "mi",
        "ne",
        "su",
        "ta",
        "ri",
        "vo",
        "pe",
        "da",
        "zu",
        "fe",
        "go",
        "hi",
        "ju",
        "ba",
        "ce",
        "no",
        "wa",
        "xi",
    ]
    fillers = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(6000)}
    return DOMAIN + sorted(fillers)


def words(rng: random.Random, vocab: list[str], cumulative: list[float], count: int) -> str:
    return " ".join(rng.choices(vocab, cum_weights=cumulative, k=count))


def seed(resources: int) -> tuple[float, float, float]:
    """Bulk-insert the library; fill the search vectors with the same UPDATE
    the application runs (research.search.refresh_vectors); returns the
    seconds of the inserts, the vectors and the GIN index."""
    from django.db import connection

    from circle.models import Membership, Organization, User
    from research.models import Resource, Tag, Topic
    from research.search import refresh_vectors

    rng = random.Random(SEED)  # noqa: S311 (repeatable test data, no secret)
    vocab = vocabulary(rng)
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(vocab))]
    weights[DOMAIN.index("economic")] = weights[0] * 6  # in most documents
    weights = list(itertools.accumulate(weights))  # computed once, not per call

    start = time.perf_counter()
    organizations = Organization.objects.bulk_create(
        Organization(name=f"Organization {n}", slug=f"organization-{n}", sector="nonprofit")
        for n in range(ORGANIZATIONS)
    )
    member = User.objects.create_user("member@bench.example.org", name="Bench Member")
    Membership.objects.create(user=member, organization=organizations[0])
    Membership.objects.create(user=member, organization=organizations[1])
    tags = Tag.objects.bulk_create(Tag(name=f"tag {n}", slug=f"tag-{n}") for n in range(TAGS))
    topics = list(Topic.objects.all())
    kinds = Resource.Kind.values
    # 5% drafts; of the published 60% public, 25% members, 15% organization.
    visibilities = ["public"] * 12 + ["members"] * 5 + ["organization"] * 3
    Topics = Resource.topics.through
    Tags = Resource.tags.through
    Orgs = Resource.organizations.through
    now = datetime.now(UTC)
    made = 0
    while made < resources:
        size = min(BATCH, resources - made)
        batch = []
        for n in range(made, made + size):
            rare = " zorbeltrim" if n % 20_000 == 7 else ""
            spanish = {}
            if n % SPANISH_EVERY == 0:
                spanish = {
                    "title_es": words(rng, vocab, weights, rng.randint(4, 10)).capitalize(),
                    "abstract_es": words(rng, vocab, weights, rng.randint(40, 90)),
                }
            batch.append(
                Resource(
                    title=words(rng, vocab, weights, rng.randint(4, 10)).capitalize(),
                    slug=f"resource-{n}",
                    kind=rng.choice(kinds),
                    abstract=words(rng, vocab, weights, rng.randint(40, 90)),
                    **spanish,
                    authors=f"Author {rng.randint(1, 5000)}; Author {rng.randint(1, 5000)}",
                    published_on=date(2015, 1, 1) + timedelta(days=rng.randint(0, 3900)),
                    language="es" if n % 10 == 0 else "en",
                    visibility=rng.choice(visibilities),
                    status="draft" if n % 20 == 3 else "published",
                    published_at=now - timedelta(minutes=n),
                    file_type="pdf",
                    extraction="done",
                    extracted_text=words(rng, vocab, weights, rng.randint(150, 600)) + rare,
                )
            )
        created = Resource.objects.bulk_create(batch)
        Topics.objects.bulk_create(
            Topics(resource_id=r.pk, topic_id=t.pk)
            for r in created
            for t in rng.sample(topics, rng.randint(1, 2))
        )
        Tags.objects.bulk_create(
            Tags(resource_id=r.pk, tag_id=t.pk)
            for r in created
            for t in rng.sample(tags, rng.randint(0, 3))
        )
        Orgs.objects.bulk_create(
            Orgs(resource_id=r.pk, organization_id=rng.choice(organizations).pk)
            for r in created
            if rng.random() < 0.7 or r.visibility == "organization"
        )
        made += size
        say(f"   {made:,} resources")
    seeded = time.perf_counter() - start

    # What production does after a save or an extraction, for every row at
    # once; the GIN index is dropped meanwhile and built after (the usual
    # way to load a table), then the statistics are refreshed.
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS resource_search_idx")
    refresh_vectors(Resource.objects.all())
    vectors = time.perf_counter() - start
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute(
            "CREATE INDEX resource_search_idx ON research_resource USING gin (search_vector)"
        )
        cursor.execute("VACUUM ANALYZE")
    return seeded, vectors, time.perf_counter() - start


# --- Measuring -------------------------------------------------------------------------------


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in seconds)
    return round(statistics.median(ms), 1), round(ms[max(int(len(ms) * 0.95) - 1, 0)], 1)


def measure(
    label: str, viewer_name: str, viewer: Any, params: dict[str, str], repeat: int
) -> Timing:
    from django.db import connection, reset_queries

    from research.search import new_generation, search

    for _ in range(2):  # warm PostgreSQL's buffers
        found = search(viewer, params)
    computed, cached = [], []
    for _ in range(repeat):
        new_generation()
        start = time.perf_counter()
        found = search(viewer, params)
        computed.append(time.perf_counter() - start)
        start = time.perf_counter()
        search(viewer, params)
        cached.append(time.perf_counter() - start)
    new_generation()
    reset_queries()
    connection.force_debug_cursor = True
    try:
        search(viewer, params)
        queries = len(connection.queries)
    finally:
        connection.force_debug_cursor = False
    p50, p95 = percentiles(computed)
    cached_p50, cached_p95 = percentiles(cached)
    return Timing(
        label=label,
        viewer=viewer_name,
        matches=found.page.paginator.count,
        queries=queries,
        estimated=found.estimated,
        p50_ms=p50,
        p95_ms=p95,
        cached_p50_ms=cached_p50,
        cached_p95_ms=cached_p95,
    )


def explain(viewer: Any, params: dict[str, str]) -> str:
    """The plans of the two queries that find the page of results: the
    newest candidates, then the page ranked among them."""
    from research.search import (
        CANDIDATES,
        candidates,
        listed,
        matching,
        newest_first,
        ranked,
        with_ids,
    )

    found = matching(viewer, params)
    first = newest_first(found).values_list("pk", flat=True)[: CANDIDATES + 1]
    ids, _ = candidates(found)
    page = listed(ranked(with_ids(ids), params.get("q", "")))[:20]
    plans = "\n".join(
        (
            "Candidates:",
            first.explain(analyze=True, buffers=True),
            "Page:",
            page.explain(analyze=True, buffers=True),
        )
    )
    # The page's plan lists the candidates' ids: say how many instead.
    return re.sub(r"'\{[\d,]+\}'", lambda m: f"'{{{m[0].count(',') + 1} ids}}'", plans)


def table_mib() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('research_resource')")
        row = cursor.fetchone()
    return round(row[0] / 1024**2, 1) if row else 0.0


# --- Report -------------------------------------------------------------------------------------


def markdown(r: Results) -> str:
    m = r.machine
    worst = max(t.p95_ms for t in r.timings)
    worst_cached = max(t.cached_p95_ms for t in r.timings)
    lines = [
        START,
        f"Run of {m['date']}: {r.resources:,} resources ({r.table_mib:,} MiB with indexes), "
        f"{m['cpus']} CPUs ({m['cpu_model']}), PostgreSQL {m['postgresql']}, {m['code']}.",
        "",
        (
            f"Seeding: {r.seed_seconds:.0f} s of inserts, {r.vector_seconds:.0f} s for the one "
            f"UPDATE that fills the search vectors, {r.index_seconds:.0f} s for the GIN index "
            "and VACUUM ANALYZE."
            if r.seed_seconds
            else "Measured on the data of an earlier run (--reuse): seeding not timed."
        ),
        "",
        f"{r.repeat} runs of each search. Counted: the filter counts computed (a new "
        "search, or the first after a change to the library). Cached: the same search "
        "again, counts read from the cache. Queries: SQL statements of one counted search. "
        "≈: more matches than the ranked candidates, so the total and the filter counts "
        "are estimated from the 1-in-50 sample.",
        "",
        "| search | as | matches | queries | counted p50 | counted p95 | cached p50 | cached p95 |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for t in r.timings:
        lines.append(
            f"| {t.label} | {t.viewer} | {'≈' if t.estimated else ''}{t.matches:,} "
            f"| {t.queries} | {t.p50_ms} ms "
            f"| {t.p95_ms} ms | {t.cached_p50_ms} ms | {t.cached_p95_ms} ms |"
        )
    lines += [
        "",
        f"Worst p95: {worst} ms counted, {worst_cached} ms cached; the target is "
        f"{TARGET_P95_MS:.0f} ms.",
        END,
    ]
    return "\n".join(lines)


def write_docs(r: Results) -> None:
    text = DOC.read_text()
    block = markdown(r)
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Research search\n\n" + block + "\n"
    DOC.write_text(text)
    say(f"Wrote the figures to {DOC.relative_to(ROOT)}")


def parse_args(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--resources", type=int, default=int(os.environ.get("BENCH_RESOURCES", DEFAULT_RESOURCES))
    )
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT)
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on the data of the last run"
    )
    args = parser.parse_args(argv)
    return Config(
        resources=args.resources,
        repeat=args.repeat,
        database_url=own_database_url(os.environ, BENCH_DATABASE),
        write=args.write,
        reuse=args.reuse,
    )


def run(config: Config) -> Results:
    warn_if_busy()
    if config.reuse:
        say(f"Database {redacted(config.database_url)} (kept from the last run)")
        postgresql = server_version(config.database_url)
    else:
        say(f"Database {redacted(config.database_url)} (dropped and recreated)")
        postgresql = recreate_database(config.database_url)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="justop.settings",
        DJANGO_ENV="development",
        DEBUG="false",
        DATABASE_URL=config.database_url,
        CELERY_TASK_ALWAYS_EAGER="true",
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from circle.models import User
    from circle.viewers import ANONYMOUS, viewer_of
    from research.models import Resource

    call_command("migrate", interactive=False, verbosity=0)
    if config.reuse and Resource.objects.count() == config.resources:
        seeded = vectors = index = 0.0  # seeded by an earlier run
    else:
        say(f"Seeding {config.resources:,} resources...")
        seeded, vectors, index = seed(config.resources)
        say(f"   inserts {seeded:.1f} s, vectors {vectors:.1f} s, index {index:.1f} s")
    results = Results(
        resources=config.resources,
        seed_seconds=seeded,
        vector_seconds=vectors,
        index_seconds=index,
        table_mib=table_mib(),
        repeat=config.repeat,
        machine=asdict(describe_machine(postgresql, "-")),
    )
    member = viewer_of(User.objects.get(email="member@bench.example.org"))
    from django.utils import translation

    for language, label, params in [
        *(("en", label, params) for label, params in QUERIES),
        *(("es", label, params) for label, params in SPANISH_QUERIES),
    ]:
        for name, viewer in (("visitor", ANONYMOUS), ("member", member)):
            with translation.override(language):
                timing = measure(label, name, viewer, params, config.repeat)
            results.timings.append(timing)
            say(
                f"   {label:<28} {name:<8} {timing.matches:>7,} matches  "
                f"p50 {timing.p50_ms:>7} ms  p95 {timing.p95_ms:>7} ms  cached p95 "
                f"{timing.cached_p95_ms:>6} ms  ({timing.queries} queries)"
            )
    results.plan = explain(member, {"q": "economic"})
    return results


def main(argv: Sequence[str] | None = None) -> int:
    # Named by the time of the run; no signal handlers (it starts no process).
    return run_main(
        parse_args(argv), run, show_plan, results_path, write_docs, stop_on_signals=False
    )


def results_path(results: Results) -> Path:
    return RESULTS_DIR / f"search-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"


def show_plan(results: Results) -> None:
    say("\nPlan of the results query for a word in most resources, as a member:\n")
    say(results.plan)


if __name__ == "__main__":
    sys.exit(main())
