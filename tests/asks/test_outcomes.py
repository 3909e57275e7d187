"""Outcomes: what came of posts closed as matched, counted per continuum
stage and per quarter for members, with a chart drawn on the server."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asks.models import Outcome, Post
from asks.outcomes import summarize
from circle.viewers import viewer_of
from tests.asks.factories import PostFactory
from tests.factories import OrganizationFactory, member_of

pytestmark = pytest.mark.django_db
URL = reverse("asks:outcomes")
ATLANTA = ZoneInfo("America/New_York")


def outcome(stages, when, people=0, partnership=False) -> Outcome:
    post = PostFactory(stages=stages, status=Post.Status.MATCHED)
    return Outcome.objects.create(
        post=post, people_placed=people, partnership_started=partnership, recorded_at=when
    )


@pytest.fixture
def recorded():
    # The evening of March 31 in Atlanta is already April in UTC: first quarter.
    outcome(["job-access"], datetime(2026, 3, 31, 23, 30, tzinfo=ATLANTA), people=8)
    outcome(["job-access", "education-training"], datetime(2026, 5, 2, 12, tzinfo=ATLANTA),
            people=5, partnership=True)  # fmt: skip
    outcome(["entrepreneurship"], datetime(2026, 5, 20, 12, tzinfo=ATLANTA), partnership=True)


@pytest.fixture
def member():
    return member_of(OrganizationFactory())


def test_it_counts_outcomes_people_and_partnerships_per_quarter(recorded, member):
    summary = summarize(viewer_of(member))
    rows = [(r.label, r.totals.outcomes, r.totals.people, r.totals.partnerships)
            for r in summary.per_quarter]  # fmt: skip
    assert rows == [("2026 Q1", 1, 8, 0), ("2026 Q2", 2, 5, 2)]
    assert (summary.total.outcomes, summary.total.people, summary.total.partnerships) == (3, 13, 2)


def test_it_counts_an_outcome_in_each_stage_of_its_post(recorded, member):
    per_stage = {r.label: r.totals for r in summarize(viewer_of(member)).per_stage}
    assert per_stage["Job access & placement"].outcomes == 2
    assert per_stage["Job access & placement"].people == 13
    assert per_stage["Education & training"].people == 5
    assert per_stage["Entrepreneurship & wealth building"].partnerships == 1
    assert per_stage["Retention & advancement"].outcomes == 0  # every stage is listed


def test_the_chart_is_an_accessible_svg_with_the_same_numbers_as_the_table(
    client, recorded, member
):
    client.force_login(member)
    page = client.get(URL).text
    assert (
        'role="img"' in page
        and 'aria-labelledby="outcomes-chart-title outcomes-chart-desc"' in page
    )
    assert (
        '<desc id="outcomes-chart-desc">A bar chart of outcomes recorded per quarter, '
        "from 2026 Q1 to 2026 Q2" in page
    )
    assert "<title>2026 Q2: 2 outcomes</title>" in page
    assert (
        '<th scope="row">2026 Q2</th><td class="numeric">2</td><td class="numeric">5</td>' in page
    )
    assert "style=" not in page and "<style" not in page


def test_the_tallest_bar_fills_the_chart_and_the_others_are_in_proportion(recorded, member):
    bars = summarize(viewer_of(member)).chart.bars
    assert bars[1].height == 2 * bars[0].height


def test_the_page_says_so_when_nothing_is_recorded(client, member):
    client.force_login(member)
    assert "No outcome has been recorded yet." in client.get(URL).text


def test_it_runs_the_same_queries_for_few_and_many_outcomes(client, member):
    client.force_login(member)
    outcome(["job-access"], datetime(2026, 1, 5, tzinfo=ATLANTA))
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for month in range(1, 13):
        outcome(["job-access", "entrepreneurship"], datetime(2025, month, 5, tzinfo=ATLANTA))
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(few.captured_queries) == len(many.captured_queries)


def test_quarters_without_outcomes_are_shown_as_zero_between_the_first_and_the_last(member):
    outcome(["job-access"], datetime(2025, 11, 5, 12, tzinfo=ATLANTA))
    outcome(["job-access"], datetime(2026, 5, 5, 12, tzinfo=ATLANTA))
    rows = summarize(viewer_of(member)).per_quarter
    assert [(r.label, r.totals.outcomes) for r in rows] == [
        ("2025 Q4", 1),
        ("2026 Q1", 0),
        ("2026 Q2", 1),
    ]
