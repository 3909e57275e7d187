"""The page benchmark (bench/region.py): it drops only its own database,
writes rows that read back as written, adds its ceiling view only to the
portal it serves, and rewrites only its own parts of docs/performance.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from bench import region_report
from bench.ceiling import COUNT_HEADER, QUERIES_HEADER
from bench.pages import Load
from bench.region import PageFigures, Results, region_database_url, region_redis_url
from bench.region_data import Copier


def test_the_benchmark_database_is_never_the_one_configured():
    given = {"DATABASE_URL": "postgres://app:secret@db.example.org:5433/justop"}
    assert region_database_url(given) == (
        "postgres://app:secret@db.example.org:5433/justop_bench_region"
    )
    # Not PostgreSQL: the local server, never a SQLite file.
    assert region_database_url({"DATABASE_URL": "sqlite:///db.sqlite3"}) == (
        "postgres://postgres@127.0.0.1:5432/justop_bench_region"
    )
    assert region_redis_url({"REDIS_URL": "redis://cache.example.org:6380/0?db=3"}) == (
        "redis://cache.example.org:6380/14"
    )
    assert region_redis_url({"BENCH_REGION_REDIS_DB": "9"}) == "redis://127.0.0.1:6379/9"


@pytest.mark.postgres
@pytest.mark.django_db
def test_rows_written_with_copy_read_back_as_written():
    from circle.models import Organization, Stage

    mission = 'Tabs\there, lines\nthere, a back\\slash, "quotes" and ñ.'
    copier = Copier()
    [written] = copier.write(
        Organization,
        [Organization(name="Copied", slug="copied", sector="nonprofit", mission=mission)],
    )
    stage = Stage.objects.first()
    assert stage is not None
    copier.link(
        Organization.stages.through, "organization_id", "stage_id", [(written.pk, stage.pk)]
    )
    copier.finish()

    copied = Organization.objects.get(slug="copied")
    assert copied.pk == written.pk
    assert copied.mission == mission
    assert copied.status == "active"  # the model's default
    assert list(copied.stages.all()) == [stage]
    # The sequence was moved past the given ids: the next row gets a new one.
    assert Organization.objects.create(name="Next", slug="next", sector="business").pk > copied.pk


def test_the_ceiling_exists_only_in_the_benchmark_urlconf(settings):
    assert Client().get("/__ceiling__/1000/").status_code == 404

    settings.ROOT_URLCONF = "bench.urls"
    settings.MIDDLEWARE = ["bench.ceiling.QueryCountMiddleware", *settings.MIDDLEWARE]
    client = Client()  # the middleware is read when a client's handler starts
    plain = client.get("/__ceiling__/1000/")
    assert plain.status_code == 200
    assert len(plain.content) == 1000
    assert QUERIES_HEADER not in plain.headers
    counted = client.get("/__ceiling__/1000/", headers={COUNT_HEADER: "1"})
    assert counted.headers[QUERIES_HEADER] == "0"


def load(rps: float, p95: float) -> Load:
    return Load(
        requests=int(rps * 10),
        seconds=10.0,
        requests_per_second=rps,
        p50_ms=p95 / 2,
        p90_ms=p95 * 0.9,
        p95_ms=p95,
        p99_ms=p95 * 1.2,
        max_ms=p95 * 2,
        bytes_per_response=10_000,
    )


def results() -> Results:
    machine = {
        "date": "2026-11-29 13:00 UTC",
        "cpus": 2,
        "cpu_model": "Test CPU",
        "memory_gib": 4,
        "system": "Linux",
        "python": "3.13",
        "django": "6.1",
        "gunicorn": "27",
        "postgresql": "15",
        "redis": "7",
        "wrk": "wrk 4.1",
        "code": "commit abc",
        "load_average_before": [0.1, 0.2, 0.3],
        "load_average_after": [0.4, 0.5, 0.6],
    }
    settings = {
        "workers": 2,
        "worker_class": "sync",
        "connections": 8,
        "threads": 2,
        "seconds": 10,
        "warmup": 2,
        "rounds": 1,
        "page_cache_seconds": 60,
    }
    pages = [
        PageFigures(
            key="home",
            label="Home",
            path="/",
            signed_in=False,
            body_bytes=10_000,
            queries_first=8,
            queries_again=0,
            page=load(900, 20),
            ceiling=load(1000, 15),
            share_of_ceiling=0.9,
            target="≥ 0.8 of the ceiling",
            met=True,
            without_page_cache=load(30, 500),
            queries_without_page_cache=8,
        ),
        PageFigures(
            key="board",
            label="Asks and offers",
            path="/asks/",
            signed_in=True,
            body_bytes=30_000,
            queries_first=12,
            queries_again=12,
            page=load(20, 450),
            ceiling=load(600, 20),
            share_of_ceiling=0.03,
            target="p95 < 100 ms",
            met=False,
        ),
    ]
    return Results(
        scale=1.0,
        sizes={"organizations": 300, "members": 20_000},
        rows={},
        reused=False,
        seed_seconds={"research resources": 48.0},
        seed_total_seconds=48.0,
        settings=settings,
        machine=machine,
        pages=pages,
        workers_peak_mib={"1": 150.0},
    )


def test_writing_the_docs_replaces_only_the_benchmarks_own_parts(tmp_path, monkeypatch):
    doc = tmp_path / "performance.md"
    others = "## The weekly digest benchmark\n\nIts own text.\n\n## Research search\n\nMore.\n"
    doc.write_text(f"# Performance\n\nWhat this page is.\n\n{others}")
    monkeypatch.setattr(region_report, "DOC", doc)
    monkeypatch.setattr(region_report, "ROOT", tmp_path)
    monkeypatch.setattr(region_report, "RESULTS_DIR", Path(tmp_path / "results"))

    region_report.write_docs(results())
    once = doc.read_text()
    region_report.write_docs(results())

    assert doc.read_text() == once  # a second run replaces, never adds
    assert others in once
    summary = once.split(region_report.SUMMARY_START)[1].split(region_report.SUMMARY_END)[0]
    assert once.index(region_report.SUMMARY_START) < once.index("## The weekly digest")
    assert "worst 450 ms (Asks and offers); 0 of 1 pages meet the target" in summary
    assert "not run yet" in summary  # no digest or search results saved
    region = once.split(region_report.REGION_START)[1].split(region_report.REGION_END)[0]
    assert "| Home | visitor | 10 KiB | 8 / 0 | 900 | 1,000 | 0.90 |" in region
    assert "**not met** (p95 < 100 ms)" in region
