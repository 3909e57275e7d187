"""The continuum map: members see how many organizations work in each stage,
county and side, where the gaps are, and reach the organizations behind a
number in the directory."""

from __future__ import annotations

import importlib
import re
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circle.continuum import GAP_INK, SCALE, TILE_EDGE, build_map, legend, public_summary
from circle.models import County, Organization, Stage
from tests.browsing import signed_in_context
from tests.factories import OrganizationFactory, UserFactory, member_of, sign_in_with_second_factor

pytestmark = pytest.mark.django_db

URL = "/continuum/"
Side = Organization.Side
Status = Organization.Status


@pytest.fixture
def circle():
    """A small known Circle. Active: Alpha (supply; education and job access;
    Fulton and DeKalb), Beta (demand; job access; Fulton), Gamma (both sides;
    job access; Cobb). Not counted: an inactive and an applicant organization
    in Fulton."""
    alpha = OrganizationFactory(
        name="Alpha",
        side=Side.SUPPLY,
        stages=["education-training", "job-access"],
        counties=["fulton", "dekalb"],
    )
    OrganizationFactory(name="Beta", side=Side.DEMAND, stages=["job-access"], counties=["fulton"])
    OrganizationFactory(name="Gamma", side=Side.BOTH, stages=["job-access"], counties=["cobb"])
    OrganizationFactory(
        name="Dormant",
        side=Side.SUPPLY,
        status=Status.INACTIVE,
        stages=["education-training", "job-access"],
        counties=["fulton"],
    )
    OrganizationFactory(
        name="Hopeful",
        side=Side.DEMAND,
        status=Status.APPLICANT,
        stages=["job-access", "entrepreneurship"],
        counties=["fulton", "henry"],
    )
    return alpha


@pytest.fixture
def member(circle):
    return member_of(circle)


def cell_counts(continuum) -> dict[tuple[str, str], int]:
    return {
        (stage.key, row.county.key): cell.count
        for row in continuum.rows
        for stage, cell in zip(continuum.stages, row.cells, strict=True)
    }


# --- What is counted ----------------------------------------------------------------


def test_it_counts_active_organizations_per_stage_and_county(circle):
    counts = cell_counts(build_map())
    assert len(counts) == Stage.objects.count() * County.objects.count()
    nonzero = {key: n for key, n in counts.items() if n}
    assert nonzero == {
        ("education-training", "fulton"): 1,
        ("education-training", "dekalb"): 1,
        ("job-access", "fulton"): 2,
        ("job-access", "dekalb"): 1,
        ("job-access", "cobb"): 1,
    }


def test_inactive_and_applicant_organizations_are_not_counted(circle):
    continuum = build_map()
    assert continuum.organization_count == 3
    counts = cell_counts(continuum)
    # Only the applicant works in entrepreneurship, and only it serves Henry.
    assert counts[("entrepreneurship", "henry")] == 0
    assert counts[("entrepreneurship", "fulton")] == 0
    totals = {row.county.key: row.total.count for row in continuum.rows}
    assert totals["fulton"] == 2 and totals["henry"] == 0


def test_an_organization_on_both_sides_counts_for_supply_and_for_demand(circle):
    rows = {row.stage.key: row for row in build_map().side_rows}
    job = rows["job-access"]
    # Alpha (supply) + Gamma (both); Beta (demand) + Gamma (both).
    assert (job.supply.count, job.demand.count, job.both.count, job.total.count) == (2, 2, 1, 3)
    education = rows["education-training"]
    assert (education.supply.count, education.demand.count, education.total.count) == (1, 0, 1)
    assert education.demand.is_gap
    # No one on both sides is not a gap: separate organizations may cover each side.
    assert education.both.count == 0 and not education.both.is_gap


def test_totals_count_each_organization_once(circle):
    continuum = build_map()
    stage_totals = {
        s.key: c.count for s, c in zip(continuum.stages, continuum.stage_totals, strict=True)
    }
    # Alpha serves two counties in job access but is one organization there.
    assert stage_totals["job-access"] == 3
    assert stage_totals["education-training"] == 1
    assert stage_totals["entrepreneurship"] == 0


def test_the_grid_has_every_stage_and_county_in_their_order_even_when_empty():
    Stage.objects.create(key="civic-voice", name="Civic voice", order=99)
    continuum = build_map()
    assert [s.key for s in continuum.stages] == list(Stage.objects.values_list("key", flat=True))
    assert continuum.stages[-1].key == "civic-voice"
    assert [c.name for c in continuum.counties] == sorted(c.name for c in continuum.counties)
    assert continuum.organization_count == 0
    assert continuum.gap_count == continuum.combination_count == 7 * 11


def test_public_summary_gives_active_organizations_per_stage_without_names(circle):
    summary = public_summary()
    assert [item["key"] for item in summary] == list(Stage.objects.values_list("key", flat=True))
    counts = {item["key"]: item["count"] for item in summary}
    assert counts["job-access"] == 3
    assert counts["education-training"] == 1
    assert counts["entrepreneurship"] == 0
    assert set(summary[0]) == {"key", "name", "count"}
    assert "Alpha" not in repr(summary)


def test_public_summary_runs_two_queries(django_assert_num_queries, circle):
    with django_assert_num_queries(2):
        public_summary()


# --- The page -------------------------------------------------------------------------


class Tables(HTMLParser):
    """The page's tables: caption, and rows of (tag, attributes, text, links)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._cell: dict | None = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("th", "td") and self.tables:
            self._cell = {"tag": tag, "attrs": attrs, "text": "", "links": []}
            self.tables[-1]["rows"][-1].append(self._cell)
        elif tag == "a" and self._cell is not None:
            self._cell["links"].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("th", "td"):
            self._cell = None

    def handle_data(self, data):
        if self._in_caption:
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell["text"] += data


def page_tables(html: str) -> list[dict]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def county_table_cell(table: dict, county: str, stage_index: int) -> dict:
    for row in table["rows"]:
        if row[0]["text"].strip() == county:
            return row[1 + stage_index]
    raise AssertionError(f"no row for {county}")


def stage_index(key: str) -> int:
    return list(Stage.objects.values_list("key", flat=True)).index(key)


def test_members_see_the_map(client, member):
    client.force_login(member)
    response = client.get(URL)
    assert response.status_code == 200
    assert reverse("circle:continuum") == URL
    html = response.content.decode()
    assert "<h1>Continuum map</h1>" in html
    assert "3 active member organizations." in html


def test_the_tables_have_captions_and_headers_with_scope(client, member):
    client.force_login(member)
    county_table, side_table = page_tables(client.get(URL).content.decode())
    assert "per county (rows) and continuum stage (columns)" in county_table["caption"]
    assert "per continuum stage and side" in side_table["caption"]
    header = county_table["rows"][0]
    assert all(cell["tag"] == "th" and cell["attrs"]["scope"] == "col" for cell in header)
    stage_names = [cell["text"].strip() for cell in header[1:-1]]
    assert stage_names == list(Stage.objects.values_list("name", flat=True))
    body = county_table["rows"][1:]
    assert [row[0]["text"].strip() for row in body[:-1]] == list(
        County.objects.values_list("name", flat=True)
    )
    for table in (county_table, side_table):
        for row in table["rows"][1:]:
            assert row[0]["tag"] == "th" and row[0]["attrs"]["scope"] == "row"
            assert all("numeric" in cell["attrs"]["class"] for cell in row[1:])


def test_a_number_links_to_those_organizations_in_the_directory(client, member):
    client.force_login(member)
    county_table, side_table = page_tables(client.get(URL).content.decode())
    directory = reverse("circle:directory")
    cell = county_table_cell(county_table, "Fulton", stage_index("job-access"))
    assert cell["text"].strip().startswith("2")
    assert cell["links"] == [f"{directory}?stage=job-access&county=fulton"]
    job_row = next(
        r for r in side_table["rows"] if r[0]["text"].strip() == "Job access & placement"
    )
    assert job_row[1]["links"] == [f"{directory}?stage=job-access&side=supply"]
    assert job_row[2]["links"] == [f"{directory}?stage=job-access&side=demand"]
    assert job_row[3]["links"] == [f"{directory}?stage=job-access&side=both"]
    assert job_row[4]["links"] == [f"{directory}?stage=job-access"]


def test_a_link_says_what_it_counts_for_screen_readers(client, member):
    client.force_login(member)
    html = client.get(URL).content.decode()
    assert re.search(
        r'county=fulton">2<span class="visually-hidden"> organizations: '
        r"Job access &amp; placement, Fulton</span></a>",
        html,
    )


def test_gaps_are_marked_in_words_not_only_in_colour(client, member):
    client.force_login(member)
    county_table, side_table = page_tables(client.get(URL).content.decode())
    gap = county_table_cell(county_table, "Henry", stage_index("job-access"))
    assert gap["links"] == []
    assert "gap" in gap["text"] and "continuum-gap-cell" in gap["attrs"]["class"]
    covered = county_table_cell(county_table, "Fulton", stage_index("job-access"))
    assert "gap" not in covered["text"]
    cells = [cell for row in county_table["rows"][1:-1] for cell in row[1:-1]]
    assert sum("gap" in cell["text"] for cell in cells) == 66 - 5
    education = next(r for r in side_table["rows"] if r[0]["text"].strip().startswith("Education"))
    assert "gap" in education[2]["text"]  # no one on the demand side
    assert "gap" not in education[3]["text"]  # "both sides" is no gap


def test_the_picture_is_an_svg_with_a_title_a_description_and_hatched_gaps(client, member):
    client.force_login(member)
    html = client.get(URL).content.decode()
    svg = re.search(r"<svg class=\"continuum-picture\"[^>]*>", html).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="continuum-picture-title continuum-picture-desc"' in svg
    assert re.search(r'viewBox="0 0 \d+ \d+"', svg)
    assert '<title id="continuum-picture-title">' in html
    assert re.search(r'<desc id="continuum-picture-desc">[^<]*61 of 66 combinations', html)
    assert html.count('class="continuum-gap-tile"') == 61
    assert "<title>Fulton, Job access &amp; placement: 2 organizations</title>" in html
    assert "<title>Henry, Job access &amp; placement: no organization (gap)</title>" in html
    assert "None: a gap (hatched)" in html  # the legend


def test_the_page_uses_no_inline_style(client, member):
    client.force_login(member)
    html = client.get(URL).content.decode()
    assert not re.search(r"\sstyle=", html)
    assert "<style" not in html


def test_stage_names_follow_the_language(client, member):
    client.force_login(member)
    html = client.get(URL, headers={"accept-language": "es"}).content.decode()
    assert "Acceso al empleo y colocación" in html


# --- Colours --------------------------------------------------------------------------


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_numbers_on_the_tiles_meet_aa_contrast():
    for fill, text in SCALE:
        assert contrast(fill, text) >= 4.5, (fill, text)


def test_tile_edges_and_gap_hatching_stand_out_from_the_page():
    assert contrast(TILE_EDGE, "#ffffff") >= 3
    assert contrast(GAP_INK, "#ffffff") >= 3


def test_the_colour_scale_gets_darker_with_more_organizations():
    assert all(luminance(a[0]) > luminance(b[0]) for a, b in pairwise(SCALE))


def test_the_legend_covers_every_count_once():
    assert [entry.text for entry in legend(3)] == ["1", "2", "3"]
    assert [entry.text for entry in legend(8)] == ["1\u20132", "3\u20134", "5\u20136", "7\u20138"]
    assert [entry.text for entry in legend(5)][-1].endswith("5")
    assert legend(0) == []


# --- Who may see it ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_person_without_an_organization_is_refused(client, user):
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_a_member_of_an_inactive_organization_is_refused(client):
    client.force_login(member_of(OrganizationFactory(status=Status.INACTIVE)))
    assert client.get(URL).status_code == 403


def test_staff_see_the_map(client, staff):
    sign_in_with_second_factor(client, staff)
    assert client.get(URL).status_code == 200


# --- Cost -------------------------------------------------------------------------------


def add_organizations(n: int) -> None:
    """n active organizations spread over stages, counties and sides."""
    stages = list(Stage.objects.all())
    counties = list(County.objects.all())
    start = Organization.objects.count()
    organizations = Organization.objects.bulk_create(
        Organization(
            name=f"Org {start + i}",
            slug=f"org-{start + i}",
            sector=Organization.Sector.NONPROFIT,
            side=Side.values[i % 3],
        )
        for i in range(n)
    )
    StageLink = Organization.stages.through
    CountyLink = Organization.counties.through
    StageLink.objects.bulk_create(
        StageLink(organization=org, stage=stages[(i + k) % len(stages)])
        for i, org in enumerate(organizations)
        for k in range(1 + i % 2)
    )
    CountyLink.objects.bulk_create(
        CountyLink(organization=org, county=counties[(i * 3 + k) % len(counties)])
        for i, org in enumerate(organizations)
        for k in range(1 + i % 3)
    )


def queries_for_the_page(client) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(URL)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_page_runs_the_same_queries_for_10_and_200_organizations(client):
    person = UserFactory()
    add_organizations(10)
    Organization.objects.get(slug="org-0").memberships.create(user=person)
    client.force_login(person)
    small = queries_for_the_page(client)
    add_organizations(190)
    assert Organization.objects.active().count() == 200
    large = queries_for_the_page(client)
    assert small == large
    assert build_map().organization_count == 200


# --- In a real browser ---------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "viewport",
    [{"width": 390, "height": 844}, {"width": 1280, "height": 900}],
    ids=["phone", "desktop"],
)
def test_the_page_fits_a_phone_and_passes_axe(browser, live_server, viewport):
    from axe_playwright_python.sync_playwright import Axe
    from django.apps import apps

    # An earlier transactional test's flush removes the rows of the data
    # migration; its seeding is idempotent, so run it again.
    importlib.import_module("circle.migrations.0004_stages_and_counties").seed(apps, None)
    add_organizations(40)
    person = UserFactory()
    Organization.objects.get(slug="org-0").memberships.create(user=person)
    context = signed_in_context(browser, live_server, person, viewport=viewport)
    page = context.new_page()
    try:
        page.goto(live_server.url + URL)
        # Only the tables scroll sideways, never the page.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        picture = page.locator("svg.continuum-picture").bounding_box()
        assert picture is not None and picture["width"] <= viewport["width"]
        violations = [
            f"{v['id']} ({v['impact']})"
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not violations
    finally:
        context.close()
