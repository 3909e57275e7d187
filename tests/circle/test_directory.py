"""The member directory: members search and filter the active organizations
of the Circle; the URL holds the search; htmx swaps only the results."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import slugify

from circle.models import County, Expertise, Membership, Organization, Stage
from tests.browsing import signed_in_context
from tests.factories import UserFactory, sign_in_with_second_factor

URL = reverse("circle:directory")
HTMX = {"HTTP_HX_REQUEST": "true"}
Sector = Organization.Sector
Side = Organization.Side
Status = Organization.Status


@pytest.fixture(autouse=True)
def continuum(db):
    """The stages and counties of the data migration. A transactional test
    elsewhere may have flushed them; the seeding is idempotent."""
    importlib.import_module("circle.migrations.0004_stages_and_counties").seed(apps, None)


def make_org(
    name: str,
    *,
    sector: str = Sector.NONPROFIT,
    side: str = Side.SUPPLY,
    status: str = Status.ACTIVE,
    mission: str = "",
    stages: tuple[str, ...] = (),
    counties: tuple[str, ...] = (),
    expertise: tuple[str, ...] = (),
    logo: str = "",
) -> Organization:
    org = Organization.objects.create(
        name=name,
        slug=slugify(name),
        sector=sector,
        side=side,
        status=status,
        mission=mission,
        logo=logo,
    )
    org.stages.set(Stage.objects.filter(key__in=stages))
    org.counties.set(County.objects.filter(key__in=counties))
    org.expertise.set(
        [
            Expertise.objects.get_or_create(slug=slugify(t), defaults={"name": t})[0]
            for t in expertise
        ]
    )
    return org


@pytest.fixture
def home(db):
    """The organization of the member browsing: active, and unlike the others
    (philanthropy, demand side, nothing else stated) so tests can tell it apart."""
    return make_org("Home Foundation", sector=Sector.PHILANTHROPY, side=Side.DEMAND)


@pytest.fixture
def member(home):
    person = UserFactory()
    Membership.objects.create(user=person, organization=home)
    return person


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def circle(home):
    """A small Circle with an organization of every kind the filters tell apart."""
    return {
        "academy": make_org(
            "Atlanta Skills Academy",
            sector=Sector.EDUCATION,
            side=Side.SUPPLY,
            mission="Training adults for skilled trades.",
            stages=("education-training", "workforce-readiness"),
            counties=("fulton", "dekalb"),
            expertise=("Apprenticeships", "Adult education"),
        ),
        "builders": make_org(
            "Peach State Builders",
            sector=Sector.BUSINESS,
            side=Side.DEMAND,
            mission="A construction company hiring locally.",
            stages=("job-access",),
            counties=("cobb",),
            expertise=("Construction",),
        ),
        "bridge": make_org(
            "Bridge to Work",
            sector=Sector.NONPROFIT,
            side=Side.BOTH,
            mission="Connecting job seekers and employers across the region.",
            stages=("job-access", "retention-advancement"),
            counties=("fulton", "clayton"),
            expertise=("Job placement",),
        ),
        "county": make_org(
            "Clayton County Workforce Board",
            sector=Sector.GOVERNMENT,
            side=Side.BOTH,
            stages=("workforce-readiness",),
            counties=("clayton",),
        ),
    }


def names(response) -> list[str]:
    return [org.name for org in response.context["page"].object_list]


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


# --- Who may look -----------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_it_refuses_a_signed_in_person_without_an_organization(client, user):
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_it_refuses_a_person_whose_only_organization_is_inactive(client, db):
    person = UserFactory()
    gone = make_org("Gone Org", status=Status.INACTIVE)
    Membership.objects.create(user=person, organization=gone)
    client.force_login(person)
    assert client.get(URL).status_code == 403


def test_it_opens_to_members_and_staff(client, member, staff):
    client.force_login(member)
    assert client.get(URL).status_code == 200
    sign_in_with_second_factor(client, staff)
    assert client.get(URL).status_code == 200


def test_it_refuses_htmx_requests_the_same_way(client, user):
    assert client.get(URL, **HTMX).status_code == 302
    client.force_login(user)
    assert client.get(URL, **HTMX).status_code == 403


# --- What is listed ---------------------------------------------------------------


def test_it_lists_active_organizations_only_by_name(member_client, circle):
    make_org("Applicant Org", status=Status.APPLICANT)
    make_org("Inactive Org", status=Status.INACTIVE)
    assert names(get(member_client)) == [
        "Atlanta Skills Academy",
        "Bridge to Work",
        "Clayton County Workforce Board",
        "Home Foundation",
        "Peach State Builders",
    ]


def test_inactive_organizations_stay_out_whatever_the_filter(member_client, circle):
    make_org("Dormant Academy", status=Status.INACTIVE, sector=Sector.EDUCATION)
    make_org("Applicant Academy", status=Status.APPLICANT, sector=Sector.EDUCATION)
    assert names(get(member_client, q="academy", sector="education")) == ["Atlanta Skills Academy"]


def test_each_organization_shows_what_a_member_needs_to_know(member_client, circle):
    make_org("Logo Org", sector=Sector.COMMUNITY, side=Side.BOTH, logo="logos/logo-org.png")
    html = get(member_client).content.decode()
    academy = circle["academy"]
    assert f'href="{academy.get_absolute_url()}">Atlanta Skills Academy</a>' in html
    assert "Education · Talent supply" in html
    assert "Education &amp; training, Soft skills &amp; workforce readiness" in html
    assert "DeKalb, Fulton" in html
    assert '<li class="badge">Adult education</li><li class="badge">Apprenticeships</li>' in html
    # The logo sits beside the heading that names the organization, so a
    # screen reader hears the name once: the image is decorative.
    logo = re.search(
        r"<img [^>]*logo-org\.png[^>]*>\s*<div>\s*<h3 [^>]*><a [^>]*>([^<]*)</a>", html
    )
    assert logo
    assert 'alt=""' in logo.group()
    assert logo.group(1) == "Logo Org"
    assert 'width="56"' in logo.group()
    assert 'height="56"' in logo.group()
    # No logo, no image.
    assert html.count("<img ") == 1


def test_names_and_missions_are_escaped(member_client, home):
    make_org("<b>Bold</b> Org", mission="<script>alert(1)</script>")
    html = get(member_client).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; Org" in html
    assert "<script>alert(1)" not in html


def test_it_says_how_many_organizations_match(member_client, circle):
    html = get(member_client, county="clayton").content.decode()
    assert re.search(r"<h2[^>]*>2 organizations</h2>", html)
    html = get(member_client, county="cobb").content.decode()
    assert re.search(r"<h2[^>]*>1 organization</h2>", html)


def test_it_says_so_when_nothing_matches(member_client, circle):
    response = get(member_client, q="submarines")
    assert names(response) == []
    html = response.content.decode()
    assert "0 organizations" in html
    assert "No organization matches these filters" in html
    assert f'<a href="{URL}">Show all organizations</a>' in html


# --- Filters ----------------------------------------------------------------------


def test_it_filters_by_sector(member_client, circle):
    assert names(get(member_client, sector="business")) == ["Peach State Builders"]
    assert names(get(member_client, sector="government")) == ["Clayton County Workforce Board"]


def test_it_filters_by_continuum_stage(member_client, circle):
    assert names(get(member_client, stage="job-access")) == [
        "Bridge to Work",
        "Peach State Builders",
    ]
    assert names(get(member_client, stage="entrepreneurship")) == []


def test_it_filters_by_county(member_client, circle):
    assert names(get(member_client, county="fulton")) == [
        "Atlanta Skills Academy",
        "Bridge to Work",
    ]


def test_it_filters_by_area_of_expertise(member_client, circle):
    assert names(get(member_client, expertise="construction")) == ["Peach State Builders"]


def test_talent_supply_includes_organizations_serving_both_sides(member_client, circle):
    assert names(get(member_client, side="supply")) == [
        "Atlanta Skills Academy",
        "Bridge to Work",
        "Clayton County Workforce Board",
    ]


def test_employer_demand_includes_organizations_serving_both_sides(member_client, circle):
    assert names(get(member_client, side="demand")) == [
        "Bridge to Work",
        "Clayton County Workforce Board",
        "Home Foundation",
        "Peach State Builders",
    ]


def test_both_sides_means_organizations_serving_both(member_client, circle):
    assert names(get(member_client, side="both")) == [
        "Bridge to Work",
        "Clayton County Workforce Board",
    ]


def test_filters_combine(member_client, circle):
    assert names(get(member_client, county="clayton", side="supply")) == [
        "Bridge to Work",
        "Clayton County Workforce Board",
    ]
    assert names(get(member_client, county="clayton", side="supply", stage="job-access")) == [
        "Bridge to Work"
    ]
    assert names(get(member_client, county="clayton", sector="government", q="workforce")) == [
        "Clayton County Workforce Board"
    ]
    assert names(get(member_client, county="cobb", side="supply")) == []


def test_a_filter_with_several_matching_values_lists_an_organization_once(member_client, circle):
    response = get(member_client, county="fulton", stage="job-access", side="both")
    assert names(response) == ["Bridge to Work"]
    assert response.context["page"].paginator.count == 1


# --- Search -----------------------------------------------------------------------


def test_search_finds_a_name_whatever_the_case(member_client, circle):
    assert names(get(member_client, q="PEACH state")) == ["Peach State Builders"]


def test_search_finds_words_of_a_mission(member_client, circle):
    assert names(get(member_client, q="construction company")) == ["Peach State Builders"]
    assert names(get(member_client, q="skilled")) == ["Atlanta Skills Academy"]


def test_search_finds_an_area_of_expertise(member_client, circle):
    assert names(get(member_client, q="apprenticeship")) == ["Atlanta Skills Academy"]


def test_search_needs_every_word_somewhere(member_client, circle):
    # "bridge" is in a name, "placement" in that organization's expertise.
    assert names(get(member_client, q="bridge placement")) == ["Bridge to Work"]
    assert names(get(member_client, q="bridge construction")) == []


def test_search_lists_an_organization_once_when_several_tags_match(member_client, circle):
    response = get(member_client, q="a")
    assert len(names(response)) == len(set(names(response)))
    assert response.context["page"].paginator.count == len(names(response))


def test_search_treats_wildcards_as_plain_characters(member_client, circle):
    assert names(get(member_client, q="%")) == []
    assert names(get(member_client, q="_")) == []


# --- Bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"sector": "pirates"},
        {"stage": "no-such-stage"},
        {"side": "sideways"},
        {"county": "atlantis"},
        {"expertise": "nothing-like-it"},
        {"sector": ["business", "pirates"]},
        {"q": "x" * 5000},
    ],
)
def test_unknown_values_are_left_out_with_a_notice(member_client, circle, params):
    response = get(member_client, **params)
    assert names(response) == names(get(member_client))
    assert "Some filters could not be used and were left out" in response.content.decode()
    assert response.context["form"].errors


def test_an_unknown_value_does_not_undo_the_known_ones(member_client, circle):
    assert names(get(member_client, county="atlantis", sector="business")) == [
        "Peach State Builders"
    ]


@pytest.mark.parametrize("page", ["abc", "-1", "0", "999", "1e9", ""])
def test_a_strange_page_number_still_shows_a_page(member_client, circle, page):
    response = get(member_client, page=page)
    assert response.context["page"].number == 1


def test_an_htmx_request_with_unknown_values_does_not_fail(member_client, circle):
    response = member_client.get(URL, {"stage": "nope", "page": "x"}, **HTMX)
    assert response.status_code == 200


# --- The URL is the search --------------------------------------------------------


def test_the_page_reached_by_a_url_shows_its_filters_selected(member_client, circle):
    html = get(
        member_client,
        q="work",
        sector="nonprofit",
        stage="job-access",
        side="supply",
        county="fulton",
        expertise="job-placement",
    ).content.decode()
    assert re.search(r'<input type="search" name="q" value="work"', html)
    assert '<option value="nonprofit" selected>Nonprofit</option>' in html
    assert '<option value="job-access" selected>Job access &amp; placement</option>' in html
    assert '<option value="fulton" selected>Fulton</option>' in html
    assert '<option value="job-placement" selected>Job placement</option>' in html
    assert re.search(r'<input type="radio" name="side" value="supply"[^>]* checked>', html)


def test_the_form_is_a_plain_get_form_with_filter_and_clear(member_client, circle):
    html = get(member_client, sector="business").content.decode()
    form = re.search(r'<form id="directory-filters"[^>]*>', html).group()
    assert 'method="get"' in form
    assert f'action="{URL}"' in form
    assert '<button type="submit">Filter</button>' in html
    assert f'<a class="button button-secondary" href="{URL}">Clear</a>' in html
    assert '<aside class="filters"' in html
    assert 'class="layout-sidebar"' in html


def test_the_expertise_filter_offers_tags_of_active_organizations_only(member_client, circle):
    make_org("Quiet Org", status=Status.INACTIVE, expertise=("Beekeeping",))
    html = get(member_client).content.decode()
    assert ">Construction</option>" in html
    assert "Beekeeping" not in html


# --- Pages ------------------------------------------------------------------------


@pytest.fixture
def many(home):
    """45 nonprofits in Fulton and 5 businesses: three pages of nonprofits."""
    fulton = County.objects.get(key="fulton")
    orgs = Organization.objects.bulk_create(
        [
            Organization(name=f"Fulton Nonprofit {n:02}", slug=f"fulton-{n:02}", side=Side.SUPPLY)
            for n in range(45)
        ]
        + [
            Organization(name=f"Business {n}", slug=f"business-{n}", sector=Sector.BUSINESS)
            for n in range(5)
        ]
    )
    Organization.counties.through.objects.bulk_create(
        [Organization.counties.through(organization=o, county=fulton) for o in orgs[:45]]
    )


def test_results_come_twenty_to_a_page(member_client, many):
    response = get(member_client, county="fulton")
    assert names(response) == [f"Fulton Nonprofit {n:02}" for n in range(20)]
    assert response.context["page"].paginator.num_pages == 3
    assert "Page 1 of 3" in response.content.decode()
    last = get(member_client, county="fulton", page=3)
    assert names(last) == [f"Fulton Nonprofit {n:02}" for n in range(40, 45)]


def test_page_links_keep_the_filters(member_client, many):
    html = get(member_client, county="fulton", side="supply", q="nonprofit", page=2)
    html = html.content.decode()
    nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group()
    links = re.findall(r'href="([^"]+)"', nav)
    assert links == [
        "?county=fulton&amp;side=supply&amp;q=nonprofit&amp;page=1",
        "?county=fulton&amp;side=supply&amp;q=nonprofit&amp;page=1",
        "?county=fulton&amp;side=supply&amp;q=nonprofit&amp;page=3",
        "?county=fulton&amp;side=supply&amp;q=nonprofit&amp;page=3",
    ]
    assert '<span aria-current="page"><span class="visually-hidden">Page </span>2</span>' in nav


def test_page_links_also_work_with_htmx(member_client, many):
    html = get(member_client, county="fulton").content.decode()
    link = re.search(r'<a id="directory-page-next"[^>]*>', html).group()
    assert 'href="?county=fulton&amp;page=2"' in link
    assert 'data-hx-get="?county=fulton&amp;page=2"' in link
    assert 'data-hx-target="#directory-results"' in link
    assert 'data-hx-push-url="true"' in link


def test_following_a_page_link_with_htmx_moves_focus_to_the_new_results(member_client, many):
    html = member_client.get(
        URL, {"county": "fulton", "page": 2}, HTTP_HX_TRIGGER="directory-page-next", **HTMX
    ).content.decode()
    assert re.search(r'<h2 id="directory-results-heading" tabindex="-1" autofocus>', html)
    # Typing in the search box keeps the focus where it is.
    html = member_client.get(
        URL, {"q": "fulton"}, HTTP_HX_TRIGGER="directory-filters", **HTMX
    ).content.decode()
    assert "autofocus" not in html


# --- htmx -------------------------------------------------------------------------


def test_the_form_asks_htmx_to_swap_the_results_and_push_the_url(member_client, circle):
    html = get(member_client).content.decode()
    form = re.search(r'<form id="directory-filters"[^>]*>', html, re.S).group()
    assert f'data-hx-get="{URL}"' in form
    assert 'data-hx-target="#directory-results"' in form
    assert 'data-hx-push-url="true"' in form
    assert "keyup changed delay:400ms from:#directory-q" in form
    assert "change from:(#directory-filters select" in form
    assert "submit" in form
    # Back and Forward ask the server, so the options shown match the URL.
    assert 'data-hx-history="false"' in form
    assert 'id="directory-q"' in html
    assert '<div id="directory-results">' in html


def test_an_htmx_request_gets_only_the_results(member_client, circle):
    response = member_client.get(URL, {"county": "clayton"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<form" not in html
    assert "Bridge to Work" in html
    assert "Peach State Builders" not in html
    assert re.search(r"<h2[^>]*>2 organizations</h2>", html)
    # The live region outside the swapped results gets the count out of band.
    assert '<p id="directory-status" data-hx-swap-oob="innerHTML">2 organizations</p>' in html
    assert "HX-Request" in response["Vary"]


def test_a_plain_request_gets_the_whole_page(member_client, circle):
    response = get(member_client, county="clayton")
    html = response.content.decode()
    assert html.lstrip().startswith("<!doctype html>")
    assert '<form id="directory-filters"' in html
    assert "data-hx-swap-oob" not in html
    assert "{#" not in html
    assert "{%" not in html
    assert re.search(
        r'<p id="directory-status" class="visually-hidden" role="status" aria-live="polite">',
        html,
    )
    assert "HX-Request" in response["Vary"]


def test_htmx_restoring_history_gets_the_whole_page(member_client, circle):
    response = member_client.get(URL, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in response.content.decode()


# --- Constant work ----------------------------------------------------------------


def populate(count: int, start: int = 0) -> None:
    """Organizations with three stages, four counties and two tags each."""
    stages = list(Stage.objects.all())[:3]
    counties = list(County.objects.all())[:4]
    tags = [
        Expertise.objects.get_or_create(slug=f"skill-{n}", defaults={"name": f"Skill {n}"})[0]
        for n in range(2)
    ]
    orgs = Organization.objects.bulk_create(
        [
            Organization(name=f"Org {n:03}", slug=f"org-{n:03}", mission="Good jobs.")
            for n in range(start, start + count)
        ]
    )
    through = Organization.stages.through
    through.objects.bulk_create([through(organization=o, stage=s) for o in orgs for s in stages])
    through = Organization.counties.through
    through.objects.bulk_create([through(organization=o, county=c) for o in orgs for c in counties])
    through = Organization.expertise.through
    through.objects.bulk_create([through(organization=o, expertise=t) for o in orgs for t in tags])


def count_queries(client, params, headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params, **headers)
    assert response.status_code == 200
    assert response.context["page"].object_list
    return len(queries)


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "org skill", "county": "cherokee", "side": "supply", "page": "1"}],
    ids=["everyone", "filtered"],
)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_it_runs_as_many_queries_for_200_organizations_as_for_10(
    member_client, home, params, headers
):
    populate(10)
    few = count_queries(member_client, params, headers)
    populate(190, start=10)
    assert Organization.objects.active().count() == 201
    many = count_queries(member_client, params, headers)
    assert few == many


# --- In a real browser ------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_with_javascript_the_results_follow_the_filters_and_the_url(
    browser, live_server, member, circle, many
):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    context = signed_in_context(browser, live_server, member)
    page = context.new_page()
    try:
        page.goto(live_server.url + URL)
        heading = page.locator("#directory-results-heading")
        assert heading.inner_text() == "55 organizations"

        page.fill("#directory-q", "bridge")  # no Enter: the debounced keyup sends it
        page.locator("#directory-q").press("e")
        page.locator("#directory-q").press("Backspace")
        page.wait_for_url("**q=bridge**")
        assert heading.inner_text() == "1 organization"
        assert page.locator("#directory-status").inner_text() == "1 organization"
        assert page.locator("#directory-results article h3").all_inner_texts() == ["Bridge to Work"]

        page.fill("#directory-q", "")
        page.locator("#directory-q").press("Backspace")
        page.select_option("#directory-county", "fulton")
        page.wait_for_url("**county=fulton**")
        expect(heading).to_have_text("47 organizations")
        page.click("#directory-page-next")
        page.wait_for_url("**page=2**")
        # htmx moves focus to the autofocus element once the new content settles.
        expect(heading).to_be_focused()
        assert page.locator(".pagination [aria-current=page]").inner_text().strip().endswith("2")
        # The page and the fragments it received pass axe.
        violations = [
            v["id"]
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not violations

        # Back: the URL before the page link, its filters shown chosen.
        page.go_back()
        page.wait_for_url(lambda url: "county=fulton" in url and "page=2" not in url)
        expect(heading).to_have_text("47 organizations")
        expect(page.locator("#directory-county")).to_have_value("fulton")
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_form_and_page_links_still_work(
    browser, live_server, member, circle, many
):
    context = signed_in_context(browser, live_server, member, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + URL)
        page.select_option("#directory-county", "fulton")
        page.check("#directory-side input[value=supply]")
        page.get_by_role("button", name="Filter", exact=True).click()
        page.wait_for_url("**county=fulton**")
        assert "side=supply" in page.url
        assert page.inner_text("#directory-results-heading") == "47 organizations"
        page.click("#directory-page-next")
        page.wait_for_url("**page=2**")
        assert "county=fulton" in page.url
        assert page.input_value("#directory-county") == "fulton"
        page.get_by_role("link", name="Clear", exact=True).click()
        page.wait_for_url(live_server.url + URL)
        assert page.inner_text("#directory-results-heading") == "55 organizations"
    finally:
        context.close()
