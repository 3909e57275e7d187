"""Who may find, open, download, quote and count a resource of the library.

A resource visible only to organization A cannot be found, downloaded,
snippeted or counted by a member of B or a visitor; they get 404 when they
try its address."""

from __future__ import annotations

import itertools

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from circle.models import Membership
from circle.viewers import ANONYMOUS, Viewer, viewer_of
from research import search
from research.models import Resource
from tests.factories import (
    OrganizationFactory,
    StaffFactory,
    UserFactory,
    member_of,
    sign_in_with_second_factor,
)
from tests.research.factories import ResourceFactory, pdf_bytes, research_setup  # noqa: F401

pytestmark = pytest.mark.django_db

V = Resource.Visibility
SECRET = "zanzibarquokka"


@pytest.fixture
def world():
    org_a = OrganizationFactory(name="Organization A", slug="org-a")
    org_b = OrganizationFactory(name="Organization B", slug="org-b")
    only_a = ResourceFactory(
        title=f"Internal study {SECRET}",
        slug="internal-study",
        abstract=f"Internal findings about {SECRET} for the team only.",
        visibility=V.ORGANIZATION,
        organizations=[org_a],
        kind=Resource.Kind.DATASET,
        topics=["place-based"],
        published_on="2019-05-01",
        language="es",
    )
    only_a.file.save("study.pdf", ContentFile(pdf_bytes(f"Text {SECRET}")), save=False)
    only_a.file_type = "pdf"
    only_a.save()
    public = ResourceFactory(title="Open report on wages", slug="open-report", abstract="Wages.")
    return {
        "org_a": org_a,
        "only_a": only_a,
        "public": public,
        "member_a": member_of(org_a),
        "member_b": member_of(org_b),
    }


def people(world):
    return {"visitor": None, "member of B": world["member_b"], "signed-in user": UserFactory()}


@pytest.mark.parametrize("who", ["visitor", "member of B", "signed-in user"])
def test_an_outsider_gets_404_on_the_page_and_the_file_of_a_resource_of_a(client, world, who):
    person = people(world)[who]
    if person:
        client.force_login(person)
    # Signed out: sign in first (the link may be theirs); signed in: 404.
    expected = 302 if person is None else 404
    for name in ("research:resource", "research:download"):
        assert client.get(reverse(name, args=["internal-study"])).status_code == expected
    world["only_a"].refresh_from_db()
    assert world["only_a"].download_count == 0


@pytest.mark.parametrize("who", ["visitor", "member of B", "signed-in user"])
def test_an_outsider_finds_counts_and_quotes_nothing_of_it(client, world, who):
    person = people(world)[who]
    if person:
        client.force_login(person)
    for params in ({"q": SECRET}, {"q": "internal"}, {}, {"kind": "dataset"}, {"year": "2019"}):
        response = client.get(reverse("research:search"), params)
        body = response.content.decode()
        # The words searched for are echoed back; nothing of the resource is.
        assert "Internal study" not in body
        assert "Internal findings" not in body
        assert "<mark>" not in body
        results = response.context["results"]
        assert world["only_a"] not in results.page.object_list
        facets = results.facets
        # No filter counts it: no dataset, no 2019, no Spanish, no organization A.
        assert "dataset" not in {v.value for v in facets.kind}
        assert "2019" not in {v.value for v in facets.year}
        assert "es" not in {v.value for v in facets.language}
        assert "org-a" not in {v.value for v in facets.organization}
        assert all(v.count == 0 or v.value != "place-based" for v in facets.topic)
    # Nor do the library's landing page and its topic page.
    for url in (reverse("research:library"), reverse("research:topic", args=["place-based"])):
        assert "Internal study" not in client.get(url).content.decode()


def test_the_members_of_a_find_open_and_download_it(client, world):
    client.force_login(world["member_a"])
    response = client.get(reverse("research:search"), {"q": SECRET})
    assert [r.pk for r in response.context["results"].page.object_list] == [world["only_a"].pk]
    assert client.get(reverse("research:resource", args=["internal-study"])).status_code == 200
    download = client.get(reverse("research:download", args=["internal-study"]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Out of shared caches: it is not public.
    assert download["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("who", ["visitor", "member of B", "signed-in user"])
def test_public_resources_are_open_to_all(client, world, who):
    person = people(world)[who]
    if person:
        client.force_login(person)
    assert client.get(reverse("research:resource", args=["open-report"])).status_code == 200
    response = client.get(reverse("research:search"), {"q": "wages"})
    assert world["public"] in response.context["results"].page.object_list


def test_members_only_resources_need_a_membership_of_the_circle(client, world):
    ResourceFactory(slug="members-brief", visibility=V.MEMBERS)
    url = reverse("research:resource", args=["members-brief"])
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(world["member_b"])
    assert client.get(url).status_code == 200


def test_drafts_are_for_staff_only(client, world):
    ResourceFactory(slug="draft-report", status=Resource.Status.DRAFT)
    url = reverse("research:resource", args=["draft-report"])
    client.force_login(world["member_a"])
    assert client.get(url).status_code == 404
    sign_in_with_second_factor(client, StaffFactory())
    assert client.get(url).status_code == 200


def test_the_rule_for_one_resource_agrees_with_the_rule_for_a_queryset(world):
    """Digests check loaded rows with is_visible_to; lists use visible_to."""
    org_a = world["org_a"]
    for visibility, status in itertools.product(V.values, Resource.Status.values):
        ResourceFactory(visibility=visibility, status=status, organizations=[org_a])
        ResourceFactory(visibility=visibility, status=status)
    viewers = [
        ANONYMOUS,
        viewer_of(UserFactory()),
        viewer_of(world["member_a"]),
        viewer_of(world["member_b"]),
        Viewer(user=None, is_staff=True, organization_ids=frozenset()),
    ]
    for viewer in viewers:
        expected = {r.pk for r in Resource.objects.all() if r.is_visible_to(viewer)}
        assert set(Resource.objects.visible_to(viewer).values_list("pk", flat=True)) == expected


def test_an_inactive_organization_no_longer_opens_its_resources(client, world):
    world["org_a"].status = "inactive"
    world["org_a"].save()
    client.force_login(world["member_a"])
    assert client.get(reverse("research:resource", args=["internal-study"])).status_code == 404


def test_the_organization_page_lists_only_what_the_person_may_see(client, world):
    url = world["org_a"].get_absolute_url()
    assert "Internal study" not in client.get(url).content.decode()
    client.force_login(world["member_a"])
    assert "Internal study" in client.get(url).content.decode()


def test_the_home_page_lists_only_what_the_person_may_see(client, world):
    assert "Internal study" not in client.get("/").content.decode()
    assert "Open report on wages" in client.get("/").content.decode()
    client.force_login(world["member_a"])
    assert "Internal study" in client.get("/").content.decode()


def test_search_function_applies_the_rule_for_snippets_too(world):
    found = search.search(viewer_of(world["member_b"]), {"q": SECRET})
    assert found.page.paginator.count == 0
    assert found.snippets == {}
    assert Membership.objects.filter(user=world["member_b"]).exists()
