"""A signed-out member following a link to a members-only or invited-only
forum signs in and lands on the forum; a signed-in outsider still gets 404,
and a forum that is not there is 404 for everyone."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from circle.models import Membership
from forums import invitations
from forums.models import Forum
from justop.models import OutboxEmail
from tests.factories import PASSWORD, OrganizationFactory, member_of
from tests.forums.factories import ForumFactory

pytestmark = pytest.mark.django_db


def sign_in_from(client, response, email: str):
    """Follow a redirect to the sign-in page and sign in there, as a person would."""
    assert response.status_code == 302
    location = response["Location"]
    assert urlsplit(location).path == reverse("account_login")
    return client.post(location, {"login": email, "password": PASSWORD})


def test_signed_out_member_signs_in_and_lands_on_the_members_forum(client):
    forum = ForumFactory(audience=Forum.Audience.MEMBERS)
    member = member_of(OrganizationFactory())
    url = forum.get_absolute_url()

    signed_in = sign_in_from(client, client.get(url), member.email)

    assert signed_in.status_code == 302
    assert signed_in["Location"] == url
    page = client.get(signed_in["Location"])
    assert page.status_code == 200
    assert forum.title in page.content.decode()


def test_a_forum_file_and_calendar_file_ask_a_signed_out_person_to_sign_in(client):
    forum = ForumFactory(audience=Forum.Audience.MEMBERS)
    ics = reverse("forums:forum_ics", args=[forum.slug])

    response = client.get(ics)

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")
    assert "next=" in response["Location"]


def test_a_signed_in_outsider_still_gets_not_found(client):
    forum = ForumFactory(audience=Forum.Audience.INVITED)
    client.force_login(member_of(OrganizationFactory()))

    assert client.get(forum.get_absolute_url()).status_code == 404


def test_a_draft_or_missing_forum_is_not_found_for_a_visitor(client):
    draft = ForumFactory(audience=Forum.Audience.MEMBERS, status=Forum.Status.DRAFT)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("forums:detail", args=["no-such-forum"])).status_code == 404


def test_the_sign_in_page_does_not_send_anyone_to_another_site(client):
    member = member_of(OrganizationFactory())
    login = reverse("account_login") + "?next=https://evil.example.com/"

    response = client.post(login, {"login": member.email, "password": PASSWORD})

    assert response.status_code == 302
    assert "evil.example.com" not in response["Location"]


def test_a_signed_out_invitee_follows_the_invitation_email_to_the_forum(client):
    forum = ForumFactory(audience=Forum.Audience.INVITED)
    invitee = member_of(OrganizationFactory(), role=Membership.Role.MEMBER)
    invitations.invite(forum, people=[invitee])
    invitations.send_invitations(forum.pk)
    email = OutboxEmail.objects.get(kind=invitations.KIND, recipient=invitee.email)
    link = urlsplit(email.context["forum_url"])

    signed_in = sign_in_from(client, client.get(link.path), invitee.email)

    assert signed_in["Location"] == link.path
    assert client.get(link.path).status_code == 200


def test_someone_invited_without_an_account_gets_a_page_without_sign_in(client):
    forum = ForumFactory(audience=Forum.Audience.INVITED)
    invitations.invite(forum, emails=["neighbor@example.org"])
    invitations.send_invitations(forum.pk)
    email = OutboxEmail.objects.get(kind=invitations.KIND, recipient="neighbor@example.org")

    assert client.get(urlsplit(email.context["forum_url"]).path).status_code == 200
