"""The board: members browse asks and offers and filter them by kind, stage,
county, side, expertise and whether they are open; the URL holds the search,
htmx swaps only the results, and the page costs the same queries for 10 or
500 posts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from asks.models import Post
from circle.models import Organization
from tests.asks.factories import PostFactory, bulk_posts, offer
from tests.factories import OrganizationFactory, member_of

pytestmark = pytest.mark.django_db
URL = reverse("asks:board")
HTMX = {"HTTP_HX_REQUEST": "true"}
Side = Organization.Side


@pytest.fixture
def home():
    return OrganizationFactory(name="Home")


@pytest.fixture
def member_client(client, home):
    client.force_login(member_of(home))
    return client


@pytest.fixture
def posts(home):
    employer = OrganizationFactory(name="Employer")
    trainer = OrganizationFactory(name="Trainer")
    return {
        "technicians": PostFactory(
            organization=employer, title="Technicians", side=Side.DEMAND,
            stages=["job-access"], counties=["cobb"], expertise=["Advanced manufacturing"],
        ),
        "graduates": offer(
            organization=trainer, title="Graduates", side=Side.SUPPLY,
            stages=["education-training"], counties=["fulton"],
        ),
        "coaching": offer(
            organization=trainer, title="Coaching", side=Side.BOTH,
            stages=["workforce-readiness"], counties=["cobb"],
        ),
        "closed": PostFactory(organization=employer, title="Closed", status=Post.Status.CLOSED),
        "expired": PostFactory(
            organization=employer, title="Expired",
            deadline=timezone.localdate() - timedelta(days=1),
        ),
    }  # fmt: skip


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [post.title for post in response.context["page"].object_list]


def test_it_lists_open_posts_newest_first(member_client, posts):
    assert titles(member_client.get(URL)) == ["Coaching", "Graduates", "Technicians"]


def test_it_shows_closed_and_expired_posts_on_request(member_client, posts):
    shown = titles(member_client.get(URL, {"show": "all"}))
    assert set(shown) == {"Coaching", "Graduates", "Technicians", "Closed", "Expired"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "offer"}, ["Coaching", "Graduates"]),
        ({"kind": "ask"}, ["Technicians"]),
        ({"stage": "job-access"}, ["Technicians"]),
        ({"county": "cobb"}, ["Coaching", "Technicians"]),
        # A post on both sides is listed under each side.
        ({"side": "supply"}, ["Coaching", "Graduates"]),
        ({"side": "demand"}, ["Coaching", "Technicians"]),
        ({"tag": "advanced-manufacturing"}, ["Technicians"]),
        ({"kind": "offer", "county": "cobb"}, ["Coaching"]),
    ],
)
def test_it_filters(member_client, posts, params, expected):
    assert titles(member_client.get(URL, params)) == expected


def test_an_unknown_value_is_left_out_with_a_warning(member_client, posts):
    response = member_client.get(URL, {"stage": "no-such-stage"})
    assert titles(response) == ["Coaching", "Graduates", "Technicians"]
    assert "could not be used" in response.text


def test_htmx_gets_only_the_results(member_client, posts):
    response = member_client.get(URL, {"kind": "offer"}, **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="board-results-heading"' in response.text
    assert "Graduates" in response.text and "Technicians" not in response.text
    assert response.headers["Vary"].count("HX-Request") == 1


def test_without_javascript_the_form_is_a_plain_get_form(member_client, posts):
    page = member_client.get(URL).text
    assert 'method="get"' in page and 'id="board-filters"' in page
    # Open posts only is the default, and the form says so.
    assert re.search(r'name="show" value="open"[^>]*checked', page)
    assert not re.search(r'name="show" value="all"[^>]*checked', page)


def test_the_page_uses_no_inline_style(member_client, posts):
    page = member_client.get(URL).text
    assert "style=" not in page and "<style" not in page


def test_the_menu_links_to_the_board_for_members_only(client, member_client, posts):
    assert f'href="{URL}"' in member_client.get(reverse("home")).text
    client.logout()
    assert f'href="{URL}"' not in client.get(reverse("home")).text


def queries_for_the_board(client) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(URL)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_board_runs_the_same_queries_for_10_and_500_posts(member_client, home):
    organizations = [OrganizationFactory() for _ in range(5)]
    bulk_posts(10, organizations)
    small = queries_for_the_board(member_client)
    bulk_posts(490, organizations)
    assert Post.objects.count() == 500
    large = queries_for_the_board(member_client)
    assert small == large
    assert member_client.get(URL).context["page"].paginator.count == 500
