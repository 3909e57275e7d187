"""Matching: each ask lists the open offers that fit it (and each offer the
asks it fits): one side gives what the other needs (talent supply and
employer demand), ranked by shared stage, county and expertise, with a short
reason; the list costs the same queries for 10 or 500 posts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from asks.matching import Facts, candidates_for, rank, score
from asks.models import Post
from circle.models import Organization
from circle.viewers import viewer_of
from tests.asks.factories import PostFactory, bulk_posts, offer
from tests.factories import OrganizationFactory, member_of

ASK, OFFER = Post.Kind.ASK, Post.Kind.OFFER
SUPPLY, DEMAND, BOTH = Organization.Side.SUPPLY, Organization.Side.DEMAND, Organization.Side.BOTH
JOB_ACCESS, TRAINING, ENTREPRENEURSHIP = 1, 2, 5
FULTON, DEKALB, CHEROKEE = 10, 11, 20
APPRENTICESHIPS = 100
NOW = datetime(2026, 11, 1, 12, 0)


def facts(pk, kind, org, side, stages=(), counties=(), tags=(), **extra) -> Facts:
    return Facts(
        pk=pk,
        kind=kind,
        organization_id=org,
        side=side,
        stage_ids=frozenset(stages),
        county_ids=frozenset(counties),
        tag_ids=frozenset(tags),
        created_at=extra.pop("created_at", NOW),
        **extra,
    )


# An employer asks for technicians: job access and training, Fulton and DeKalb.
EMPLOYER_ASK = facts(
    1, ASK, org=1, side=DEMAND, stages={JOB_ACCESS, TRAINING}, counties={FULTON, DEKALB},
    tags={APPRENTICESHIPS},
)  # fmt: skip

CASES = {
    # Both stages, a county, the tag, supply meets demand: 6 + 2 + 2.
    "graduates ready in Fulton": facts(
        2, OFFER, org=2, side=SUPPLY, stages={JOB_ACCESS, TRAINING}, counties={FULTON},
        tags={APPRENTICESHIPS},
    ),
    # No match: both stages and both counties, but another employer offers
    # what an employer asks for. (This once matched on points alone.)
    "another employer's offer": facts(
        3, OFFER, org=3, side=DEMAND, stages={JOB_ACCESS, TRAINING}, counties={FULTON, DEKALB}
    ),
    # One stage, one county, complementary: 3 + 2.
    "coaching in DeKalb": facts(
        4, OFFER, org=4, side=SUPPLY, stages={JOB_ACCESS}, counties={DEKALB}
    ),
    # Only the tag, in Fulton, a post on both sides: 2 + 2; its deadline
    # comes first, so it goes before the next one of the same score.
    "apprenticeship broker": facts(
        5, OFFER, org=5, side=BOTH, stages={ENTREPRENEURSHIP}, counties={FULTON},
        tags={APPRENTICESHIPS}, deadline=date(2026, 12, 1),
    ),
    # One stage, region-wide, complementary: 3 + 1, ongoing.
    "region-wide program": facts(6, OFFER, org=6, side=SUPPLY, stages={JOB_ACCESS}),
    # Same score and ongoing too, but older: after the previous one.
    "older region-wide program": facts(
        7, OFFER, org=7, side=SUPPLY, stages={JOB_ACCESS}, created_at=NOW - timedelta(days=9)
    ),
    # No match: another ask.
    "another ask": facts(
        8, ASK, org=8, side=SUPPLY, stages={JOB_ACCESS, TRAINING}, counties={FULTON}
    ),
    # No match: the employer's own offer.
    "own offer": facts(9, OFFER, org=1, side=SUPPLY, stages={JOB_ACCESS}, counties={FULTON}),
    # No match: closed.
    "closed offer": facts(
        10, OFFER, org=9, side=SUPPLY, stages={JOB_ACCESS}, counties={FULTON}, is_open=False
    ),
    # No match: a shared stage but only in another county.
    "Cherokee only": facts(
        11, OFFER, org=10, side=SUPPLY, stages={JOB_ACCESS}, counties={CHEROKEE}
    ),
    # No match: same county, nothing to work on together.
    "nothing in common": facts(
        12, OFFER, org=11, side=SUPPLY, stages={ENTREPRENEURSHIP}, counties={FULTON}
    ),
}  # fmt: skip


def test_offers_are_ranked_in_the_expected_order():
    ranked = rank(EMPLOYER_ASK, CASES.values())
    names = {f.pk: name for name, f in CASES.items()}
    assert [names[f.pk] for f, _fit in ranked] == [
        "graduates ready in Fulton",
        "coaching in DeKalb",
        "apprenticeship broker",
        "region-wide program",
        "older region-wide program",
    ]
    assert [fit.score for _f, fit in ranked] == [10, 5, 4, 4, 4]


@pytest.mark.parametrize(
    "name",
    [
        "another employer's offer",
        "another ask",
        "own offer",
        "closed offer",
        "Cherokee only",
        "nothing in common",
    ],
)
def test_these_do_not_match(name):
    assert score(EMPLOYER_ASK, CASES[name]) is None


def test_the_reason_says_what_they_share_in_a_few_words():
    assert score(EMPLOYER_ASK, CASES["coaching in DeKalb"]).reason == (
        "same stage, same county, talent supply offers what employer demand asks"
    )
    assert score(EMPLOYER_ASK, CASES["graduates ready in Fulton"]).reason == (
        "same stages, same county, shared expertise, talent supply offers what employer demand asks"
    )
    assert score(EMPLOYER_ASK, CASES["region-wide program"]).reason == (
        "same stage, region-wide, talent supply offers what employer demand asks"
    )
    assert score(EMPLOYER_ASK, CASES["apprenticeship broker"]).reason == (
        "same county, shared expertise, an offer to both sides meets what employer demand asks"
    )


# A training program asks for employers to interview its graduates (talent
# supply); a neighbourhood nonprofit offers door-to-door outreach to
# residents (talent supply too); an employer offers interview days
# (employer demand). Same stage, same county for all three.
GRADUATES_ASK = facts(20, ASK, org=20, side=SUPPLY, stages={JOB_ACCESS}, counties={FULTON})
OUTREACH_OFFER = facts(21, OFFER, org=21, side=SUPPLY, stages={JOB_ACCESS}, counties={FULTON})
INTERVIEWS_OFFER = facts(22, OFFER, org=22, side=DEMAND, stages={JOB_ACCESS}, counties={FULTON})
# The mirror: an employer asks for candidates (employer demand); another
# employer offers a hiring event (employer demand); a trainer offers
# graduates (talent supply).
CANDIDATES_ASK = facts(23, ASK, org=23, side=DEMAND, stages={JOB_ACCESS}, counties={FULTON})
HIRING_OFFER = facts(24, OFFER, org=24, side=DEMAND, stages={JOB_ACCESS}, counties={FULTON})
GRADUATES_OFFER = facts(25, OFFER, org=25, side=SUPPLY, stages={JOB_ACCESS}, counties={FULTON})


@pytest.mark.parametrize(
    ("ask", "offer"), [(GRADUATES_ASK, OUTREACH_OFFER), (CANDIDATES_ASK, HIRING_OFFER)]
)
def test_a_post_never_matches_one_from_its_own_side(ask, offer):
    assert score(ask, offer) is None
    assert score(offer, ask) is None


@pytest.mark.parametrize(
    ("ask", "offer", "sides"),
    [
        (GRADUATES_ASK, INTERVIEWS_OFFER, "employer demand offers what talent supply asks"),
        (CANDIDATES_ASK, GRADUATES_OFFER, "talent supply offers what employer demand asks"),
    ],
)
def test_what_one_side_asks_matches_what_the_other_side_offers(ask, offer, sides):
    # Seen from either post, the reason names who offers and who asks.
    assert score(ask, offer).reason == f"same stage, same county, {sides}"
    assert score(offer, ask).reason == f"same stage, same county, {sides}"


def test_a_post_on_both_sides_matches_either_side():
    both_ask = facts(26, ASK, org=26, side=BOTH, stages={JOB_ACCESS}, counties={FULTON})
    for offer_facts in (OUTREACH_OFFER, INTERVIEWS_OFFER):
        assert score(both_ask, offer_facts) is not None
    assert score(both_ask, INTERVIEWS_OFFER).reason.endswith(
        "employer demand offers what an ask from both sides needs"
    )


def test_the_score_is_symmetric_between_an_ask_and_an_offer():
    for other in CASES.values():
        there = score(EMPLOYER_ASK, other)
        back = score(other, EMPLOYER_ASK)
        assert (there and there.score) == (back and back.score)


# --- From the database -------------------------------------------------------------------


@pytest.fixture
def employer(db):
    return OrganizationFactory(name="Metro Manufacturers", side=DEMAND)


@pytest.fixture
def ask(employer):
    return PostFactory(
        organization=employer,
        title="20 entry-level technicians",
        stages=["job-access"],
        counties=["cobb"],
    )


def test_only_open_visible_fitting_offers_are_candidates(ask, employer):
    trainer = OrganizationFactory(name="Skills Alliance")
    other = OrganizationFactory(name="Another")
    viewer = viewer_of(member_of(employer))
    fits = offer(
        organization=trainer, title="15 graduates", stages=["job-access"], counties=["cobb"]
    )
    offer(organization=trainer, title="Expired", stages=["job-access"],
          deadline=timezone.localdate() - timedelta(days=1))  # fmt: skip
    offer(organization=trainer, title="Matched", stages=["job-access"], status=Post.Status.MATCHED)
    offer(organization=other, title="Hidden", stages=["job-access"], shared_with=[trainer])
    offer(organization=trainer, title="Elsewhere", stages=["job-access"], counties=["henry"])
    PostFactory(organization=trainer, title="An ask", stages=["job-access"])
    offer(organization=other, title="Region-wide", stages=["job-access"])
    found = candidates_for(ask, viewer)
    assert [(post.title, fit.reason) for post, fit in found] == [
        (fits.title, "same stage, same county, talent supply offers what employer demand asks"),
        ("Region-wide", "same stage, region-wide, talent supply offers what employer demand asks"),
    ]


def test_the_database_leaves_out_offers_from_the_asks_own_side(ask, employer):
    # The ask is an employer's (employer demand): another employer's offer
    # shares everything but the side, and is not listed; a trainer's is.
    viewer = viewer_of(member_of(employer))
    other_employer = OrganizationFactory(name="Peachtree Logistics", side=DEMAND)
    offer(organization=other_employer, title="Hiring event", side=DEMAND,
          stages=["job-access"], counties=["cobb"])  # fmt: skip
    offer(organization=other_employer, title="Open to both", side=BOTH,
          stages=["job-access"], counties=["cobb"])  # fmt: skip
    offer(organization=OrganizationFactory(), title="Graduates", side=SUPPLY,
          stages=["job-access"], counties=["cobb"])  # fmt: skip
    assert ask.side == DEMAND
    assert sorted(post.title for post, _fit in candidates_for(ask, viewer)) == [
        "Graduates",
        "Open to both",
    ]


def queries_for_matches(client, ask) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("asks:post_matches", args=[ask.pk]))
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_match_list_runs_the_same_queries_for_10_and_500_posts(client, ask, employer):
    partners = [OrganizationFactory() for _ in range(5)]
    client.force_login(member_of(employer))
    bulk_posts(10, partners)
    small = queries_for_matches(client, ask)
    shown_small = len(client.get(reverse("asks:post_matches", args=[ask.pk])).context["rows"])
    bulk_posts(490, partners)
    assert Post.objects.count() == 501
    large = queries_for_matches(client, ask)
    shown_large = len(client.get(reverse("asks:post_matches", args=[ask.pk])).context["rows"])
    assert small == large
    assert 0 < shown_small < shown_large
