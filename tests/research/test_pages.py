"""The library's pages, its management pages, citations, and what it adds
to the digest, the sitemap and the demo."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circle import digests
from justop.digests import Period
from justop.models import OutboxEmail
from research import citations, sections
from research.models import Resource, Topic
from tests.factories import (
    OrganizationFactory,
    StaffFactory,
    UserFactory,
    member_of,
    sign_in_with_second_factor,
)
from tests.research.factories import ResourceFactory, pdf_bytes, research_setup, upload  # noqa: F401

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
IN_WEEK_48 = datetime(2026, 11, 24, 9, 0, tzinfo=NY)  # last complete week: 16 to 22 November
IN_WEEK_47 = datetime(2026, 11, 18, 12, 0, tzinfo=NY)


# --- Digest ------------------------------------------------------------------------------


@pytest.fixture
def two_organizations():
    org_a = OrganizationFactory(name="Organization A", slug="org-a")
    org_b = OrganizationFactory(name="Organization B", slug="org-b")
    ResourceFactory(
        title="A's internal budget study",
        visibility="organization",
        organizations=[org_a],
        published_at=IN_WEEK_47,
    )
    ResourceFactory(title="Members' transit brief", visibility="members", published_at=IN_WEEK_47)
    ResourceFactory(title="Public wage report", published_at=IN_WEEK_47)
    ResourceFactory(title="An older report", published_at=datetime(2026, 10, 1, tzinfo=NY))
    ResourceFactory(title="A draft", status="draft", published_at=None)
    return org_a, org_b


def test_the_digest_of_a_member_of_b_holds_nothing_visible_only_to_a(two_organizations):
    org_a, org_b = two_organizations
    member_a, member_b = member_of(org_a), member_of(org_b)
    period = Period.last_complete("weekly", IN_WEEK_48)
    found = sections.new_for_members([member_a, member_b], period)
    titles_b = [item["title"] for item in found[member_b.pk]]
    assert titles_b == ["Members' transit brief", "Public wage report"] or sorted(titles_b) == [
        "Members' transit brief",
        "Public wage report",
    ]
    assert sorted(item["title"] for item in found[member_a.pk]) == [
        "A's internal budget study",
        "Members' transit brief",
        "Public wage report",
    ]


def test_the_digest_email_of_b_does_not_mention_a_s_resource(two_organizations):
    org_a, org_b = two_organizations
    member_b = member_of(org_b)
    member_of(org_a)
    digests.send_digests("weekly", now=IN_WEEK_48)
    email = OutboxEmail.objects.get(recipient=member_b.email)
    text = json.dumps(email.context) + email.body_text + email.body_html
    assert "Public wage report" in text
    assert "internal budget" not in text


def test_the_digest_section_runs_three_queries_for_any_batch(two_organizations):
    org_a, org_b = two_organizations
    period = Period.last_complete("weekly", IN_WEEK_48)
    few = [member_of(org_a), member_of(org_b)]
    many = few + [member_of(org_b) for _ in range(10)] + [UserFactory(), StaffFactory()]
    counts = []
    for users in (few, many):
        with CaptureQueriesContext(connection) as queries:
            sections.new_for_members(users, period)
        counts.append(len(queries))
    assert counts == [3, 3]


# --- Pages -------------------------------------------------------------------------------


def test_the_library_shows_the_newest_and_the_six_guiding_principles(client):
    ResourceFactory(title="Corridor study", topics=["place-based"])
    body = client.get(reverse("research:library")).content.decode()
    assert "Corridor study" in body
    assert body.count('id="topic-') == 6
    assert "Place-based approaches for economic inclusion" in body


def test_the_topic_page_lists_its_resources_in_spanish_too(client):
    ResourceFactory(title="Corridor study", topics=["place-based"])
    ResourceFactory(title="Unrelated", topics=["workforce-skills"])
    url = reverse("research:topic", args=["place-based"])
    body = client.get(url).content.decode()
    assert "Corridor study" in body and "Unrelated" not in body
    body = client.get(url, headers={"Accept-Language": "es"}).content.decode()
    assert "Inclusión económica basada en el lugar" in body
    assert client.get(reverse("research:topic", args=["nothing"])).status_code == 404


def test_the_detail_page_cites_the_resource_and_links_related_ones(client):
    resource = ResourceFactory(
        title="Wages & {tenure}_2025",
        slug="wages",
        authors="Ana María Díaz; John Smith",
        by_pse=True,
        topics=["family-well-being"],
    )
    ResourceFactory(title="Related one", topics=["family-well-being"])
    ResourceFactory(title="Private one", topics=["family-well-being"], visibility="members")
    body = client.get(resource.get_absolute_url()).content.decode()
    assert "Díaz, A. M., &amp; Smith, J. (2025). Wages &amp; {tenure}_2025." in body
    assert r"title = {{Wages \&amp; \{tenure\}\_2025}}" in body
    assert "Related one" in body and "Private one" not in body


def test_bibtex_fields_cannot_break_out_of_the_entry():
    resource = ResourceFactory(
        title="A} @misc{evil, title={x",
        slug="a",
        authors="O'Brien, Pat",
        published_on=date(2024, 1, 1),
    )
    entry = citations.bibtex(resource, "https://example.org/research/a/")
    # Outside escaped braces, the entry's own braces close only at its end.
    depth, closed_at = 0, []
    for position, char in enumerate(entry.replace(r"\{", "").replace(r"\}", "")):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and char == "}":
            closed_at.append(position)
    assert len(closed_at) == 1 and entry.endswith("}")
    assert r"A\} @misc\{evil, title=\{x" in entry
    assert "author = {O'Brien, Pat}" in entry
    assert citations.apa_name("O'Brien, Pat") == "O'Brien, P."


def test_an_admin_of_a_publishes_for_a_and_edits_only_a_s_resources(client):
    org_a, org_b = OrganizationFactory(slug="org-a"), OrganizationFactory(slug="org-b")
    other = ResourceFactory(title="B's", organizations=[org_b])
    admin = member_of(org_a, "admin")
    client.force_login(admin)
    response = client.post(
        reverse("research:manage_add", args=["org-a"]),
        {
            "title_en": "Our hiring guide",
            "kind": "toolkit",
            "abstract_en": "How we hire.",
            "published_on": "2025-06-01",
            "language": "en",
            "visibility": "organization",
            "status": "draft",
            "external_url": "https://example.org/guide",
            "topics": [Topic.objects.get(key="untapped-assets").pk],
            "tag_names": "hiring, Hiring, fair chance",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    resource = Resource.objects.get(title="Our hiring guide")
    assert list(resource.organizations.all()) == [org_a]
    assert resource.created_by == admin
    assert sorted(resource.tags.values_list("name", flat=True)) == ["fair chance", "hiring"]
    listing = client.get(reverse("research:manage_list", args=["org-a"])).content.decode()
    assert "Our hiring guide" in listing and "B&#x27;s" not in listing
    # A draft is not in the library yet, even for the admin who wrote it.
    assert client.get(resource.get_absolute_url()).status_code == 404
    edit = reverse("research:manage_edit", args=["org-a", other.pk])
    assert client.get(edit).status_code == 404


def test_the_sitemap_lists_public_resources_only(client):
    ResourceFactory(slug="open-one")
    ResourceFactory(slug="members-one", visibility="members")
    ResourceFactory(slug="draft-one", status="draft")
    body = client.get("/sitemap.xml").content.decode()
    assert "/research/open-one/" in body
    assert "members-one" not in body and "draft-one" not in body
    assert "/research/topics/place-based/" in body


def test_the_admin_extracts_again_on_request(client, django_capture_on_commit_callbacks):
    sign_in_with_second_factor(client, StaffFactory())
    resource = ResourceFactory()
    from django.core.files.base import ContentFile

    resource.file.save("a.pdf", ContentFile(pdf_bytes("Mentions okapi")), save=False)
    resource.file_type = "pdf"
    resource.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:research_resource_changelist"),
            {"action": "extract_again", "_selected_action": [resource.pk]},
        )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.extraction == "done" and "okapi" in resource.extracted_text


def test_staff_upload_in_the_admin_is_checked_like_any_other(client):
    sign_in_with_second_factor(client, StaffFactory())
    response = client.post(
        reverse("admin:research_resource_add"),
        {
            "title_en": "x",
            "slug": "x",
            "kind": "report",
            "abstract_en": "x",
            "published_on": "2025-01-01",
            "language": "en",
            "visibility": "public",
            "status": "published",
            "file": upload("x.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        },
    )
    assert "not a PDF, CSV" in response.content.decode()


def test_the_demo_seeds_a_few_dozen_resources_twice_the_same(settings):
    call_command("seed_demo")
    first = sorted(Resource.objects.values_list("slug", "visibility", "status", "file"))
    call_command("seed_demo")
    assert sorted(Resource.objects.values_list("slug", "visibility", "status", "file")) == first
    assert len(first) >= 30
    assert {v for _, v, _, _ in first} == {"public", "members", "organization"}
    assert Resource.objects.filter(extraction="done").count() >= 20
