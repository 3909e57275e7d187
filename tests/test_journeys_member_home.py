"""A member's first minutes, in a real browser (tests/journeys.py: English on a
desktop with JavaScript, Spanish on a phone without it; axe on every page):
a link to a members-only forum leads a signed-out member to sign in and back
to the forum; their home then shows that forum and a new offer that fits
their organization's ask, with the reason; a person in two organizations
replies for the one they choose, and the conversation names it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from asks.models import Conversation
from forums.models import Forum
from tests.asks.factories import PostFactory, offer
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, member_of
from tests.forums.factories import ForumFactory, registered
from tests.journeys import VARIANTS
from tests.journeys import portal as portal  # the fixture
from tests.test_journeys_members import (
    VARIANT_NAMES,
    field,
    follow,
    in_menu,
    open_journey,
    sign_in_with_password,
    tr,
    with_session_of,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize(VARIANT_NAMES, VARIANTS)
def test_a_member_signs_in_from_a_forum_link_and_finds_their_forum_and_a_new_match_at_home(
    browser: Any, portal: Any, axe: Any, language: str, viewport: str, javascript: bool
) -> None:
    ours = OrganizationFactory(name=f"Peachtree Manufacturing {language}")
    theirs = OrganizationFactory(name=f"Fulton Skills Center {language}")
    member = member_of(ours, user__language=language)
    forum = ForumFactory(
        title=f"Members forum on second-chance hiring ({language})",
        audience=Forum.Audience.MEMBERS,
    )
    registered(forum, member)
    ask = PostFactory(
        organization=ours,
        title=f"Twenty welders for a new line ({language})",
        stages=["job-access"],
        counties=["fulton"],
    )
    fitting = offer(
        organization=theirs,
        title=f"Welding graduates ready in spring ({language})",
        stages=["job-access"],
        counties=["fulton"],
    )
    trip = open_journey(browser, portal, axe, (language, viewport, javascript))
    page = trip.page

    # The link in a colleague's message: sign in first, then the forum itself.
    page.goto(trip.url(forum.get_absolute_url()))
    assert trip.path.startswith(reverse("account_login") + "?next=")
    trip.settle()
    sign_in_with_password(trip, member.email, PASSWORD)
    assert trip.path == forum.get_absolute_url()
    expect(page.get_by_role("heading", level=1)).to_have_text(forum.title)

    # Home: the next forum with the place, and the offer that fits the ask.
    follow(trip, in_menu(trip, "link", tr(language, "My home")))
    assert trip.path == reverse("circle:member_home")
    forums = page.get_by_role("region", name=tr(language, "Your next forums"))
    expect(forums.get_by_role("link", name=forum.title)).to_be_visible()
    expect(forums).to_contain_text(tr(language, "Place confirmed"))
    asks = page.get_by_role("region", name=tr(language, "Asks & offers"))
    expect(asks.get_by_role("link", name=fitting.title, exact=False)).to_be_visible()
    with translation.override(language):
        supply, demand = str(theirs.Side.SUPPLY.label), str(theirs.Side.DEMAND.label)
    expect(asks).to_contain_text(ask.title)
    expect(asks).to_contain_text(supply.lower())
    expect(asks).to_contain_text(demand.lower())

    # The match opens the offer.
    follow(trip, asks.get_by_role("link", name=fitting.title, exact=False))
    assert trip.path == fitting.get_absolute_url()
    trip.finish()


@pytest.mark.parametrize(VARIANT_NAMES, VARIANTS)
def test_a_person_in_two_organizations_replies_for_the_one_they_choose(
    browser: Any, portal: Any, axe: Any, language: str, viewport: str, javascript: bool
) -> None:
    first = OrganizationFactory(name=f"Atlanta Careers Alliance {language}")
    second = OrganizationFactory(name=f"Westside Works {language}")
    poster = OrganizationFactory(name=f"Metro Transit Employers {language}")
    person = member_of(first, user__language=language)
    MembershipFactory(user=person, organization=second)
    ask = PostFactory(organization=poster, title=f"Bus operators to train ({language})")
    trip = with_session_of(
        open_journey(browser, portal, axe, (language, viewport, javascript)), person
    )
    page = trip.page

    trip.goto(ask.get_absolute_url())
    page.get_by_label(field(tr(language, "Your message"))).fill("Our graduates can start in May.")
    # One button per organization: the second one, not the first alphabetically.
    for organization in (first, second):
        expect(
            page.get_by_role(
                "button",
                name=tr(language, "Reply as %(organization)s", organization=organization.name),
            )
        ).to_be_visible()
    follow(
        trip,
        page.get_by_role(
            "button", name=tr(language, "Reply as %(organization)s", organization=second.name)
        ),
    )
    thread = Conversation.objects.get(post=ask)
    assert thread.organization == second
    assert trip.path == thread.get_absolute_url()
    expect(page.get_by_text("Our graduates can start in May.")).to_be_visible()
    expect(page.locator("main")).to_contain_text(second.name)
    trip.finish()
