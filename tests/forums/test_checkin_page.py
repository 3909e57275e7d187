"""The check-in page lists everyone registered, a page at a time by name,
and its counts follow each arrival, with htmx and without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forums import checkin
from forums.models import Registration
from tests.forums.factories import ForumFactory, registered

pytestmark = pytest.mark.django_db

COUNTS = re.compile(r'<p class="lead" id="checkin-counts"[^>]*>\s*(\d+) present · (\d+) registered')


def crowd(forum, n: int, start: int = 0) -> list[Registration]:
    return [
        registered(forum, email=f"p{i}@example.org", name=f"Person {i:03d}")
        for i in range(start, start + n)
    ]


def names(response) -> list[str]:
    return [p.name for p in response.context["results"]]


def test_everyone_registered_is_listed_by_name_without_a_search(staff_client):
    forum = ForumFactory(capacity=100)
    registered(forum, email="zoe@example.org", name="Zoe Young")
    registered(forum, email="ana@example.org", name="Ana Lima")
    registered(
        forum, email="wait@example.org", name="Maya Wait", status=Registration.Status.WAITLISTED
    )
    registered(
        forum, email="gone@example.org", name="Gone Person", status=Registration.Status.CANCELLED
    )

    response = staff_client.get(reverse("forums:checkin", args=[forum.slug]))

    assert response.status_code == 200
    assert names(response) == ["Ana Lima", "Maya Wait", "Zoe Young"]
    html = response.content.decode()
    assert "Ana Lima" in html and "Zoe Young" in html and "Gone Person" not in html


def test_a_long_list_comes_a_page_at_a_time(staff_client):
    forum = ForumFactory(capacity=200)
    crowd(forum, checkin.PER_PAGE + 5)
    url = reverse("forums:checkin", args=[forum.slug])

    first = staff_client.get(url)
    second = staff_client.get(url, {"page": "2"})

    assert len(names(first)) == checkin.PER_PAGE
    assert names(second) == [
        f"Person {i:03d}" for i in range(checkin.PER_PAGE, checkin.PER_PAGE + 5)
    ]
    assert "page=2" in first.content.decode()
    # A page number that is not one is the nearest page, never an error.
    for hostile in ("abc", "-1", "99999", "1\x00"):
        assert staff_client.get(url, {"page": hostile}).status_code == 200


def test_the_list_runs_the_same_number_of_queries_whatever_its_length(staff_client):
    small_forum, large_forum = ForumFactory(capacity=200), ForumFactory(capacity=200)
    crowd(small_forum, 2)
    crowd(large_forum, 40)
    staff_client.get(reverse("forums:checkin", args=[small_forum.slug]))

    with CaptureQueriesContext(connection) as small:
        staff_client.get(reverse("forums:checkin", args=[small_forum.slug]))
    with CaptureQueriesContext(connection) as large:
        staff_client.get(reverse("forums:checkin", args=[large_forum.slug]))

    assert len(large) == len(small)


def test_with_htmx_the_counter_shows_the_new_number_after_a_check_in(staff_client):
    forum = ForumFactory()
    ana, _bo = crowd(forum, 2)
    page = staff_client.get(reverse("forums:checkin", args=[forum.slug])).content.decode()
    assert COUNTS.search(page).groups() == ("0", "2")

    tap = staff_client.post(
        reverse("forums:checkin_mark", args=[forum.slug, ana.pk]),
        {"present": "yes"},
        headers={"HX-Request": "true"},
    )
    html = tap.content.decode()

    assert html.lstrip().startswith(f'<li id="person-{ana.pk}"')
    assert 'data-hx-swap-oob="true"' in html
    assert COUNTS.search(html).groups() == ("1", "2")


def test_without_javascript_the_page_comes_back_with_the_new_number(staff_client):
    forum = ForumFactory()
    ana, _bo = crowd(forum, 2)

    response = staff_client.post(
        reverse("forums:checkin_mark", args=[forum.slug, ana.pk]),
        {"present": "yes", "page": "1"},
        follow=True,
    )

    assert response.redirect_chain[0][0].endswith("?page=1")
    assert COUNTS.search(response.content.decode()).groups() == ("1", "2")


def test_a_walk_in_joins_the_list_and_the_count(staff_client):
    forum = ForumFactory()
    crowd(forum, 1)

    staff_client.post(
        reverse("forums:walk_in", args=[forum.slug]),
        {"name": "Sam Rivera", "email": "sam@example.org", "organization": ""},
    )
    page = staff_client.get(reverse("forums:checkin", args=[forum.slug]))

    assert "Sam Rivera" in names(page)
    assert COUNTS.search(page.content.decode()).groups() == ("1", "2")
