"""Inviting people into an organization and accepting, end to end: the
admin's page, the email at a real SMTP server, the link, the new account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from circle import invitations
from circle.models import Invitation, Membership, User
from justop.models import OutboxEmail, Suppression
from tests.factories import OrganizationFactory, UserFactory, member_of
from tests.smtp import html_of, text_of

PASSWORD = "a-long-passphrase-2026"


@pytest.fixture
def org(transactional_db):
    return OrganizationFactory(name="Westside Works", slug="westside-works")


@pytest.fixture
def admin_client(client, org):
    client.force_login(member_of(org, Membership.Role.ADMIN))
    return client


def link_in(message) -> str:
    match = re.search(r"https?://[^\s\"<>]+/invitations/[^\s\"<>]+/", text_of(message))
    assert match, text_of(message)
    return match.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_an_invitation_walks_from_the_admin_to_a_new_member(admin_client, org, smtp_sink):
    response = admin_client.post(
        reverse("circle:manage_invitations", args=[org.slug]),
        {"emails": "Rosa@Example.org", "role": "member"},
        follow=True,
    )
    assert "1 invitation is on its way." in response.content.decode()

    # The email, in the site's layout, with a link that works once.
    [message] = smtp_sink.to("rosa@example.org")
    assert "Westside Works" in message["Subject"]
    assert message["List-Unsubscribe"]  # invitations can be declined for good
    url = link_in(message)
    assert url in html_of(message)

    visitor = Client()
    page = visitor.get(path_of(url))
    assert page.status_code == 200
    assert "Create my account and join" in page.content.decode()
    joined = visitor.post(
        path_of(url),
        {"name": "Rosa Parks", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert joined.status_code == 302 and joined["Location"] == org.get_absolute_url()

    rosa = User.objects.get(email="rosa@example.org")
    assert rosa.name == "Rosa Parks" and rosa.check_password(PASSWORD)
    # They proved they own the address by following the link.
    assert EmailAddress.objects.get(user=rosa).verified is True
    assert Membership.objects.get(user=rosa, organization=org).role == "member"
    # Signed in, on the organization's page.
    assert visitor.get(org.get_absolute_url()).context["user"] == rosa

    # The same link cannot be used again.
    again = Client().get(path_of(url))
    assert again.status_code == 410
    assert "already used" in again.content.decode()


def test_an_expired_link_says_so(org, client, smtp_sink):
    invitations.invite(org, ["late@example.org"], "member", by=None)
    url = link_in(smtp_sink.to("late@example.org")[0])
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    response = client.get(path_of(url))
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    assert not User.objects.filter(email="late@example.org").exists()


def test_links_expire_after_seven_days(org):
    invitations.invite(org, ["week@example.org"], "member", by=None)
    invitation = Invitation.objects.get()
    assert (
        timedelta(days=6, hours=23)
        < invitation.expires_at - invitation.created_at
        <= timedelta(days=7)
    )


def test_a_signed_in_person_with_the_invited_address_joins_with_one_click(org, client, smtp_sink):
    person = UserFactory(email="lee@example.org")
    invitations.invite(org, ["lee@example.org"], "admin", by=None)
    url = link_in(smtp_sink.to("lee@example.org")[0])
    client.force_login(person)

    assert "Join Westside Works" in client.get(path_of(url)).content.decode()
    client.post(path_of(url))
    assert Membership.objects.get(user=person, organization=org).role == "admin"


def test_a_person_with_an_account_is_asked_to_sign_in_first(org, client, smtp_sink):
    UserFactory(email="kim@example.org")
    invitations.invite(org, ["kim@example.org"], "member", by=None)
    url = link_in(smtp_sink.to("kim@example.org")[0])

    page = client.get(path_of(url))
    assert page.status_code == 200
    sign_in = page.context["sign_in_url"]
    assert sign_in.startswith(reverse("account_login"))
    assert client.get(sign_in).context["redirect_field_value"] == path_of(url)
    # No account can be created over an existing one.
    client.post(path_of(url), {"name": "X", "password1": PASSWORD, "password2": PASSWORD})
    assert User.objects.filter(email="kim@example.org").count() == 1
    assert not Membership.objects.filter(user__email="kim@example.org").exists()


def test_an_invitation_for_another_address_is_refused_clearly(org, client, smtp_sink):
    invitations.invite(org, ["rosa@example.org"], "member", by=None)
    url = link_in(smtp_sink.to("rosa@example.org")[0])
    someone_else = UserFactory(email="mallory@example.org")
    client.force_login(someone_else)

    response = client.get(path_of(url))
    assert response.status_code == 403
    html = response.content.decode()
    assert "another email address" in html and "mallory@example.org" in html
    client.post(path_of(url))
    assert not Membership.objects.filter(user=someone_else).exists()
    assert Invitation.objects.get().accepted_at is None


def test_reinviting_a_pending_address_sends_no_duplicate(org, smtp_sink):
    first = invitations.invite(org, ["rosa@example.org"], "member", by=None)
    second = invitations.invite(org, ["rosa@example.org", "new@example.org"], "member", by=None)

    assert first.sent == ["rosa@example.org"]
    assert second.already_invited == ["rosa@example.org"]
    assert second.sent == ["new@example.org"]
    assert len(smtp_sink.to("rosa@example.org")) == 1
    assert Invitation.objects.filter(email="rosa@example.org").count() == 1


def test_people_already_in_the_organization_are_not_invited(org, smtp_sink):
    member_of(org, user__email="in@example.org")
    result = invitations.invite(org, ["in@example.org"], "member", by=None)
    assert result.already_members == ["in@example.org"]
    assert smtp_sink.messages == []


def test_resending_draws_a_new_link_and_the_old_one_stops_working(org, client, smtp_sink):
    invitations.invite(org, ["rosa@example.org"], "member", by=None)
    old = link_in(smtp_sink.to("rosa@example.org")[0])
    invitations.resend(Invitation.objects.get())

    messages = smtp_sink.to("rosa@example.org")
    assert len(messages) == 2
    new = link_in(messages[1])
    assert new != old
    assert client.get(path_of(old)).status_code == 410
    assert client.get(path_of(new)).status_code == 200


def test_an_expired_invitation_is_renewed_when_invited_again(org, smtp_sink):
    invitations.invite(org, ["rosa@example.org"], "member", by=None)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    result = invitations.invite(org, ["rosa@example.org"], "member", by=None)

    assert result.sent == ["rosa@example.org"]
    invitation = Invitation.objects.get()
    assert invitation.is_open and invitation.sent_count == 2
    assert len(smtp_sink.to("rosa@example.org")) == 2


def test_a_revoked_invitation_cannot_be_accepted(org, admin_client, smtp_sink):
    invitations.invite(org, ["rosa@example.org"], "member", by=None)
    url = link_in(smtp_sink.to("rosa@example.org")[0])
    invitation = Invitation.objects.get()
    admin_client.post(reverse("circle:revoke_invitation", args=[org.slug, invitation.pk]))

    response = Client().get(path_of(url))
    assert response.status_code == 410
    assert "withdrew" in response.content.decode()


def test_an_address_that_declined_invitations_is_not_invited_again(org, smtp_sink):
    invitations.invite(org, ["rosa@example.org"], "member", by=None)
    message = smtp_sink.to("rosa@example.org")[0]
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    Client(enforce_csrf_checks=True).post(
        path_of(unsubscribe),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    other = OrganizationFactory()
    result = invitations.invite(other, ["rosa@example.org"], "member", by=None)
    assert result.declined_invitations == ["rosa@example.org"]
    assert len(smtp_sink.to("rosa@example.org")) == 1


def test_accepting_an_invitation_lifts_an_earlier_opt_out(org, client, smtp_sink):
    person = UserFactory(email="rosa@example.org")
    invitations.invite(org, ["rosa@example.org"], "member", by=None)
    Suppression.objects.create(email="rosa@example.org", stream=invitations.STREAM)
    invitation = Invitation.objects.get()
    invitations.accept(invitation, person)
    assert not Suppression.objects.filter(email="rosa@example.org").exists()


def test_addresses_come_from_a_pasted_list_and_a_csv_file():
    entries = invitations.read_addresses(
        "ana@example.org, Ben@Example.org; <carl@example.org>\nnot-an-address\nana@example.org",
        b"name,email\nDee,dee@example.org\nEve,eve@example.org\n",
    )
    assert [e.email for e in entries if e.problem is None] == [
        "ana@example.org",
        "ben@example.org",
        "carl@example.org",
        "dee@example.org",
        "eve@example.org",
    ]
    assert [(e.line, e.text, e.problem) for e in entries if e.problem] == [
        (2, "not-an-address", invitations.Problem.INVALID),
        (3, "ana@example.org", invitations.Problem.DUPLICATE),
    ]


def test_a_list_with_a_mistake_is_refused_whole_and_kept_for_correction(admin_client, org):
    response = admin_client.post(
        reverse("circle:manage_invitations", args=[org.slug]),
        {"emails": "ana@example.org\nben(at)example.org", "role": "member"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Line 2: “ben(at)example.org” is not a valid email address." in html
    assert "ana@example.org" in html  # the text is kept
    assert not Invitation.objects.exists()


def test_hundreds_of_invitations_from_a_csv_show_their_progress(admin_client, org, smtp_sink):
    rows = "\n".join(f"Guest {i},guest{i}@example.org" for i in range(300))
    upload = SimpleUploadedFile("people.csv", f"name,email\n{rows}\n".encode(), "text/csv")
    response = admin_client.post(
        reverse("circle:manage_invitations", args=[org.slug]),
        {"emails": "", "csv_file": upload, "role": "member"},
    )
    assert response.status_code == 302
    assert "/manage/invitations/batches/" in response["Location"]
    assert Invitation.objects.filter(organization=org).count() == 300
    assert len(smtp_sink.messages) == 300

    page = admin_client.get(response["Location"])
    assert "300 of 300 invitations sent." in page.content.decode()
    partial = admin_client.get(response["Location"], headers={"HX-Request": "true"})
    assert b"<html" not in partial.content
    assert b"300 of 300" in partial.content


def test_a_batch_in_progress_polls_until_done(org, admin_client, monkeypatch):
    from justop import outbox

    monkeypatch.setattr(outbox.delivery, "enqueue", lambda ids, countdown=None: None)
    result = invitations.invite(org, [f"p{i}@example.org" for i in range(5)], "member", by=None)
    OutboxEmail.objects.filter(pk__in=OutboxEmail.objects.values("pk")[:2]).update(state="sent")
    page = admin_client.get(reverse("circle:invitation_batch", args=[org.slug, result.batch.pk]))
    html = page.content.decode()
    assert "2 of 5 invitations sent." in html
    assert 'data-hx-trigger="every 2s"' in html
    assert ">Refresh<" in html  # without JavaScript
