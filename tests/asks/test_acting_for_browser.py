"""On a 390 px phone, without JavaScript, a person in two organizations sees
both "Post as …" buttons without scrolling sideways, and the button pressed
is the organization the post is for; axe finds no serious violation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from asks.models import Post
from circle.models import Membership
from tests.browsing import VIEWPORTS, serious_violations, signed_in_context
from tests.factories import OrganizationFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_button_pressed_on_a_phone_is_the_organization_posted_for(browser, live_server, axe):
    first = OrganizationFactory(name="Atlanta Regional Workforce Development Partnership")
    second = OrganizationFactory(name="Westside Future Fund for Neighborhood Employment")
    person = member_of(first)
    Membership.objects.create(user=person, organization=second)
    url = live_server.url + reverse("asks:post_create")
    context = signed_in_context(browser, live_server, person, viewport=VIEWPORTS["phone"])
    try:
        page = context.new_page()
        page.goto(url)
        assert not serious_violations(axe, page, "post form")
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
    finally:
        context.close()
    context = signed_in_context(
        browser, live_server, person, viewport=VIEWPORTS["phone"], java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(url)
        other = page.get_by_role("button", name=f"Post as {second.name}")
        box = other.bounding_box()
        assert box is not None and box["x"] >= 0
        assert box["x"] + box["width"] <= VIEWPORTS["phone"]["width"]
        page.get_by_role("radio", name="Offer", exact=True).check()
        page.get_by_label("Title (English)").fill("Door-to-door outreach in Vine City")
        page.get_by_label("Description (English)").fill("We knock on doors and tell residents.")
        page.get_by_role("radio", name="Talent supply").check()
        page.get_by_role("radio", name="All members of the Circle").check()
        with page.expect_navigation():
            other.click()
        assert Post.objects.get().organization == second
    finally:
        context.close()
