"""The research library's pages checked by axe-core in a real browser, in
English and Spanish, on a desktop and a phone: no serious or critical
violation. Also: the search updates in place and stays keyboard-usable."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from playwright.sync_api import expect

from circle.models import Membership
from research.models import Resource
from tests.browsing import LANGUAGE_WIDTHS, audit, page_context
from tests.factories import OrganizationFactory, member_of
from tests.research.factories import ResourceFactory, pdf_bytes, research_setup  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def library():
    organization = OrganizationFactory(stages=["job-access"], counties=["fulton"])
    admin = member_of(organization, Membership.Role.ADMIN)
    for number in range(25):
        resource = ResourceFactory(
            title=f"Transit and jobs study {number}",
            topics=["place-based", "workforce-skills"],
            organizations=[organization],
            visibility=["public", "members", "organization"][number % 3],
            language="es" if number % 5 == 0 else "en",
        )
        resource.tags.create(name=f"transit {number}", slug=f"transit-{number}")
    first = Resource.objects.order_by("pk").first()
    first.file.save("a.pdf", ContentFile(pdf_bytes("Transit corridors")), save=False)
    first.file_type = "pdf"
    first.file_size = first.file.size
    first.save()
    return organization, admin, first


@pytest.mark.parametrize(("language", "viewport"), LANGUAGE_WIDTHS)
def test_library_pages_have_no_serious_accessibility_violation(
    browser, live_server, axe, library, language, viewport
):
    organization, admin, resource = library
    paths = [
        reverse("research:library"),
        reverse("research:search"),
        reverse("research:search") + "?q=transit&topic=place-based",
        reverse("research:search") + "?q=nothing-matches-this",
        reverse("research:topic", args=["place-based"]),
        resource.get_absolute_url(),
        reverse("research:manage_list", args=[organization.slug]),
        reverse("research:manage_add", args=[organization.slug]),
        reverse("research:manage_edit", args=[organization.slug, resource.pk]),
    ]
    context = page_context(browser, live_server, language, viewport, admin)
    problems = audit(context, live_server, axe, paths, language)
    assert not problems, "\n".join(problems)


def test_the_search_updates_in_place_from_the_keyboard(browser, live_server, library):
    _organization, admin, _resource = library
    context = page_context(browser, live_server, "en", "desktop", admin)
    page = context.new_page()
    try:
        page.goto(live_server.url + reverse("research:search"))
        page.locator("#research-q").fill("study 7")
        page.keyboard.press("Enter")
        # htmx swaps the results and pushes the address: no page load.
        expect(page).to_have_url(re.compile(r"q=study"))
        expect(page.locator("#research-results-heading")).to_have_text(re.compile(r"^\s*1 "))
        # The filter counts followed the results, in place.
        assert page.locator("#research-kind option").count() >= 2
        # Paging moves the focus to the new results.
        page.goto(live_server.url + reverse("research:search"))
        page.locator("#research-page-2").focus()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"page=2"))
        expect(page.locator("#research-results-heading")).to_be_focused()
    finally:
        context.close()
