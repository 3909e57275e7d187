"""Who sees which forum: every audience against every kind of person, on
every surface (list, page, calendar file, material, feeds, home page,
digest). Members-only and invited-only forums are invisible (404) to
visitors and to members who are not invited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from circle.viewers import viewer_of
from forums import sections
from forums.models import Forum, Material
from justop.digests import Period
from tests.access_forums import PDF
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory, UserFactory, sign_in
from tests.forums.factories import ForumFactory, invite

pytestmark = pytest.mark.django_db

A = Forum.Audience
# Who may see a forum of each audience (published).
SEES = {
    A.PUBLIC: {"anonymous", "user", "member", "invited", "staff"},
    A.MEMBERS: {"member", "invited", "staff"},
    A.INVITED: {"invited", "staff"},
    "draft": {"staff"},
}


@pytest.fixture
def people(db):
    return {
        "anonymous": None,
        "user": UserFactory(),
        "member": MemberFactory(),
        "invited": MemberFactory(),
        "staff": StaffFactory(),
    }


@pytest.fixture
def forums(people, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    made = {}
    for key in (A.PUBLIC, A.MEMBERS, A.INVITED, "draft"):
        forum = ForumFactory(
            title=f"Forum {key}",
            slug=f"forum-{key}",
            audience=A.PUBLIC if key == "draft" else key,
            status=Forum.Status.DRAFT if key == "draft" else Forum.Status.PUBLISHED,
            starts_at=timezone.now() + timedelta(days=2),
        )
        if key == A.INVITED:
            invite(forum, people["invited"])
        Material.objects.create(forum=forum, title="Slides", file=ContentFile(PDF, name="s.pdf"))
        made[key] = forum
    return made


def login(client, person) -> None:
    if person is not None:
        sign_in(client, person)


@pytest.mark.parametrize("who", ["anonymous", "user", "member", "invited", "staff"])
def test_each_audience_on_each_surface(client, people, forums, who):
    login(client, people[who])
    listing = client.get(reverse("forums:list")).content.decode()
    for key, forum in forums.items():
        expected = 200 if who in SEES[key] else 404
        if expected == 404 and who == "anonymous" and key != "draft":
            expected = 302  # sign in first: the link may be theirs (circle/signin.py)
        material = forum.materials.get()
        assert client.get(forum.get_absolute_url()).status_code == expected, (who, key)
        ics = client.get(reverse("forums:forum_ics", args=[forum.slug]))
        assert ics.status_code == expected, (who, key)
        download = client.get(reverse("forums:material", args=[forum.slug, material.pk]))
        assert download.status_code == expected, (who, key)
        assert (forum.title in listing) == (expected == 200), (who, key)
        if expected == 302:
            assert "/accounts/login/?next=" in ics["Location"]


def test_the_public_calendar_feed_and_the_sitemap_show_public_forums_only(client, forums):
    feed = Calendar.from_ical(client.get(reverse("forums:feed")).content)
    assert {str(e["summary"]) for e in feed.walk("VEVENT")} == {"Forum public"}
    sitemap = client.get(reverse("sitemap")).content.decode()
    assert forums[A.PUBLIC].get_absolute_url() in sitemap
    for key in (A.MEMBERS, A.INVITED, "draft"):
        assert forums[key].get_absolute_url() not in sitemap


@pytest.mark.parametrize("who", ["anonymous", "user", "member", "invited", "staff"])
def test_the_home_page_shows_the_next_forums_each_person_may_see(client, people, forums, who):
    login(client, people[who])
    home = client.get(reverse("home")).content.decode()
    for key, forum in forums.items():
        if key == "draft":
            assert forum.title not in home  # even staff: the home page shows published forums
        else:
            assert (forum.title in home) == (who in SEES[key]), (who, key)


def test_the_digest_lists_upcoming_forums_each_member_may_attend_in_a_fixed_number_of_queries(
    people, forums, django_assert_num_queries
):
    period = Period.last_complete("weekly")
    users = [people["user"], people["member"], people["invited"], people["staff"]]
    for forum in forums.values():
        forum.starts_at = period.end + timedelta(days=3)
        forum.ends_at = forum.starts_at + timedelta(hours=2)
        forum.save()

    with django_assert_num_queries(3):
        items = sections.upcoming_for_members(users, period)

    titles = {pk: {i["title"] for i in found} for pk, found in items.items()}
    for person in users:
        # The same forums as the visibility rule gives, drafts aside.
        rule = set(
            Forum.objects.visible_to(viewer_of(person))
            .filter(status=Forum.Status.PUBLISHED)
            .values_list("title", flat=True)
        )
        assert titles.get(person.pk, set()) == rule
    assert titles[people["invited"].pk] == {"Forum public", "Forum members", "Forum invited"}
    # More members and forums: still three queries.
    more = [MemberFactory() for _ in range(5)]
    ForumFactory(audience=A.MEMBERS, starts_at=period.end + timedelta(days=4))
    with django_assert_num_queries(3):
        sections.upcoming_for_members(users + more, period)


def test_an_organization_page_lists_the_forums_it_hosts_that_the_visitor_may_see(client, forums):
    host = OrganizationFactory()
    for forum in forums.values():
        forum.hosts.set([host])

    page = client.get(host.get_absolute_url()).content.decode()

    assert "Forum public" in page
    assert "Forum members" not in page
    assert "Forum invited" not in page
    sign_in(client, MemberFactory())
    page = client.get(host.get_absolute_url()).content.decode()
    assert "Forum members" in page
    assert "Forum invited" not in page
