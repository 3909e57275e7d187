"""The member home (/home/): where signing in lands, with what each app has
waiting for the person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from asks import services as asks_services
from asks.models import Conversation
from circle import invitations
from circle.models import JoinApplication, Membership, Organization
from circle.visits import SESSION_KEY
from forums.models import Registration
from tests.asks.factories import PostFactory, offer
from tests.factories import OrganizationFactory, UserFactory, member_of, sign_in
from tests.forums.factories import ForumFactory, registered
from tests.news.factories import NewsPostFactory
from tests.research.factories import ResourceFactory

HOME = "/home/"

pytestmark = pytest.mark.django_db


def page(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def signed_in_since(person, when):
    """A client of the person whose previous sign-in was at `when`."""
    from django.test import Client

    client = Client()
    sign_in(client, person)
    session = client.session
    session[SESSION_KEY] = when.isoformat()
    session.save()
    return client


def an_ask_and_its_fitting_offer(ours, theirs):
    ask = PostFactory(
        organization=ours, title="Twenty welders", stages=["job-access"], counties=["fulton"]
    )
    fitting = offer(
        organization=theirs, title="Welding graduates", stages=["job-access"], counties=["fulton"]
    )
    return ask, fitting


# --- Getting there -------------------------------------------------------------------


def test_it_is_at_home_with_its_name():
    assert reverse("circle:member_home") == HOME


def test_it_sends_signed_out_people_to_sign_in_and_back(visitor):
    response = visitor.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={HOME}"


def test_signing_in_lands_on_it(client):
    person = UserFactory(email="ana@example.org")
    person.set_password("a long enough password")
    person.save()
    response = client.post(
        reverse("account_login"),
        {"login": "ana@example.org", "password": "a long enough password"},
    )
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_next_still_wins_over_it(client):
    person = UserFactory(email="ana@example.org")
    person.set_password("a long enough password")
    person.save()
    response = client.post(
        reverse("account_login") + "?next=/directory/",
        {"login": "ana@example.org", "password": "a long enough password"},
    )
    assert response["Location"] == "/directory/"


def test_it_counts_new_things_from_the_previous_sign_in(client):
    person = UserFactory()
    earlier = timezone.now() - timedelta(days=3)
    person.last_login = earlier
    person.save(update_fields=["last_login"])
    client.force_login(person)
    assert client.session[SESSION_KEY] == earlier.isoformat()
    person.refresh_from_db()
    assert person.last_login > earlier


def test_a_person_without_organization_gets_their_forums_and_how_to_join(user_client, user):
    forum = ForumFactory(title="Transit and jobs")
    registered(forum, user)
    html = page(user_client)
    assert "Transit and jobs" in html
    assert "Place confirmed" in html
    assert reverse("circle:join") in html


# --- Forums --------------------------------------------------------------------------


def test_my_next_forum_shows_my_waitlist_position(member_a_client, member_a):
    forum = ForumFactory(title="Full forum", capacity=1)
    registered(forum)
    now = timezone.now()
    for n in range(2):
        registered(
            forum,
            email=f"waiting{n}@example.org",
            status=Registration.Status.WAITLISTED,
            confirmed_at=None,
            queued_at=now - timedelta(hours=5 - n),
        )
    registered(forum, member_a, status=Registration.Status.WAITLISTED, confirmed_at=None)
    html = page(member_a_client)
    assert forum.get_absolute_url() in html
    assert "3rd on the waitlist" in html


def test_past_and_cancelled_registrations_do_not_show(member_a_client, member_a):
    past = ForumFactory(title="Last year's forum", starts_at=timezone.now() - timedelta(days=30))
    registered(past, member_a)
    left = ForumFactory(title="Forum I left")
    registered(left, member_a, status=Registration.Status.CANCELLED)
    html = page(member_a_client)
    assert "Last year's forum" not in html
    assert "Forum I left" not in html


# --- Asks and offers -----------------------------------------------------------------


def test_a_match_for_my_open_ask_shows_its_reason(member_a_client, org_a, org_b):
    _ask, fitting = an_ask_and_its_fitting_offer(org_a, org_b)
    html = page(member_a_client)
    assert fitting.get_absolute_url() in html
    assert "Welding graduates" in html
    assert "talent supply offers what employer demand asks" in html
    assert "For Organization A" in html


def test_a_match_older_than_my_last_visit_is_not_new(member_a, org_a, org_b):
    an_ask_and_its_fitting_offer(org_a, org_b)
    client = signed_in_since(member_a, timezone.now() + timedelta(minutes=1))
    assert "Welding graduates" not in page(client)


def test_a_conversation_waiting_for_my_reply_appears_then_goes_once_i_reply(
    member_a_client, member_a, member_b, org_a, org_b
):
    ask = PostFactory(organization=org_a, title="Forklift drivers")
    sent = asks_services.respond(ask, organization=org_b, author=member_b, body="We can help.")
    conversation = sent.conversation
    html = page(member_a_client)
    assert conversation.get_absolute_url() in html
    assert "Conversations waiting for your reply" in html

    response = member_a_client.post(
        conversation.get_absolute_url(), {"organization": org_a.pk, "body": "Thank you!"}
    )
    assert response.status_code == 302
    assert "Conversations waiting for your reply" not in page(member_a_client)


def test_the_side_that_wrote_last_is_not_asked_to_reply(member_b_client, member_b, org_a, org_b):
    ask = PostFactory(organization=org_a)
    asks_services.respond(ask, organization=org_b, author=member_b, body="We can help.")
    assert "Conversations waiting for your reply" not in page(member_b_client)


def test_another_organizations_private_things_never_appear(member_a_client, org_a, org_b):
    third = OrganizationFactory(name="Organization C")
    colleague_b = member_of(org_b)
    # B's ask for C alone would fit A's offer; A may not see it.
    PostFactory(
        organization=org_b,
        title="Secret ask of B",
        side="demand",
        stages=["job-access"],
        shared_with=[third],
    )
    offer(organization=org_a, title="Our offer", stages=["job-access"])
    # A conversation between B and C.
    c_post = PostFactory(organization=third, title="C's ask")
    asks_services.respond(c_post, organization=org_b, author=colleague_b, body="Private words")
    ResourceFactory(title="B's internal memo", visibility="organization", organizations=[org_b])
    NewsPostFactory(title="Draft news", status="draft")
    html = page(member_a_client)
    assert "Secret ask of B" not in html
    assert "C's ask" not in html
    assert "B's internal memo" not in html
    assert "Draft news" not in html


def test_a_person_in_two_organizations_sees_each_named(member_a_client, member_a, org_a, org_b):
    other = OrganizationFactory(name="Organization D")
    member_of(other, user=member_a)
    an_ask_and_its_fitting_offer(org_a, org_b)
    ask_d = PostFactory(organization=other, title="D's ask")
    asks_services.respond(ask_d, organization=org_b, author=member_of(org_b), body="Hello D")
    html = page(member_a_client)
    assert "For Organization A" in html
    assert "For Organization D" in html


# --- Research and news ---------------------------------------------------------------


def test_new_research_and_news_since_my_last_visit(member_a, org_a):
    client = signed_in_since(member_a, timezone.now() - timedelta(days=1))
    old = ResourceFactory(title="Old report")
    type(old).objects.filter(pk=old.pk).update(published_at=timezone.now() - timedelta(days=5))
    ResourceFactory(title="Our own brief", visibility="organization", organizations=[org_a])
    NewsPostFactory(title="Fresh news")
    NewsPostFactory(title="Old news", publish_at=timezone.now() - timedelta(days=5))
    html = page(client)
    assert "Our own brief" in html
    assert "Fresh news" in html
    assert "Old report" not in html
    assert "Old news" not in html


# --- The Circle: an admin's tasks ----------------------------------------------------


def test_an_admin_sees_invitations_outstanding_with_the_manage_link(admin_a_client, admin_a, org_a):
    invitations.invite(
        org_a, ["one@example.org", "two@example.org"], Membership.Role.MEMBER, by=admin_a
    )
    html = page(admin_a_client)
    assert "2 invitations to Organization A not yet accepted" in html
    assert reverse("circle:manage_invitations", args=[org_a.slug]) in html


def test_an_admin_without_outstanding_invitations_is_offered_to_invite(admin_a_client, org_a):
    html = page(admin_a_client)
    assert "Invite people to Organization A" in html
    assert reverse("circle:manage_invitations", args=[org_a.slug]) in html


def test_each_new_post_shows_once_with_our_post_it_fits_best(member_a_client, org_a, org_b):
    PostFactory(organization=org_a, title="Welders", stages=["job-access"])
    PostFactory(
        organization=org_a, title="Welders in Fulton", stages=["job-access"], counties=["fulton"]
    )
    offer(organization=org_b, title="Welding graduates", stages=["job-access"], counties=["fulton"])
    html = page(member_a_client)
    assert html.count("Offer: Welding graduates") == 1
    assert "Fits your “Welders in Fulton”: same stage, same county" in html


def test_a_plain_member_has_no_admin_tasks(member_a_client, org_a):
    html = page(member_a_client)
    assert reverse("circle:manage_invitations", args=[org_a.slug]) not in html
    assert "Organization A" in html


# --- Cost ----------------------------------------------------------------------------


def _grow(start, end, member, org_a, org_b):
    for i in range(start, end):
        forum = ForumFactory(title=f"Forum {i}")
        registered(forum, member)
        PostFactory(organization=org_a, title=f"Ask {i}", stages=["job-access"])
        offer(organization=org_b, title=f"Offer {i}", stages=["job-access"])
        ask = PostFactory(organization=org_a, title=f"Talked-about ask {i}")
        asks_services.respond(ask, organization=org_b, author=member_of(org_b), body="Hi")
        ResourceFactory(title=f"Report {i}", organizations=[org_a], visibility="organization")
        NewsPostFactory(title=f"News {i}")


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    return len(queries)


def test_it_costs_the_same_queries_for_2_or_8_of_everything(admin_a, org_a, org_b, client):
    sign_in(client, admin_a)
    _grow(0, 2, admin_a, org_a, org_b)
    small = _queries(client)
    _grow(2, 8, admin_a, org_a, org_b)
    assert Conversation.objects.count() == 8
    html = page(client)
    assert "Forum 0" in html and "Offer 7" in html and "Talked-about ask 7" in html
    assert _queries(client) == small


def test_staff_with_their_second_factor_see_join_applications_waiting(staff_client):
    JoinApplication.objects.create(
        organization_name="Westside Works",
        sector=Organization.Sector.values[0],
        mission="Jobs on the Westside.",
        applicant_name="Kim",
        applicant_email="kim@example.org",
    )
    html = page(staff_client)
    assert "1 join application waiting for review" in html
    assert reverse("admin:circle_joinapplication_changelist") in html


def test_staff_without_their_second_factor_are_an_ordinary_person(client, staff):
    JoinApplication.objects.create(
        organization_name="Westside Works",
        sector=Organization.Sector.values[0],
        mission="Jobs on the Westside.",
        applicant_name="Kim",
        applicant_email="kim@example.org",
    )
    client.force_login(staff)
    assert "join application" not in page(client)
