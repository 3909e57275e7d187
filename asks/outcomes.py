"""What came of asks and offers: outcomes counted per continuum stage and per
quarter, for members, with a bar chart laid out here for an inline SVG.

Only outcomes of posts the viewer may see are counted, so the summary tells
nobody about a post kept for chosen organizations. The database does the
counting (GROUP BY): four queries whatever the number of outcomes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from asks.models import Outcome, Post
from circle.models import Stage
from circle.viewers import Viewer


@dataclass(frozen=True)
class Totals:
    outcomes: int = 0
    people: int = 0
    partnerships: int = 0


@dataclass(frozen=True)
class SummaryRow:
    label: str
    totals: Totals


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    value: int
    label: str  # under the bar
    title: str  # tooltip, a full sentence

    @property
    def cx(self) -> int:
        return self.x + self.width // 2


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: int
    bars: list[Bar]
    description: str
    fill: str = "#1d4e89"  # 8.39:1 on white
    ink: str = "#1b2430"


@dataclass(frozen=True)
class Summary:
    total: Totals
    per_stage: list[SummaryRow]
    per_quarter: list[SummaryRow]
    chart: Chart


_COUNTS = {
    "outcomes": Count("id", distinct=True),
    "people": Sum("people_placed"),
    "partnerships": Count("id", filter=Q(partnership_started=True), distinct=True),
}


def _totals(row: Mapping[str, Any]) -> Totals:
    return Totals(
        outcomes=row.get("outcomes") or 0,
        people=row.get("people") or 0,
        partnerships=row.get("partnerships") or 0,
    )


def visible_outcomes(viewer: Viewer) -> QuerySet[Outcome]:
    return Outcome.objects.filter(post__in=Post.objects.visible_to(viewer).values("pk")).order_by()


def quarter_label(day: date) -> str:
    year, quarter = _quarter_of(day)
    return _("%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter}


def summarize(viewer: Viewer) -> Summary:
    outcomes = visible_outcomes(viewer)
    total = _totals(outcomes.aggregate(**_COUNTS))
    # An outcome counts once in each stage of its post, so the stage rows do
    # not add up to the total when a post spans stages. People placed are
    # summed per stage with a join that repeats nothing within a stage.
    by_stage = {
        row["post__stages"]: _totals(row)
        for row in outcomes.values("post__stages").annotate(**_COUNTS)
    }
    per_stage = [
        SummaryRow(stage.localized_name, by_stage.get(stage.pk, Totals()))
        for stage in Stage.objects.all()
    ]
    quarters = (
        outcomes.annotate(
            quarter=TruncQuarter("recorded_at", tzinfo=timezone.get_current_timezone())
        )
        .values("quarter")
        .annotate(**_COUNTS)
        .order_by("quarter")
    )
    counted = {_quarter_of(_day(row["quarter"])): _totals(row) for row in quarters}
    # Every quarter from the first outcome to the last, empty ones included,
    # so the chart's time axis has no hidden jumps.
    per_quarter = [
        SummaryRow(
            quarter_label(date(year, 3 * quarter - 2, 1)), counted.get((year, quarter), Totals())
        )
        for year, quarter in _quarters_between(
            min(counted, default=None), max(counted, default=None)
        )
    ]
    return Summary(
        total=total, per_stage=per_stage, per_quarter=per_quarter, chart=chart(per_quarter)
    )


def _quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _quarters_between(
    first: tuple[int, int] | None, last: tuple[int, int] | None
) -> list[tuple[int, int]]:
    if first is None or last is None:
        return []
    quarters = []
    year, quarter = first
    while (year, quarter) <= last:
        quarters.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return quarters


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


# --- The chart ------------------------------------------------------------------------

HEIGHT = 220
TOP = 24  # room for the number above the tallest bar
BOTTOM = 32  # room for the quarter under the bars
LEFT = 12
BAR = 44
STEP = 64


def chart(rows: list[SummaryRow]) -> Chart:
    """Outcomes recorded per quarter, one bar each, left to right in time."""
    baseline = HEIGHT - BOTTOM
    highest = max((row.totals.outcomes for row in rows), default=0)
    bars = []
    for index, row in enumerate(rows):
        value = row.totals.outcomes
        height = round((baseline - TOP) * value / highest) if highest else 0
        bars.append(
            Bar(
                x=LEFT + index * STEP,
                y=baseline - height,
                width=BAR,
                height=height,
                value=value,
                label=row.label,
                title=ngettext(
                    "%(quarter)s: %(count)s outcome", "%(quarter)s: %(count)s outcomes", value
                )
                % {"quarter": row.label, "count": value},
            )
        )
    if rows:
        description = _(
            "A bar chart of outcomes recorded per quarter, from %(first)s to %(last)s; the "
            "tallest bar is %(highest)s. The table below gives the same numbers."
        ) % {"first": rows[0].label, "last": rows[-1].label, "highest": highest}
    else:
        description = _("No outcome has been recorded yet.")
    width = max(LEFT * 2 + len(rows) * STEP, 240)
    return Chart(width=width, height=HEIGHT, baseline=baseline, bars=bars, description=description)
