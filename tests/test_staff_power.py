"""Staff power counts only after a second factor in this session.

The attack: a staff account whose password alone was used (its authenticator
set up, but not asked for in this session) opened another organization's
manage pages, sent invitations from them, read a conversation between two
other organizations and opened organization-only, invited-only and draft
content. Each of those answers as it would to any signed-in person, and
opens once the same session gives its code.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from asks import services
from circle.models import Invitation
from forums.models import Forum, Material
from research.models import Resource
from tests.asks.factories import PostFactory
from tests.factories import (
    OrganizationFactory,
    StaffFactory,
    member_of,
    sign_in_with_second_factor,
)
from tests.forums.factories import ForumFactory
from tests.research.factories import ResourceFactory, research_setup  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def others():
    """Two organizations, and what belongs to them or is closed to most."""
    org_a = OrganizationFactory()
    org_b = OrganizationFactory()
    ask = PostFactory(
        organization=org_a, author=member_of(org_a), shared_with=[org_b], title="Mentors wanted"
    )
    conversation = services.respond(
        ask, organization=org_b, author=member_of(org_b), body="We can lend two mentors."
    ).conversation
    private_report = ResourceFactory(
        visibility=Resource.Visibility.ORGANIZATION, organizations=[org_a]
    )
    draft = ResourceFactory(status=Resource.Status.DRAFT)
    invited_forum = ForumFactory(audience=Forum.Audience.INVITED)
    slides = Material.objects.create(
        forum=invited_forum, title="Slides", file="forums/materials/slides.pdf"
    )
    return {
        "manage": reverse("circle:manage_members", kwargs={"slug": org_a.slug}),
        "invite": reverse("circle:manage_invitations", kwargs={"slug": org_a.slug}),
        "conversation": reverse(
            "asks:conversation", kwargs={"pk": ask.pk, "conversation_pk": conversation.pk}
        ),
        "private_report": reverse("research:resource", kwargs={"slug": private_report.slug}),
        "draft": reverse("research:resource", kwargs={"slug": draft.slug}),
        "materials": reverse(
            "forums:material", kwargs={"slug": invited_forum.slug, "pk": slides.pk}
        ),
    }


# What a signed-in person without an organization gets: not found, or for
# pages of members only, refused.
WITHOUT_POWER = {
    "manage": 404,
    "invite": 404,
    "conversation": 403,
    "private_report": 404,
    "draft": 404,
}
PAGES = tuple(WITHOUT_POWER)


@pytest.mark.parametrize("page", PAGES)
def test_a_password_alone_gives_a_staff_account_no_staff_power(client, others, page):
    client.force_login(StaffFactory())
    assert client.get(others[page]).status_code == WITHOUT_POWER[page]


def test_a_password_alone_does_not_make_a_staff_account_a_member(client):
    client.force_login(StaffFactory())
    assert client.get(reverse("circle:directory")).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_the_same_session_holds_staff_power_once_it_gave_its_code(client, others, page):
    sign_in_with_second_factor(client, StaffFactory())
    assert client.get(others[page]).status_code == 200


def test_a_password_alone_cannot_send_invitations_for_an_organization(client, others):
    client.force_login(StaffFactory())
    response = client.post(others["invite"], {"emails": "someone@example.org", "role": "member"})
    assert response.status_code == 404
    assert not Invitation.objects.filter(email="someone@example.org").exists()


def test_invited_only_materials_need_the_second_factor(client, others):
    client.force_login(StaffFactory())
    assert client.get(others["materials"]).status_code == 404


def test_check_in_asks_a_staff_account_for_its_code_first(client):
    forum = ForumFactory()
    client.force_login(StaffFactory())
    response = client.get(reverse("forums:checkin", kwargs={"slug": forum.slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_staff_links_on_a_forum_show_only_with_staff_power(client):
    forum = ForumFactory()
    checkin = reverse("forums:checkin", kwargs={"slug": forum.slug})
    staff = StaffFactory()
    client.force_login(staff)
    assert checkin not in client.get(forum.get_absolute_url()).content.decode()
    sign_in_with_second_factor(client, staff)
    assert checkin in client.get(forum.get_absolute_url()).content.decode()
