"""A deactivated organization keeps no powers (issue 15, item 4).

Organization B is set inactive by staff. Its admin can no longer manage it,
invite people or publish for it (403, told why); staff with their second
factor still can. Nothing it alone stands behind is shown to visitors or
members any more: its research (pages, library, search and its counts,
sitemap, home page, digest) and its asks and offers (board, detail, in every
audience). What another active organization or PSE co-published stays.
Staff with staff power see everything. PSE's forums stay: a host is a
co-host, never the owner."""

from __future__ import annotations

import datetime
import itertools
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from asks.models import Post
from circle.models import Invitation, Membership, Organization
from circle.viewers import ANONYMOUS, Viewer, digest_viewer, viewer_of
from forums.models import Forum
from justop.digests import Period
from justop.models import OutboxEmail
from research import search, sections
from research.models import Resource
from tests.asks.factories import PostFactory
from tests.factories import (
    OrganizationFactory,
    StaffFactory,
    UserFactory,
    member_of,
    sign_in_with_second_factor,
)
from tests.research.factories import ResourceFactory, research_setup  # noqa: F401

pytestmark = pytest.mark.django_db

ADMIN = Membership.Role.ADMIN
INACTIVE = Organization.Status.INACTIVE
V = Resource.Visibility
WORD = "quetzalcoatlus"
NO_LONGER_ACTIVE = "is no longer active in the Circle: only PSE staff can change it"


@pytest.fixture
def world():
    org_a = OrganizationFactory(name="Organization A", slug="org-a")
    org_b = OrganizationFactory(name="Organization B", slug="org-b")
    return {
        "org_a": org_a,
        "org_b": org_b,
        "admin_a": member_of(org_a, ADMIN),
        "member_a": member_of(org_a),
        "admin_b": member_of(org_b, ADMIN),
        "member_b": member_of(org_b),
        "staff": StaffFactory(),
    }


def deactivate(organization: Organization) -> None:
    organization.status = INACTIVE
    organization.save()


# --- Managing --------------------------------------------------------------------------


def manage_urls(org: Organization, membership: Membership) -> list[str]:
    slug = org.slug
    return [
        reverse("circle:manage_profile", args=[slug]),
        reverse("circle:manage_members", args=[slug]),
        reverse("circle:manage_member", args=[slug, membership.pk]),
        reverse("circle:manage_invitations", args=[slug]),
        reverse("asks:manage_posts", args=[slug]),
        reverse("research:manage_list", args=[slug]),
        reverse("research:manage_add", args=[slug]),
    ]


def publish_data(title: str) -> dict[str, str]:
    return {
        "title": title,
        "kind": "report",
        "abstract": "Findings.",
        "published_on": "2026-01-10",
        "language": "en",
        "external_url": "https://example.org/r",
        "visibility": "public",
        "status": "published",
    }


def test_the_admin_of_an_inactive_organization_is_refused_its_manage_pages(client, world):
    org_b, admin_b = world["org_b"], world["admin_b"]
    membership = Membership.objects.get(user=world["member_b"])
    urls = manage_urls(org_b, membership)
    client.force_login(admin_b)
    assert [client.get(url).status_code for url in urls] == [200] * len(urls)

    deactivate(org_b)

    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        # The 403 page says why, not only that the door is closed.
        assert f"Organization B {NO_LONGER_ACTIVE}" in response.content.decode(), url


def test_nor_can_it_invite_change_roles_or_publish(client, world):
    org_b, admin_b = world["org_b"], world["admin_b"]
    membership = Membership.objects.get(user=world["member_b"])
    deactivate(org_b)
    client.force_login(admin_b)

    invite = client.post(
        reverse("circle:manage_invitations", args=[org_b.slug]),
        {"emails": "rosa@example.org", "role": "member"},
    )
    role = client.post(
        reverse("circle:manage_member", args=[org_b.slug, membership.pk]),
        {"role": "admin", "title": "Boss"},
    )
    publish = client.post(
        reverse("research:manage_add", args=[org_b.slug]), publish_data(f"Report {WORD}")
    )

    assert (invite.status_code, role.status_code, publish.status_code) == (403, 403, 403)
    assert not Invitation.objects.exists()
    assert not OutboxEmail.objects.exists()
    membership.refresh_from_db()
    assert membership.role == Membership.Role.MEMBER
    assert not Resource.objects.exists()


def test_its_plain_members_and_outsiders_keep_their_answers(client, world):
    """A member without the admin role got 403 before; an outsider 404."""
    org_b = world["org_b"]
    deactivate(org_b)
    url = reverse("circle:manage_profile", args=[org_b.slug])
    client.force_login(world["member_b"])
    assert client.get(url).status_code == 403
    client.force_login(world["admin_a"])
    assert client.get(url).status_code == 404


def test_staff_with_their_second_factor_still_manage_it(client, world):
    org_b = world["org_b"]
    membership = Membership.objects.get(user=world["member_b"])
    deactivate(org_b)
    sign_in_with_second_factor(client, world["staff"])

    for url in manage_urls(org_b, membership):
        assert client.get(url).status_code == 200, url
    response = client.post(
        reverse("circle:manage_invitations", args=[org_b.slug]),
        {"emails": "rosa@example.org", "role": "member"},
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(organization=org_b, email="rosa@example.org").exists()
    assert OutboxEmail.objects.count() == 1


def test_staff_without_a_second_factor_are_refused_like_anyone_outside(client, world):
    deactivate(world["org_b"])
    client.force_login(world["staff"])
    assert client.get(reverse("circle:manage_profile", args=["org-b"])).status_code == 404


# --- Research --------------------------------------------------------------------------


@pytest.fixture
def library(world):
    org_a, org_b = world["org_a"], world["org_b"]
    today = timezone.localdate()

    def resource(slug: str, title: str, **kwargs) -> Resource:
        return ResourceFactory(slug=slug, title=title, published_on=today, **kwargs)

    return {
        "only_b": resource("only-b", f"Wages {WORD} of B", organizations=[org_b]),
        "a_and_b": resource("a-and-b", f"Transit {WORD} of A and B", organizations=[org_a, org_b]),
        "pse_and_b": resource(
            "pse-and-b", f"Housing {WORD} of PSE and B", organizations=[org_b], by_pse=True
        ),
        "nobody": resource("nobody", f"Childcare {WORD} of nobody"),
        "b_members": resource(
            "b-members", f"Members {WORD} of B", organizations=[org_b], visibility=V.MEMBERS
        ),
        "b_internal": resource(
            "b-internal", f"Internal {WORD} of B", organizations=[org_b], visibility=V.ORGANIZATION
        ),
    }


STILL_SHOWN = ("a_and_b", "pse_and_b", "nobody")
HIDDEN = ("only_b", "b_members", "b_internal")


def found_slugs(client, **params) -> set[str]:
    response = client.get(reverse("research:search"), params)
    assert response.status_code == 200
    return {r.slug for r in response.context["results"].page.object_list}


def test_a_public_resource_of_an_inactive_organization_alone_is_gone_for_visitors(
    client, world, library
):
    library_url = reverse("research:library")
    # Seen (and cached for visitors) before the organization is deactivated.
    assert "Wages quetzalcoatlus of B" in client.get(library_url).content.decode()
    assert client.get(reverse("research:resource", args=["only-b"])).status_code == 200

    deactivate(world["org_b"])

    for name in ("research:resource", "research:download"):
        assert client.get(reverse(name, args=["only-b"])).status_code == 404
    assert "Wages quetzalcoatlus of B" not in client.get(library_url).content.decode()
    assert "Wages quetzalcoatlus of B" not in client.get("/").content.decode()
    assert found_slugs(client, q=WORD) == {"a-and-b", "pse-and-b", "nobody"}
    assert found_slugs(client, organization="org-b") == {"a-and-b", "pse-and-b"}


def test_what_an_active_organization_or_pse_co_published_stays(client, world, library):
    deactivate(world["org_b"])
    for key in STILL_SHOWN:
        url = library[key].get_absolute_url()
        assert client.get(url).status_code == 200, key
    assert (
        "Transit quetzalcoatlus of A and B"
        in client.get(reverse("research:library")).content.decode()
    )


def test_the_sitemap_leaves_it_out(client, world, library):
    deactivate(world["org_b"])
    tree = ElementTree.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    paths = {urlsplit(loc.text or "").path for loc in tree.findall("s:url/s:loc", ns)}
    assert library["only_b"].get_absolute_url() not in paths
    assert library["a_and_b"].get_absolute_url() in paths


def test_members_of_another_organization_and_its_own_people_no_longer_see_it(
    client, world, library
):
    deactivate(world["org_b"])
    for person in ("member_a", "member_b", "admin_b"):
        client.force_login(world[person])
        for key in HIDDEN:
            url = library[key].get_absolute_url()
            assert client.get(url).status_code == 404, (person, key)
        assert found_slugs(client, q=WORD) & {library[k].slug for k in HIDDEN} == set()


def test_the_search_counts_leave_it_out(world, library):
    deactivate(world["org_b"])
    search.new_generation()  # the counts computed, not read from the cache
    found = search.search(viewer_of(world["member_a"]), {"q": WORD})
    assert found.page.paginator.count == len(STILL_SHOWN)
    assert {(v.value, v.count) for v in found.facets.organization} == {
        ("org-a", 1),
        ("org-b", 2),
    }


def test_staff_with_staff_power_see_all_of_it(client, world, library):
    deactivate(world["org_b"])
    sign_in_with_second_factor(client, world["staff"])
    for key in HIDDEN:
        assert client.get(library[key].get_absolute_url()).status_code == 200, key
    assert found_slugs(client, q=WORD) == {r.slug for r in library.values()}


def test_the_digest_of_new_research_leaves_it_out(world, library):
    deactivate(world["org_b"])
    now = timezone.now()
    period = Period(
        frequency="weekly",
        first_day=now.date(),
        last_day=now.date(),
        start=now - datetime.timedelta(days=7),
        end=now + datetime.timedelta(hours=1),
        key="this-week",
    )
    digest = sections.new_for_members([world["member_a"], world["member_b"]], period)
    titles = {item["title"] for item in digest[world["member_a"].pk]}
    assert titles == {library[k].title for k in STILL_SHOWN}
    # B's people are members of no active organization: nothing of B either.
    assert world["member_b"].pk not in digest or not {
        item["title"] for item in digest[world["member_b"].pk]
    } & {library[k].title for k in HIDDEN}


def test_the_rule_for_one_resource_agrees_with_the_queryset_rule(world, django_assert_num_queries):
    org_a, org_b = world["org_a"], world["org_b"]
    applicant = OrganizationFactory(status=Organization.Status.APPLICANT)
    deactivate(org_b)
    publishers = [[], [org_a], [org_b], [org_a, org_b], [applicant], [org_b, applicant]]
    for orgs, by_pse, visibility, status in itertools.product(
        publishers, (False, True), V.values, Resource.Status.values
    ):
        ResourceFactory(organizations=orgs, by_pse=by_pse, visibility=visibility, status=status)
    viewers = [
        ANONYMOUS,
        viewer_of(UserFactory()),
        viewer_of(world["member_a"]),
        viewer_of(world["member_b"]),
        # A batch job's Viewer is given its organizations; B's must not help.
        digest_viewer(world["member_b"], [org_b.pk]),
        Viewer(user=None, is_staff=True, organization_ids=frozenset()),
    ]
    loaded = list(Resource.objects.prefetch_related("organizations"))
    for viewer in viewers:
        expected = set(Resource.objects.visible_to(viewer).values_list("pk", flat=True))
        with django_assert_num_queries(0):
            assert {r.pk for r in loaded if r.is_visible_to(viewer)} == expected


# --- Asks and offers -------------------------------------------------------------------


@pytest.fixture
def posts(world):
    org_b = world["org_b"]
    return {
        "for_all": PostFactory(organization=org_b, title="Ten welders for the Circle"),
        "for_a": PostFactory(
            organization=org_b, title="Two coaches for A", shared_with=[world["org_a"]]
        ),
    }


def board_titles(client) -> str:
    response = client.get(reverse("asks:board"))
    assert response.status_code == 200
    return response.content.decode()


def test_its_asks_and_offers_are_hidden_from_members(client, world, posts):
    client.force_login(world["member_a"])
    assert client.get(posts["for_a"].get_absolute_url()).status_code == 200

    deactivate(world["org_b"])

    body = board_titles(client)
    for post in posts.values():
        assert post.title not in body
        assert client.get(post.get_absolute_url()).status_code == 404, post.title
    client.force_login(world["member_b"])
    assert client.get(posts["for_all"].get_absolute_url()).status_code == 403  # not a member now


def test_staff_with_staff_power_still_see_its_posts(client, world, posts):
    deactivate(world["org_b"])
    sign_in_with_second_factor(client, world["staff"])
    body = board_titles(client)
    for post in posts.values():
        assert post.title in body
        assert client.get(post.get_absolute_url()).status_code == 200, post.title


def test_the_rule_for_one_post_agrees_with_the_queryset_rule(world):
    org_a, org_b = world["org_a"], world["org_b"]
    org_c = OrganizationFactory(name="Organization C")
    for poster in (org_a, org_b, org_c):
        PostFactory(organization=poster)
        PostFactory(organization=poster, shared_with=[o for o in (org_a, org_c) if o != poster])
    deactivate(org_b)
    viewers = [
        ANONYMOUS,
        viewer_of(world["member_a"]),
        viewer_of(world["member_b"]),
        viewer_of(member_of(org_c)),
        # Given B's id as a batch job could be: B's posts still stay hidden.
        digest_viewer(world["member_b"], [org_b.pk, org_a.pk]),
        Viewer(user=None, is_staff=True, organization_ids=frozenset()),
    ]
    loaded = list(Post.objects.select_related("organization").prefetch_related("shared_with"))
    for viewer in viewers:
        expected = set(Post.objects.visible_to(viewer).values_list("pk", flat=True))
        assert {p.pk for p in loaded if p.is_visible_to(viewer)} == expected
        if not viewer.is_staff:
            assert not Post.objects.visible_to(viewer).filter(organization=org_b).exists()


# --- Forums ----------------------------------------------------------------------------


def test_a_forum_pse_convenes_stays_when_its_host_is_deactivated(client, world):
    """Forums are PSE's convenings (staff publish them); hosts are co-hosts.
    People registered for it keep their forum."""
    start = timezone.now() + datetime.timedelta(days=10)
    forum = Forum.objects.create(
        title="Jobs summit",
        slug="jobs-summit",
        summary="s",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        venue_name="City hall",
        capacity=50,
        status=Forum.Status.PUBLISHED,
    )
    forum.hosts.set([world["org_b"]])
    deactivate(world["org_b"])
    assert client.get(forum.get_absolute_url()).status_code == 200
