"""The continuum map: how many active member organizations work in each
stage of the continuum, in each county and on each side (talent supply,
employer demand), and where nobody does yet (the gaps).

Everything is counted by the database with GROUP BY, so the page runs the
same handful of queries whatever the number of organizations. The picture
is laid out here too (plain numbers for an inline SVG) so the template only
draws it.
"""

from __future__ import annotations

import math
import textwrap
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TypedDict
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from circle.models import County, Organization, OrganizationQuerySet, Stage
from circle.viewers import Viewer
from justop import registry

Side = Organization.Side

# --- Counting ----------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One number of a table: organizations matching a stage and a place or side."""

    count: int
    # The directory filtered to these organizations; empty when there are none.
    url: str
    # Where the number belongs, e.g. "Job access & placement, Fulton", for
    # link text that still makes sense out of the table.
    where: str
    # A "both sides" count of 0 is no gap: separate organizations may cover
    # each side.
    marks_gap: bool = True
    # Open asks and offers the viewer may see, naming this stage and county
    # (county-by-stage cells only), and the board filtered to them.
    asks: int = 0
    offers: int = 0
    posts_url: str = ""

    @property
    def is_gap(self) -> bool:
        return self.marks_gap and self.count == 0


@dataclass(frozen=True)
class CountyRow:
    county: County
    cells: list[Cell]  # one per stage, in stage order
    total: Cell  # organizations serving the county, whatever their stage


@dataclass(frozen=True)
class SideRow:
    stage: Stage
    supply: Cell  # supply-side organizations and those on both sides
    demand: Cell  # demand-side organizations and those on both sides
    both: Cell
    total: Cell  # each organization once


@dataclass(frozen=True)
class ContinuumMap:
    stages: list[Stage]
    counties: list[County]
    rows: list[CountyRow]
    stage_totals: list[Cell]  # organizations per stage, whatever their county
    side_rows: list[SideRow]
    organization_count: int
    gap_count: int  # stage-and-county combinations without any organization
    combination_count: int
    picture: Picture


class StageSummary(TypedDict):
    key: str
    name: str
    count: int


def _active() -> OrganizationQuerySet:
    # Meta.ordering (by name) must not leak into GROUP BY.
    return Organization.objects.active().order_by()


def _stage_county_counts() -> dict[tuple[int, int], int]:
    # Joining both many-to-many tables gives one row per organization, stage
    # and county it serves; an organization without a stage or a county
    # yields None there and lands in no cell.
    rows = (
        _active()
        .values("stages", "counties")
        .annotate(n=Count("id", distinct=True))
        .values_list("stages", "counties", "n")
    )
    return {(stage, county): n for stage, county, n in rows if stage and county}


def _stage_side_counts() -> dict[int, dict[str, int]]:
    rows = (
        _active()
        .values("stages", "side")
        .annotate(n=Count("id", distinct=True))
        .values_list("stages", "side", "n")
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for stage, side, n in rows:
        if stage:
            counts[stage][side] = n
    return counts


def _county_counts() -> dict[int, int]:
    rows = (
        _active()
        .values("counties")
        .annotate(n=Count("id", distinct=True))
        .values_list("counties", "n")
    )
    return {county: n for county, n in rows if county}


def _stage_counts() -> dict[int, int]:
    rows = (
        _active().values("stages").annotate(n=Count("id", distinct=True)).values_list("stages", "n")
    )
    return {stage: n for stage, n in rows if stage}


def _directory_url(base: str, **filters: str) -> str:
    return f"{base}?{urlencode(filters)}"


def _cell(
    count: int, base: str, where: str, filters: dict[str, str], marks_gap: bool = True
) -> Cell:
    url = _directory_url(base, **filters) if count else ""
    return Cell(count=count, url=url, where=where, marks_gap=marks_gap)


def _open_posts(viewer: Viewer | None) -> tuple[Mapping[tuple[int, int, str], int], str]:
    """Open asks and offers per stage, county and kind that the viewer may
    see, from the app that owns them (justop.registry.ContinuumPosts), and
    the board they link to. One query."""
    source = registry.continuum_posts()
    if viewer is None or source is None:
        return {}, ""
    return source.counts(viewer), reverse(source.board_url_name)


def build_map(viewer: Viewer | None = None) -> ContinuumMap:
    """Everything the continuum page shows, in six queries; seven with the
    open asks and offers a viewer may see."""
    stages = list(Stage.objects.all())
    counties = list(County.objects.all())
    cells = _stage_county_counts()
    posts, board = _open_posts(viewer)
    sides = _stage_side_counts()
    per_county = _county_counts()
    organization_count = _active().count()
    directory = reverse("circle:directory")

    rows = []
    for county in counties:
        row_cells = [
            _with_posts(
                _cell(
                    cells.get((stage.pk, county.pk), 0),
                    directory,
                    f"{stage.localized_name}, {county.name}",
                    {"stage": stage.key, "county": county.key},
                ),
                posts.get((stage.pk, county.pk, "ask"), 0),
                posts.get((stage.pk, county.pk, "offer"), 0),
                _directory_url(board, stage=stage.key, county=county.key),
            )
            for stage in stages
        ]
        total = _cell(
            per_county.get(county.pk, 0),
            directory,
            _("%(county)s, any stage") % {"county": county.name},
            {"county": county.key},
        )
        rows.append(CountyRow(county=county, cells=row_cells, total=total))

    side_rows = []
    stage_totals = []
    for stage in stages:
        by_side = sides.get(stage.pk, {})
        supply, demand, both = (by_side.get(side, 0) for side in Side.values)
        name = stage.localized_name
        # Every organization has exactly one side, so the sides add up to the
        # stage's organizations without counting anyone twice.
        total = _cell(
            supply + demand + both,
            directory,
            _("%(stage)s, any county") % {"stage": name},
            {"stage": stage.key},
        )
        stage_totals.append(total)
        side_rows.append(
            SideRow(
                stage=stage,
                supply=_side_cell(supply + both, directory, stage, Side.SUPPLY),
                demand=_side_cell(demand + both, directory, stage, Side.DEMAND),
                both=_side_cell(both, directory, stage, Side.BOTH, marks_gap=False),
                total=total,
            )
        )

    grid = [[cell.count for cell in row.cells] for row in rows]
    return ContinuumMap(
        stages=stages,
        counties=counties,
        rows=rows,
        stage_totals=stage_totals,
        side_rows=side_rows,
        organization_count=organization_count,
        gap_count=sum(1 for row in grid for n in row if n == 0),
        combination_count=len(stages) * len(counties),
        picture=layout_picture(stages, counties, grid),
    )


def _with_posts(cell: Cell, asks: int, offers: int, url: str) -> Cell:
    if not (asks or offers):
        return cell
    return replace(cell, asks=asks, offers=offers, posts_url=url)


def _side_cell(
    count: int, directory: str, stage: Stage, side: Side, marks_gap: bool = True
) -> Cell:
    return _cell(
        count,
        directory,
        f"{stage.localized_name}, {side.label}",
        {"stage": stage.key, "side": side.value},
        marks_gap=marks_gap,
    )


def public_summary() -> list[StageSummary]:
    """Active organizations per stage, every stage included, no names: for
    the public home page. Two queries."""
    counts = _stage_counts()
    return [
        {"key": stage.key, "name": stage.localized_name, "count": counts.get(stage.pk, 0)}
        for stage in Stage.objects.all()
    ]


# --- The picture ----------------------------------------------------------------
# A heat map with the continuum running left to right (stages as columns) and
# the counties as rows, drawn with SVG presentation attributes: the Content
# Security Policy forbids style attributes, not fill="...".

INK = "#1b2430"
WHITE = "#ffffff"
TILE_EDGE = "#1d4e89"  # 8.39:1 on white: the lightest tiles keep a visible edge
GAP_INK = "#a8431b"  # hatching and dashed edge of a gap, 6.03:1 on white
# Light to dark; each count is written in a colour with at least 4.5:1 on
# its tile (12.58, 8.47, 5.85 and 14.48).
SCALE = (
    ("#dbe8f5", INK),
    ("#9cc3e6", INK),
    ("#2f67a3", WHITE),
    ("#0f2a4a", WHITE),
)

FONT_SIZE = 12
TILE = 48
STEP = 52  # tile and gutter
LINE = 13
CHAR_WIDTH = 6.6  # a generous average for 12px system-ui, to size margins
STAGE_CHARS = 24  # characters per line of a stage heading (two lines at most)
COUNTY_CHARS = 16
ANGLE = 45  # stage headings slant up to the right


@dataclass(frozen=True)
class Tile:
    x: int
    y: int
    count: int
    fill: str
    text_fill: str
    label: str  # tooltip

    @property
    def is_gap(self) -> bool:
        return self.count == 0

    @property
    def cx(self) -> int:
        return self.x + TILE // 2

    @property
    def cy(self) -> int:
        return self.y + TILE // 2 + 5  # baseline of a centred 14px number


@dataclass(frozen=True)
class StageLabel:
    x: int
    y: int
    lines: list[tuple[str, int]]  # text and its dy from the previous line


@dataclass(frozen=True)
class CountyLabel:
    x: int
    y: int
    text: str


@dataclass(frozen=True)
class LegendEntry:
    fill: str
    text: str


@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    tiles: list[Tile]
    stage_labels: list[StageLabel]
    county_labels: list[CountyLabel]
    legend: list[LegendEntry]
    description: str
    angle: int = -ANGLE
    tile_size: int = TILE
    tile_edge: str = TILE_EDGE
    gap_ink: str = GAP_INK
    font_size: int = FONT_SIZE


def scale_level(count: int, highest: int) -> int:
    """The colour step of a count from 1 to highest: one step per number
    while they fit, then equal ranges."""
    if highest <= len(SCALE):
        return count - 1
    return min(len(SCALE), math.ceil(count * len(SCALE) / highest)) - 1


def legend(highest: int) -> list[LegendEntry]:
    entries = []
    for level, (fill, _text) in enumerate(SCALE):
        members = [n for n in range(1, highest + 1) if scale_level(n, highest) == level]
        if not members:
            continue
        low, high = members[0], members[-1]
        text = str(low) if low == high else f"{low}\N{EN DASH}{high}"
        entries.append(LegendEntry(fill=fill, text=text))
    return entries


def layout_picture(stages: list[Stage], counties: list[County], grid: list[list[int]]) -> Picture:
    """Positions and colours of the heat map; grid[county][stage] is a count."""
    stage_lines = [
        textwrap.wrap(stage.localized_name, STAGE_CHARS, max_lines=2, placeholder="…") or [""]
        for stage in stages
    ]
    county_names = [
        textwrap.shorten(county.name, COUNTY_CHARS, placeholder="…") for county in counties
    ]
    longest_stage = max((len(line) for lines in stage_lines for line in lines), default=0)
    longest_county = max((len(name) for name in county_names), default=0)
    slant = math.sin(math.radians(ANGLE))
    left = int(longest_county * CHAR_WIDTH) + 16
    top = int(longest_stage * CHAR_WIDTH * slant) + 2 * LINE + 8
    overhang = int(longest_stage * CHAR_WIDTH * slant) + LINE
    width = left + len(stages) * STEP + overhang
    height = top + len(counties) * STEP

    highest = max((n for row in grid for n in row), default=0)
    tiles = []
    for row, county in enumerate(counties):
        for column, stage in enumerate(stages):
            count = grid[row][column]
            if count:
                fill, text_fill = SCALE[scale_level(count, highest)]
            else:
                fill, text_fill = "url(#continuum-gap)", GAP_INK
            tiles.append(
                Tile(
                    x=left + column * STEP,
                    y=top + row * STEP,
                    count=count,
                    fill=fill,
                    text_fill=text_fill,
                    label=_tile_label(stage, county, count),
                )
            )

    stage_labels = []
    for column, lines in enumerate(stage_lines):
        # Two lines sit either side of the column's centre line.
        offsets = [0] if len(lines) == 1 else [-LINE // 2, LINE]
        stage_labels.append(
            StageLabel(
                x=left + column * STEP + TILE // 2 - 4,
                y=top - 10,
                lines=list(zip(lines, offsets, strict=True)),
            )
        )
    county_labels = [
        CountyLabel(x=left - 8, y=top + row * STEP + TILE // 2 + 4, text=name)
        for row, name in enumerate(county_names)
    ]
    gaps = sum(1 for row in grid for n in row if n == 0)
    description = _(
        "A grid with one row per county and one column per continuum stage, "
        "from %(first)s to %(last)s. Each tile gives the number of active member "
        "organizations; darker tiles mean more organizations. Hatched tiles are "
        "gaps: %(gaps)s of %(total)s combinations have no organization. The "
        "tables below give the same numbers."
    ) % {
        "first": stages[0].localized_name if stages else "",
        "last": stages[-1].localized_name if stages else "",
        "gaps": gaps,
        "total": len(stages) * len(counties),
    }
    return Picture(
        width=width,
        height=height,
        tiles=tiles,
        stage_labels=stage_labels,
        county_labels=county_labels,
        legend=legend(highest),
        description=description,
    )


def _tile_label(stage: Stage, county: County, count: int) -> str:
    if count == 0:
        return _("%(county)s, %(stage)s: no organization (gap)") % {
            "county": county.name,
            "stage": stage.localized_name,
        }
    return ngettext(
        "%(county)s, %(stage)s: %(count)s organization",
        "%(county)s, %(stage)s: %(count)s organizations",
        count,
    ) % {"county": county.name, "stage": stage.localized_name, "count": count}
