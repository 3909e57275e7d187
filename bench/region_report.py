"""The figures of the page benchmark as a console table, as
bench/results/latest.json, and in docs/performance.md: the section of the
pages, and the summary of all three benchmarks at the top (the digest and
search figures read from the latest results those benchmarks saved)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import DOC, RESULTS_DIR, ROOT, say

if TYPE_CHECKING:
    from bench.region import PageFigures, Results

REGION_START = "<!-- bench:region:start -->"
REGION_END = "<!-- bench:region:end -->"
SUMMARY_START = "<!-- bench:summary:start -->"
SUMMARY_END = "<!-- bench:summary:end -->"
REGION_HEADING = "## Pages at the scale of a region"


def results_path() -> Path:
    return RESULTS_DIR / "latest.json"


# --- The pages ---------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def _queries(p: PageFigures) -> str:
    if p.queries_first is None:
        return "?"
    return f"{p.queries_first} / {p.queries_again}"


def page_rows(r: Results) -> list[list[str]]:
    rows = []
    for p in r.pages:
        errors = sum(p.page.errors.values()) + p.page.not_200
        rows.append(
            [
                p.label,
                "member" if p.signed_in else "visitor",
                f"{p.body_bytes / 1024:,.0f} KiB",
                _queries(p),
                f"{p.page.requests_per_second:,.0f}",
                f"{p.ceiling.requests_per_second:,.0f}",
                f"{p.share_of_ceiling:.2f}",
                _ms(p.page.p50_ms),
                _ms(p.page.p95_ms),
                _ms(p.page.p99_ms),
                ("met" if p.met else "**not met**")
                + f" ({p.target})"
                + (f", {errors} errors" if errors else ""),
            ]
        )
    return rows


HEADERS = [
    "page",
    "as",
    "size",
    "SQL first / again",
    "req/s",
    "ceiling req/s",
    "share",
    "p50",
    "p95",
    "p99",
    "target",
]


def sizes_line(r: Results) -> str:
    s = r.sizes
    return (
        f"{s.get('organizations', 0):,} organizations, {s.get('members', 0):,} members, "
        f"{s.get('resources', 0):,} research resources, {s.get('forums', 0):,} forums with "
        f"{s.get('registrations', 0):,} registrations, {s.get('news', 0):,} news posts, "
        f"{s.get('opportunities', 0):,} volunteer opportunities with {s.get('shifts', 0):,} "
        f"shifts, {s.get('posts', 0):,} asks and offers"
    )


def machine_line(r: Results) -> str:
    m, st = r.machine, r.settings
    before = ", ".join(f"{v:g}" for v in m.get("load_average_before", []))
    after = ", ".join(f"{v:g}" for v in m.get("load_average_after", []))
    return (
        f"{m['date']}; {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gib']:g} GiB RAM, "
        f"{m['system']}; Python {m['python']}, Django {m['django']}, gunicorn {m['gunicorn']} "
        f"({st['workers']} {st['worker_class']} workers), PostgreSQL {m['postgresql']}, "
        f"Redis {m['redis']}, {m['wrk']} (-t{st['threads']} -c{st['connections']}, "
        f"{st['seconds']:g} s a run after {st['warmup']:g} s of warm-up, {st['rounds']} "
        f"round{'s' if st['rounds'] > 1 else ''}); PAGE_CACHE_SECONDS="
        f"{st['page_cache_seconds']}; code: {m['code']}; load average {before} before, "
        f"{after} after."
    )


def seeding_line(r: Results) -> str:
    parts = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in r.seed_seconds.items())
    verb = "Seeded by an earlier run (--reuse) in" if r.reused else "Seeded in"
    return f"{verb} {r.seed_total_seconds:.0f} s ({parts})." if parts else ""


def print_table(r: Results) -> None:
    rows = [HEADERS, *page_rows(r)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    say("")
    say(f"Pages at scale {r.scale:g}: {sizes_line(r)}")
    say(machine_line(r))
    say(seeding_line(r))
    say("")
    for row in rows:
        say(
            "  ".join(
                cell.replace("**", "").ljust(width) for cell, width in zip(row, widths, strict=True)
            )
        )
    say("")
    say(f"Workers' peak memory (VmHWM): {_peaks(r)}; whole run {r.run_seconds / 60:.1f} min.")


def _peaks(r: Results) -> str:
    return ", ".join(f"{mib:.0f} MiB" for mib in r.workers_peak_mib.values()) or "n/a"


def bypass_rows(r: Results) -> list[str]:
    """Visitors' pages that the page cache leaves to the view."""
    lines = [
        "| page | SQL | req/s | share of ceiling | p50 | p95 | p99 | worker p50 |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for p in r.pages:
        load = p.without_page_cache
        if load is None:
            continue
        share = (
            load.requests_per_second / p.ceiling.requests_per_second
            if p.ceiling.requests_per_second
            else 0.0
        )
        queries = "?" if p.queries_without_page_cache is None else p.queries_without_page_cache
        lines.append(
            f"| {p.label} | {queries} | {load.requests_per_second:,.0f} | {share:.2f} "
            f"| {_ms(load.p50_ms)} | {_ms(load.p95_ms)} | {_ms(load.p99_ms)} "
            f"| {_ms(load.worker_p50_ms)} |"
        )
    return lines if len(lines) > 2 else []


def server_rows(r: Results) -> list[str]:
    """Time in a worker (from gunicorn's access log, without the wait in the
    listen queue) and where the CPU went during each page's run."""
    lines = [
        "| page | worker p50 | worker p95 | ceiling worker p50 | not 200 "
        "| CPUs: machine | workers | wrk |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for p in r.pages:
        lines.append(
            f"| {p.label} | {_ms(p.page.worker_p50_ms)} | {_ms(p.page.worker_p95_ms)} "
            f"| {_ms(p.ceiling.worker_p50_ms)} | {p.page.not_200 + p.ceiling.not_200} "
            f"| {p.page.machine_cpus:.2f} | {p.page.workers_cpus:.2f} | {p.page.wrk_cpus:.2f} |"
        )
    return lines


def region_block(r: Results) -> str:
    lines = [
        REGION_START,
        f"Written by `python -m bench.region --write` at scale {r.scale:g}: {sizes_line(r)}. "
        + machine_line(r),
        "",
        seeding_line(r)
        + f" The whole run took {r.run_seconds / 60:.1f} minutes; the workers' peak memory "
        f"(VmHWM) was {_peaks(r)}.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
        *("| " + " | ".join(row) + " |" for row in page_rows(r)),
        "",
        *(
            [
                "Visitors' pages without the page cache: the same pages asked with a cookie "
                "the portal does not set (`bench_returning_visitor=1`), which the cache for "
                "visitors leaves to the view. This is what a page costs when it is built: "
                "after a change to any content, when the cached copy expires, or for a "
                "visitor with another cookie.",
                "",
                *bypass_rows(r),
                "",
            ]
            if bypass_rows(r)
            else []
        ),
        "Inside the server: the time a request spent in a worker (gunicorn's access log; "
        "the rest of wrk's latency is the wait in the listen queue), answers other than "
        f"200, and the CPUs (of {r.machine['cpus']}) kept busy on average during the "
        "page's run by the whole machine, the gunicorn workers and wrk.",
        "",
        *server_rows(r),
        REGION_END,
    ]
    return "\n".join(lines)


# --- The summary of the three benchmarks ---------------------------------------------------------


def _latest(pattern: str, size: Callable[[dict[str, Any]], int]) -> dict[str, Any] | None:
    """The newest readable result of the largest size: a quick run made
    after a full one does not replace the full one's figures here."""
    found: list[tuple[int, float, dict[str, Any]]] = []
    for path in RESULTS_DIR.glob(pattern):
        try:
            data = json.loads(path.read_text())
            found.append((int(size(data)), path.stat().st_mtime, data))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return max(found, key=lambda item: item[:2])[2] if found else None


def digest_rows() -> list[list[str]]:
    data = _latest("digests-*.json", lambda d: d["seeded"]["members"])
    if data is None:
        return [["Weekly digest", "not run yet (`python -m bench.digests`)", "", "", ""]]
    try:
        members = data["seeded"]["members"]
        queued, delivered, config = data["queued"], data["delivered"], data["config"]
        date = data["machine"]["date"][:10]
        processes = int(config.get("concurrency", 1))
        peak = max(delivered["worker_peak_rss_kib"].values(), default=0) / 1024
        name = f"Weekly digest, {members:,} members (`--pool={config['pool']}`)"
        return [
            [
                name,
                "build and queue",
                f"{queued['seconds']:.1f} s, {queued['queries']:,} SQL queries",
                "",
                date,
            ],
            [
                name,
                f"delivery, one worker with {processes} process{'es' if processes > 1 else ''}",
                f"{delivered['distinct'] / delivered['seconds']:.1f} messages/s "
                f"({delivered['seconds']:.0f} s), peak {peak:.0f} MiB",
                "",
                date,
            ],
        ]
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return [["Weekly digest", "results in a form this summary does not read", "", "", ""]]


def search_rows() -> list[list[str]]:
    data = _latest("search-*.json", lambda d: d["resources"])
    if data is None:
        return [["Research search", "not run yet (`python -m bench.search`)", "", "", ""]]
    try:
        timings = data["timings"]
        worst = max(timings, key=lambda t: t["p95_ms"])
        cached = max(t["cached_p95_ms"] for t in timings)
        date = data["machine"]["date"][:10]
        name = f"Research search, {data['resources']:,} resources (in process)"
        return [
            [
                name,
                "worst p95 of the searches",
                f"{worst['p95_ms']:.0f} ms ({worst['label']}, {worst['viewer']}); "
                f"{cached:.0f} ms with counts cached",
                "p95 < 50 ms",
                date,
            ]
        ]
    except (KeyError, TypeError, ValueError):
        return [["Research search", "results in a form this summary does not read", "", "", ""]]


def pages_rows(r: Results) -> list[list[str]]:
    name = f"Pages, region at scale {r.scale:g} (gunicorn, 8 connections)"
    date = r.machine["date"][:10]
    anonymous = [p for p in r.pages if not p.signed_in]
    signed_in = [p for p in r.pages if p.signed_in]
    rows = []
    if anonymous:
        low = min(anonymous, key=lambda p: p.share_of_ceiling)
        met = sum(p.met for p in anonymous)
        rows.append(
            [
                name,
                "visitor pages: throughput as a share of the ceiling",
                f"lowest {low.share_of_ceiling:.2f} ({low.label}, "
                f"{low.page.requests_per_second:,.0f} req/s); {met} of {len(anonymous)} pages "
                "meet the target",
                anonymous[0].target,
                date,
            ]
        )
    if signed_in:
        worst = max(signed_in, key=lambda p: p.page.p95_ms)
        met = sum(p.met for p in signed_in)
        rows.append(
            [
                name,
                "member pages: p95 at 8 concurrent users",
                f"worst {_ms(worst.page.p95_ms)} ({worst.label}); {met} of {len(signed_in)} pages "
                "meet the target",
                "p95 < 100 ms",
                date,
            ]
        )
    built = [(p, p.without_page_cache) for p in anonymous if p.without_page_cache is not None]
    if built:
        worst, load = max(built, key=lambda pair: pair[1].p95_ms)
        rows.append(
            [
                name,
                "visitor pages without the page cache: p95 at 8 connections",
                f"worst {_ms(load.p95_ms)} ({worst.label}, {load.requests_per_second:,.0f} req/s)",
                "",
                date,
            ]
        )
    rows.append([name, "gunicorn workers' peak memory", _peaks(r), "", date])
    return rows


def summary_block(r: Results) -> str:
    rows = [*pages_rows(r), *search_rows(), *digest_rows()]
    return "\n".join(
        [
            SUMMARY_START,
            "| benchmark | measure | figure | target | run |",
            "|---|---|---|---|---|",
            *("| " + " | ".join(row) + " |" for row in rows),
            "",
            "Written by `python -m bench.region --write` from its own run and, for the two "
            "other benchmarks, the newest of their largest runs saved in `bench/results/`.",
            SUMMARY_END,
        ]
    )


# --- docs/performance.md -----------------------------------------------------------------------


def _replace(text: str, start: str, end: str, block: str) -> str | None:
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        return None
    return pattern.sub(lambda _: block, text, count=1)


def write_docs(r: Results) -> None:
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    replaced = _replace(text, REGION_START, REGION_END, region_block(r))
    if replaced is None:
        replaced = f"{text.rstrip()}\n\n{REGION_HEADING}\n\n{region_block(r)}\n"
    text = replaced
    summary = summary_block(r)
    replaced = _replace(text, SUMMARY_START, SUMMARY_END, summary)
    if replaced is None:
        # At the top: after the title and its first paragraph.
        head, _, rest = text.partition("\n## ")
        replaced = f"{head.rstrip()}\n\n{summary}\n\n## {rest}" if rest else f"{text}\n{summary}\n"
    DOC.write_text(replaced)
    say(f"Updated {DOC.relative_to(ROOT)}")
