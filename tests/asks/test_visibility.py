"""Who sees an ask or an offer. A post for all members is seen by every
member of the Circle; a post for chosen organizations only by the poster's
organization, the chosen ones and staff: for anyone else it does not exist
(404, and absent from the board, match lists, the organization page, the
continuum counts, outcomes and digests). A conversation about a post is
seen by its two organizations only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from asks import digest, outcomes, services
from asks.matching import candidates_for
from asks.models import Outcome, Post
from circle import continuum
from circle.models import Organization
from circle.viewers import ANONYMOUS, viewer_of
from justop.digests import Period
from tests.asks.factories import PostFactory, offer
from tests.factories import OrganizationFactory, StaffFactory, UserFactory, member_of, sign_in

pytestmark = pytest.mark.django_db
Side = Organization.Side
NOW = timezone.now()
PERIOD = Period.last_complete("weekly", NOW)
IN_PERIOD = PERIOD.start + timedelta(days=2)


@pytest.fixture
def world():
    """A posts an ask for all members and an ask for C only; B and C are
    both training programs that fit them."""
    where = {"stages": ["job-access"], "counties": ["fulton"]}
    a = OrganizationFactory(name="Employer A", side=Side.DEMAND, **where)
    b = OrganizationFactory(name="Trainer B", side=Side.SUPPLY, **where)
    c = OrganizationFactory(name="Trainer C", side=Side.SUPPLY, **where)
    w = {
        "a": a,
        "b": b,
        "c": c,
        "poster": member_of(a),
        "member_b": member_of(b),
        "member_c": member_of(c),
        "staff": StaffFactory(),
        "public": PostFactory(organization=a, title="For everyone", created_at=IN_PERIOD, **where),
        "secret": PostFactory(
            organization=a, title="For C only", shared_with=[c], created_at=IN_PERIOD, **where
        ),
        "offer_b": offer(organization=b, title="Graduates of B", **where),
        "offer_c": offer(organization=c, title="Graduates of C", **where),
    }
    w["author"] = w["poster"]
    return w


def titles(posts) -> set[str]:
    return {p.title for p in posts}


def test_the_secret_post_answers_404_to_other_members(client, world):
    url = world["secret"].get_absolute_url()
    for person, status in [
        ("poster", 200),
        ("member_c", 200),
        ("staff", 200),
        ("member_b", 404),
    ]:
        sign_in(client, world[person])
        assert client.get(url).status_code == status, person
        for name in ("asks:post_matches",):
            assert client.get(reverse(name, args=[world["secret"].pk])).status_code == status


def test_anonymous_visitors_sign_in_and_people_without_an_organization_are_refused(client, world):
    url = world["public"].get_absolute_url()
    assert client.get(url).status_code == 302
    sign_in(client, UserFactory())
    assert client.get(url).status_code == 403


def test_the_secret_post_is_absent_from_the_board_of_others(client, world):
    sign_in(client, world["member_b"])
    shown = titles(client.get(reverse("asks:board")).context["page"].object_list)
    assert shown == {"For everyone", "Graduates of B", "Graduates of C"}
    sign_in(client, world["member_c"])
    shown = titles(client.get(reverse("asks:board")).context["page"].object_list)
    assert "For C only" in shown


def test_the_secret_post_is_absent_from_the_matches_of_others(world):
    for_b = candidates_for(world["offer_b"], viewer_of(world["member_b"]))
    for_c = candidates_for(world["offer_c"], viewer_of(world["member_c"]))
    assert titles(p for p, _fit in for_b) == {"For everyone"}
    assert titles(p for p, _fit in for_c) == {"For everyone", "For C only"}


def test_the_match_page_of_an_offer_does_not_show_the_secret_post(client, world):
    sign_in(client, world["member_b"])
    response = client.get(reverse("asks:post_matches", args=[world["offer_b"].pk]))
    assert "For C only" not in response.text
    assert "For everyone" in response.text


def test_the_secret_post_is_absent_from_the_digest_of_others(world):
    found = digest.for_members([world["member_b"], world["member_c"]], PERIOD)
    assert [i["title"] for i in found[world["member_b"].pk]] == ["Ask: For everyone"]
    assert sorted(i["title"] for i in found[world["member_c"].pk]) == [
        "Ask: For C only",
        "Ask: For everyone",
    ]
    # The poster is not told about its own posts.
    assert world["poster"].pk not in digest.for_members([world["poster"]], PERIOD)


def test_the_secret_post_is_absent_from_the_organization_page_of_others(client, world):
    sign_in(client, world["member_b"])
    page = client.get(world["a"].get_absolute_url()).text
    assert "For everyone" in page and "For C only" not in page
    sign_in(client, world["member_c"])
    assert "For C only" in client.get(world["a"].get_absolute_url()).text


def test_the_secret_post_is_not_counted_on_the_continuum_of_others(world):
    def fulton_job_access(person):
        grid = continuum.build_map(viewer_of(person))
        row = next(r for r in grid.rows if r.county.key == "fulton")
        cell = next(
            cell for cell, stage in zip(row.cells, grid.stages, strict=True)
            if stage.key == "job-access"
        )  # fmt: skip
        return cell.asks, cell.offers

    assert fulton_job_access(world["member_b"]) == (1, 2)
    assert fulton_job_access(world["member_c"]) == (2, 2)


def test_outcomes_of_the_secret_post_are_not_counted_for_others(world):
    secret = world["secret"]
    services.close(secret, status=Post.Status.MATCHED, by=world["poster"],
               outcome=Outcome(people_placed=7))  # fmt: skip
    assert outcomes.summarize(viewer_of(world["member_b"])).total.people == 0
    assert outcomes.summarize(viewer_of(world["member_c"])).total.people == 7


def test_the_python_rule_agrees_with_the_queryset_rule(world):
    """The digest reads posts once for a batch and checks each in memory."""
    inactive = OrganizationFactory(status=Organization.Status.INACTIVE)
    PostFactory(organization=inactive, title="Of an inactive organization")
    viewers = [viewer_of(world[p]) for p in ("poster", "member_b", "member_c", "staff")]
    viewers += [ANONYMOUS, viewer_of(UserFactory()), viewer_of(member_of(inactive))]
    posts = list(Post.objects.select_related("organization").prefetch_related("shared_with"))
    for viewer in viewers:
        expected = set(Post.objects.visible_to(viewer).values_list("pk", flat=True))
        assert {p.pk for p in posts if p.is_visible_to(viewer)} == expected


# --- Conversations --------------------------------------------------------------------


def test_a_conversation_is_seen_by_its_two_organizations_only(client, world):
    public = world["public"]
    with_c = services.respond(
        public, organization=world["c"], author=world["member_c"], body="C can help."
    ).conversation
    with_b = services.respond(
        public, organization=world["b"], author=world["member_b"], body="B can help."
    ).conversation
    url_c = with_c.get_absolute_url()
    for person, status in [("poster", 200), ("member_c", 200), ("staff", 200), ("member_b", 404)]:
        sign_in(client, world[person])
        response = client.get(url_c)
        assert response.status_code == status, person
        if status == 200:
            assert "C can help." in response.text
    # On the post's page the poster lists both; each responder only its own.
    sign_in(client, world["poster"])
    assert client.get(public.get_absolute_url()).context["conversations"] == [with_b, with_c]
    sign_in(client, world["member_b"])
    page = client.get(public.get_absolute_url())
    assert page.context["conversations"] == [with_b]
    assert "C can help." not in page.text


def test_an_outsider_cannot_write_in_a_conversation(client, world):
    public = world["public"]
    thread = services.respond(
        public, organization=world["c"], author=world["member_c"], body="Hi"
    ).conversation
    sign_in(client, world["member_b"])
    response = client.post(thread.get_absolute_url(), {"body": "Let me in"})
    assert response.status_code == 404
    assert thread.responses.count() == 1


def test_responding_to_a_secret_post_is_refused_to_others(client, world):
    sign_in(client, world["member_b"])
    response = client.post(
        reverse("asks:post_respond", args=[world["secret"].pk]),
        {"organization": world["b"].pk, "body": "We saw it anyway"},
    )
    assert response.status_code == 404
    assert not world["secret"].conversations.exists()


def test_the_tags_of_a_secret_post_are_not_offered_as_filters_to_others(client, world):
    world["secret"].expertise.create(name="Confidential pilot", slug="confidential-pilot")
    sign_in(client, world["member_b"])
    assert "Confidential pilot" not in client.get(reverse("asks:board")).text
    sign_in(client, world["member_c"])
    assert "Confidential pilot" in client.get(reverse("asks:board")).text
