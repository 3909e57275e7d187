"""Asks and offers around the site: the organization page, the management
tab, the continuum map, the conversation page and the demo data."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from asks.models import Conversation, Match, Outcome, Post, PostResponse
from circle.models import Membership, Organization
from justop.celery import app
from tests.asks.factories import PostFactory, offer
from tests.factories import OrganizationFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def employer():
    return OrganizationFactory(name="Metro Manufacturers")


def test_the_organization_page_shows_its_open_posts_to_members(client, employer):
    PostFactory(organization=employer, title="Open ask")
    PostFactory(organization=employer, title="Closed ask", status=Post.Status.CLOSED)
    client.force_login(member_of(OrganizationFactory()))
    page = client.get(employer.get_absolute_url()).text
    assert "Open asks and offers" in page
    assert "Open ask" in page and "Closed ask" not in page


def test_the_public_does_not_see_the_posts_on_the_organization_page(client, employer):
    PostFactory(organization=employer, title="Open ask")
    page = client.get(employer.get_absolute_url()).text
    assert "Open ask" not in page and "Open asks and offers" not in page


def test_an_organization_without_posts_invites_its_own_people_to_post(client, employer):
    client.force_login(member_of(employer))
    assert reverse("asks:post_create") in client.get(employer.get_absolute_url()).text
    client.force_login(member_of(OrganizationFactory()))
    assert "Open asks and offers" not in client.get(employer.get_absolute_url()).text


def test_admins_find_every_post_of_their_organization_under_manage(client, employer):
    PostFactory(organization=employer, title="Open ask")
    PostFactory(organization=employer, title="Closed ask", status=Post.Status.CLOSED)
    client.force_login(member_of(employer, Membership.Role.ADMIN))
    manage = client.get(reverse("circle:manage_profile", args=[employer.slug])).text
    url = reverse("asks:manage_posts", args=[employer.slug])
    assert f'href="{url}"' in manage
    page = client.get(url).text
    assert "Open ask" in page and "Closed ask" in page


def test_the_continuum_map_links_open_asks_and_offers_of_a_cell_to_the_board(client, employer):
    PostFactory(organization=employer, stages=["job-access"], counties=["cobb"])
    offer(organization=employer, stages=["job-access"], counties=["cobb"])
    offer(organization=employer, stages=["job-access"], counties=["cobb"])
    client.force_login(member_of(employer))
    page = client.get(reverse("circle:continuum")).text
    assert '/asks/?stage=job-access&amp;county=cobb">1 ask, 2 offers' in page
    assert "style=" not in page


def test_the_conversation_page_lets_both_sides_write(client, employer):
    trainer = OrganizationFactory(name="Trainer")
    post = PostFactory(organization=employer, author=member_of(employer))
    responder = member_of(trainer)
    client.force_login(responder)
    client.post(
        reverse("asks:post_respond", args=[post.pk]), {"organization": trainer.pk, "body": "Hi"}
    )
    thread = Conversation.objects.get()
    client.force_login(post.author)
    response = client.post(thread.get_absolute_url(), {"body": "Welcome"})
    assert response.status_code == 302
    assert [(r.organization, r.body) for r in PostResponse.objects.all()] == [
        (trainer, "Hi"),
        (employer, "Welcome"),
    ]
    page = client.get(thread.get_absolute_url()).text
    assert "Only these two organizations see this conversation." in page


def test_expired_posts_are_closed_every_hour_by_beat():
    from asks import tasks  # a worker imports every app's tasks; a lone test does not

    entry = app.conf.beat_schedule["close-expired-posts"]
    assert entry["task"] == "asks.tasks.close_expired_posts"
    assert entry["task"] in app.tasks
    assert app.tasks[entry["task"]].name == tasks.close_expired_posts.name


def test_the_demo_has_posts_matches_conversations_and_outcomes_once():
    call_command("seed_demo")
    counts = [m.objects.count() for m in (Post, Match, Conversation, PostResponse, Outcome)]
    call_command("seed_demo")
    assert [m.objects.count() for m in (Post, Match, Conversation, PostResponse, Outcome)] == counts
    assert counts[0] >= 10 and all(counts)
    assert Post.objects.filter(audience=Post.Audience.CHOSEN).exists()
    assert Post.objects.open().filter(kind="ask").exists()
    assert Post.objects.open().filter(kind="offer").exists()
    assert Organization.objects.filter(posts__isnull=False).distinct().count() >= 8
