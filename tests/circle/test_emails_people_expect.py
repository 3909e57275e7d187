"""Emails a person expects (issue 18): their role in an organization changed,
they were removed from it, their organization's application was approved or
declined. Each arrives once, in the person's language, with the words that
say what happened."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from circle import applications, memberships
from circle.models import JoinApplication, Membership, Organization
from justop.models import OutboxEmail
from tests.factories import OrganizationFactory, UserFactory, member_of
from tests.smtp import html_of, text_of

ADMIN = Membership.Role.ADMIN
MEMBER = Membership.Role.MEMBER


@pytest.fixture
def org(transactional_db):
    return OrganizationFactory(
        name="Westside Works", slug="westside-works", contact_email="hello@westside.example.org"
    )


def the_membership(org: Organization, **person) -> Membership:
    user = UserFactory(**person)
    return Membership.objects.create(user=user, organization=org, role=MEMBER)


def test_a_member_made_admin_is_told_once_with_the_organization_and_whom_to_ask(org, smtp_sink):
    member_of(org, ADMIN)
    membership = the_membership(org, email="ana@example.org")

    memberships.change_role(membership, ADMIN)

    [message] = smtp_sink.to("ana@example.org")
    assert message["Subject"] == "You are now an admin of Westside Works"
    text = text_of(message)
    assert "made you an admin" in text
    assert "hello@westside.example.org" in text
    assert "Westside Works" in html_of(message)


def test_an_admin_made_member_is_told_the_role_went_down(org, smtp_sink):
    member_of(org, ADMIN)
    membership = the_membership(org, email="ana@example.org")
    memberships.change_role(membership, ADMIN)
    memberships.change_role(membership, MEMBER)

    subjects = sorted(m["Subject"] for m in smtp_sink.to("ana@example.org"))
    assert subjects == [
        "You are now a member, no longer an admin, of Westside Works",
        "You are now an admin of Westside Works",
    ]


def test_a_role_change_that_changes_nothing_sends_nothing(org):
    membership = the_membership(org, email="ana@example.org")

    memberships.change_role(membership, MEMBER, title="Organizer")

    assert not OutboxEmail.objects.filter(recipient="ana@example.org").exists()


def test_a_role_change_that_rolls_back_sends_nothing(org):
    membership = the_membership(org, email="ana@example.org")

    with pytest.raises(RuntimeError), transaction.atomic():
        memberships.change_role(membership, ADMIN)
        raise RuntimeError

    assert not OutboxEmail.objects.filter(recipient="ana@example.org").exists()


def test_a_removed_member_is_told_in_their_language(org, smtp_sink):
    membership = the_membership(org, email="ana@example.org", language="es")

    memberships.remove(membership, by=member_of(org, ADMIN))

    [row] = OutboxEmail.objects.filter(recipient="ana@example.org")
    assert row.kind == "circle.membership_removed"
    assert row.language == "es"
    [message] = smtp_sink.to("ana@example.org")
    assert 'lang="es"' in html_of(message)
    assert "Westside Works" in message["Subject"]
    assert "hello@westside.example.org" in text_of(message)


def test_an_organization_name_with_markup_is_text_in_the_subject_and_the_html(
    smtp_sink, transactional_db
):
    org = OrganizationFactory(name="Smith & Sons <b>Co</b>")
    member_of(org, ADMIN)
    promoted = the_membership(org, email="ana@example.org")
    removed = the_membership(org, email="ben@example.org")

    memberships.change_role(promoted, ADMIN)
    memberships.remove(removed, by=member_of(org, ADMIN))

    for address in ("ana@example.org", "ben@example.org"):
        [message] = smtp_sink.to(address)
        assert "Smith & Sons <b>Co</b>" in message["Subject"]
        html = html_of(message)
        assert "<b>Co</b>" not in html
        assert "Smith &amp; Sons &lt;b&gt;Co&lt;/b&gt;" in html


def test_a_person_who_leaves_by_themselves_gets_no_email(org):
    membership = the_membership(org, email="ana@example.org")

    memberships.remove(membership, by=membership.user)

    assert not OutboxEmail.objects.filter(recipient="ana@example.org").exists()
    assert not Membership.objects.filter(pk=membership.pk).exists()


# --- Join applications ------------------------------------------------------------------


def application(**fields) -> JoinApplication:
    values = {
        "organization_name": "Eastlake Builders",
        "sector": Organization.Sector.NONPROFIT,
        "mission": "Apprenticeships in the trades.",
        "side": Organization.Side.SUPPLY,
        "applicant_name": "Dana Brooks",
        "applicant_email": "dana@eastlake.example.org",
    }
    values.update(fields)
    return JoinApplication.objects.create(**values)


def test_an_approved_application_says_approved_and_how_to_sign_in(
    client, transactional_db, smtp_sink
):
    staff = UserFactory(is_staff=True)
    applications.approve(application(), by=staff)

    [message] = smtp_sink.to("dana@eastlake.example.org")
    assert "approved" in message["Subject"]
    assert "Eastlake Builders" in message["Subject"]
    assert "invited" not in message["Subject"].lower()
    text = text_of(message)
    assert "approved your application" in text
    assert "choose a password" in text
    assert OutboxEmail.objects.filter(recipient="dana@eastlake.example.org").count() == 1
    link = re.search(r"https?://\S+/invitations/\S+/", text).group(0)
    page = client.get("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert page.status_code == 200
    assert "Eastlake Builders" in page.content.decode()


def test_an_application_in_spanish_is_approved_in_spanish(transactional_db):
    applications.approve(application(language="es"), by=UserFactory(is_staff=True))

    [row] = OutboxEmail.objects.filter(recipient="dana@eastlake.example.org")
    assert row.kind == "circle.application_approved"
    assert row.language == "es"


def test_a_declined_application_says_so_politely(transactional_db, smtp_sink):
    applications.decline(application(), by=UserFactory(is_staff=True))

    [message] = smtp_sink.to("dana@eastlake.example.org")
    text = text_of(message)
    assert "Thank you" in text
    assert "not able to welcome Eastlake Builders" in text


def test_the_approval_arrives_even_after_declining_invitations_earlier(transactional_db):
    from justop.models import Suppression

    Suppression.objects.create(email="dana@eastlake.example.org", stream="invitations")
    applications.approve(application(), by=UserFactory(is_staff=True))

    [row] = OutboxEmail.objects.filter(recipient="dana@eastlake.example.org")
    assert row.kind == "circle.application_approved"
    assert row.state != "cancelled"


# --- Email preferences: conversations and matches of asks and offers -------------------


def test_turning_off_conversation_emails_stops_them_and_only_them(client, transactional_db):
    from asks import services
    from circle.models import EmailPreferences
    from tests.asks.factories import PostFactory, offer
    from tests.factories import sign_in

    poster_org = OrganizationFactory(name="Eastlake Builders")
    poster = member_of(poster_org, ADMIN, user__email="poster@example.org")
    colleague = member_of(poster_org, ADMIN, user__email="colleague@example.org")
    post = PostFactory(organization=poster_org, author=poster)
    writer_org = OrganizationFactory(name="Westside Works")
    writer = member_of(writer_org, ADMIN)

    sign_in(client, poster)
    page = client.get("/accounts/preferences/").content.decode()
    assert "writes in a conversation of my organization" in page
    client.post(
        "/accounts/preferences/",
        {"digest_frequency": "weekly", "match_emails": "on", "language": "en"},
    )
    assert EmailPreferences.objects.get(user=poster).conversation_emails is False

    services.respond(post, organization=writer_org, author=writer, body="We can help.")

    written_to = set(
        OutboxEmail.objects.filter(kind="circle.post_response").values_list("recipient", flat=True)
    )
    assert written_to == {"colleague@example.org"}

    # Match emails stay on for the poster.
    theirs = offer(organization=writer_org, author=writer)
    services.mark_match(post, theirs, state="conversation", by=colleague)
    assert OutboxEmail.objects.filter(
        kind__startswith="circle.match_", recipient="poster@example.org"
    ).exists()


def test_turning_off_match_emails_stops_them(transactional_db):
    from asks import services
    from circle.models import EmailPreferences
    from tests.asks.factories import PostFactory, offer

    poster_org = OrganizationFactory(name="Eastlake Builders")
    poster = member_of(poster_org, ADMIN, user__email="poster@example.org")
    EmailPreferences.objects.create(user=poster, match_emails=False)
    ask = PostFactory(organization=poster_org, author=poster, kind="ask")
    writer_org = OrganizationFactory(name="Westside Works")
    writer = member_of(writer_org, ADMIN, user__email="writer@example.org")
    theirs = offer(organization=writer_org, author=writer)

    services.mark_match(ask, theirs, state="conversation", by=member_of(writer_org, ADMIN))

    told = set(
        OutboxEmail.objects.filter(kind__startswith="circle.match_").values_list(
            "recipient", flat=True
        )
    )
    assert told == {"writer@example.org"}
