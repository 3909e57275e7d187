"""Look and layout of the main pages in a real browser, in English and
Spanish, on a phone (390 px) and a desktop (1280 px): nothing scrolls
sideways, the page's main action is on screen, axe finds no violation at all,
and on a desktop the content column is wider than its details box."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from circle.models import Membership
from tests.asks.factories import PostFactory
from tests.browsing import page_context
from tests.factories import OrganizationFactory, member_of
from tests.forums.factories import AgendaItemFactory, ForumFactory
from tests.research.factories import ResourceFactory, pdf_bytes, research_setup  # noqa: F401
from tests.volunteering.factories import ShiftFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES_AND_VIEWPORTS = [
    (language, viewport) for language in ("en", "es") for viewport in ("phone", "desktop")
]


@dataclass
class Place:
    """A page and the selectors of its main actions (each must match), as
    the admin or as a visitor nobody signed in to sees it."""

    name: str
    path: str
    actions: list[str]
    visitor: bool = False


@pytest.fixture
def places() -> tuple[Any, list[Place]]:
    """The main pages as an admin of an organization with long names sees
    them, the worst case for a narrow screen, and the public ones with their
    visitor's action (register, sign up, download)."""
    organization = OrganizationFactory(
        name="Metropolitan Atlanta Workforce Development Partnership",
        slug="metro-workforce",
        stages=["job-access"],
        counties=["fulton", "dekalb"],
        website="https://www.metropolitan-atlanta-workforce-partnership.example.org/about-us",
        contact_name="Patricia Oyelaran-Whitfield",
        contact_email="partnerships.coordinator@metropolitan-atlanta-workforce.example.org",
    )
    admin = member_of(
        organization,
        Membership.Role.ADMIN,
        title="Director of Employer Partnerships and Apprenticeships",
    )
    for _ in range(2):
        member_of(organization, title="Career navigator")
    PostFactory(
        organization=organization,
        author=admin,
        title="Twenty entry-level advanced-manufacturing technicians for second shifts",
        stages=["job-access"],
        counties=["fulton", "dekalb"],
        expertise=["Advanced manufacturing"],
    )
    shift = ShiftFactory(role="Registration desk and greeting of job seekers")
    forum = ForumFactory(title="Transit, childcare and the first job", hosts=[organization])
    AgendaItemFactory(forum=forum, title="Welcome and introductions", speakers="Pat Staff")
    resource = ResourceFactory(
        title="Second-chance hiring in Metro Atlanta: what employers learned",
        topics=["place-based", "workforce-skills"],
        organizations=[organization],
    )
    resource.file.save("study.pdf", ContentFile(pdf_bytes("Second chances")), save=False)
    resource.file_type = "pdf"
    resource.file_size = resource.file.size
    resource.save()
    resource.tags.create(name="fair-chance employment", slug="fair-chance-employment")

    slug = organization.slug
    manage_members = reverse("circle:manage_members", args=[slug])
    return admin, [
        Place(
            "volunteer opportunity",
            shift.opportunity.get_absolute_url(),
            [f'a[href="{reverse("volunteer:sign_up", args=[shift.opportunity.slug, shift.pk])}"]'],
        ),
        Place(
            "forum detail", forum.get_absolute_url(), ['#rsvp button[name="going"][value="yes"]']
        ),
        Place(
            "research resource",
            resource.get_absolute_url(),
            [f'a[href="{reverse("research:download", args=[resource.slug])}"]'],
        ),
        Place(
            "organization page",
            organization.get_absolute_url(),
            [f'main a[href="{reverse("circle:manage_profile", args=[slug])}"]'],
        ),
        Place(
            "manage members",
            manage_members,
            [
                f'main a[href="{reverse("circle:manage_invitations", args=[slug])}"]',
                f'main td a[href^="{manage_members}"]',
            ],
        ),
        Place(
            "asks board", reverse("asks:board"), [f'main a[href="{reverse("asks:post_create")}"]']
        ),
        Place(
            "manage research",
            reverse("research:manage_list", args=[slug]),
            [f'main a[href="{reverse("research:manage_add", args=[slug])}"]', "main tbody th a"],
        ),
        Place(
            "manage asks and offers",
            reverse("asks:manage_posts", args=[slug]),
            ["main tbody th a"],
        ),
        Place(
            "volunteer opportunity (visitor)",
            shift.opportunity.get_absolute_url(),
            [f'a[href="{reverse("volunteer:sign_up", args=[shift.opportunity.slug, shift.pk])}"]'],
            visitor=True,
        ),
        Place(
            "forum detail (visitor)",
            forum.get_absolute_url(),
            [f'#rsvp a[href="{reverse("forums:register", args=[forum.slug])}"]'],
            visitor=True,
        ),
        Place(
            "research resource (visitor)",
            resource.get_absolute_url(),
            [f'a[href="{reverse("research:download", args=[resource.slug])}"]'],
            visitor=True,
        ),
    ]


def violations(axe: Any, page: Any, where: str) -> list[str]:
    """Every axe violation, whatever its impact (tests/browsing.py keeps only
    the serious ones)."""
    return [
        f"{where}: {violation['id']} ({violation['impact']}) "
        f"{[node['target'] for node in violation['nodes']][:3]}"
        for violation in axe.run(page).response["violations"]
    ]


def layout_problems(page: Any, place: Place) -> list[str]:
    problems = []
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width > inner_width:
        problems.append(f"{place.name}: scrolls sideways, {scroll_width} px in {inner_width} px")
    for selector in place.actions:
        elements = page.locator(selector)
        if not elements.count():
            problems.append(f"{place.name}: no {selector}")
        for element in elements.all():
            box = element.bounding_box()
            if box is None:
                problems.append(f"{place.name}: {selector} is not shown")
            elif box["x"] < 0 or box["x"] + box["width"] > inner_width:
                problems.append(
                    f"{place.name}: {selector} spans {box['x']:.0f}-"
                    f"{box['x'] + box['width']:.0f} px of {inner_width} px"
                )
    return problems


@pytest.mark.parametrize(("language", "viewport"), LANGUAGES_AND_VIEWPORTS)
def test_the_main_pages_fit_the_screen_with_their_action_in_view(
    browser, live_server, axe, places, language, viewport
):
    admin, pages = places
    problems: list[str] = []
    for person in (admin, None):
        context = page_context(browser, live_server, language, viewport, person)
        page = context.new_page()
        try:
            for place in pages:
                if place.visitor != (person is None):
                    continue
                response = page.goto(live_server.url + place.path)
                assert response is not None and response.status == 200, place.name
                assert page.get_attribute("html", "lang") == language, place.name
                problems += layout_problems(page, place)
                problems += violations(axe, page, place.name)
        finally:
            context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "es"])
def test_on_a_phone_the_members_table_is_titled_across_its_rows(
    browser, live_server, places, language
):
    admin, pages = places
    (members,) = [place for place in pages if place.name == "manage members"]
    context = page_context(browser, live_server, language, "phone", admin)
    page = context.new_page()
    try:
        page.goto(live_server.url + members.path)
        caption = page.locator("main table caption").bounding_box()
        row = page.locator("main table tbody tr").first.bounding_box()
    finally:
        context.close()
    assert caption and row
    # Before, the caption was squeezed to its longest word (about 120 px)
    # above rows 358 px wide.
    assert caption["width"] >= row["width"] - 1, (caption["width"], row["width"])


@pytest.mark.parametrize("language", ["en", "es"])
def test_on_a_desktop_the_content_is_wider_than_the_details_box(
    browser, live_server, places, language
):
    admin, pages = places
    sidebar_pages = [
        place for place in pages if place.name in ("research resource", "organization page")
    ]
    context = page_context(browser, live_server, language, "desktop", admin)
    page = context.new_page()
    problems = []
    try:
        for place in sidebar_pages:
            page.goto(live_server.url + place.path)
            content = page.locator(".layout-sidebar > :not(.filters)").first.bounding_box()
            side = page.locator(".layout-sidebar > .filters").first.bounding_box()
            assert content and side, place.name
            if not content["width"] > side["width"]:
                problems.append(
                    f"{place.name}: content {content['width']:.0f} px, "
                    f"details {side['width']:.0f} px"
                )
            if side["x"] < content["x"] + content["width"]:
                problems.append(f"{place.name}: the details box is not beside the content")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
