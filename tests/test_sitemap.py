"""/sitemap.xml lists the public pages, and nothing scheduled or unpublished."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from news.models import NewsPost
from volunteering.models import Opportunity

pytestmark = pytest.mark.django_db
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def post(slug: str, **kwargs) -> NewsPost:
    defaults = {
        "title": slug,
        "summary": "s",
        "body": "b",
        "category": NewsPost.Category.HAPPENINGS,
        "status": NewsPost.Status.PUBLISHED,
        "publish_at": timezone.now() - timedelta(days=1),
    }
    return NewsPost.objects.create(slug=slug, **(defaults | kwargs))


def locations(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    tree = ElementTree.fromstring(response.content)  # noqa: S314 (our own output)
    # Each page is listed once per language, ?lang=en and ?lang=es.
    return [(loc.text or "").split("?")[0] for loc in tree.findall("s:url/s:loc", NS)]


def test_the_sitemap_lists_public_pages_and_published_posts_only(client):
    post("live-post")
    post("future-post", publish_at=timezone.now() + timedelta(days=3))
    post("draft-post", status=NewsPost.Status.DRAFT)
    Opportunity.objects.create(
        title="Career fair", slug="career-fair", summary="s", description="d", status="published"
    )
    Opportunity.objects.create(title="Hidden", slug="hidden", summary="s", description="d")

    found = locations(client)

    assert any(url.endswith("/news/live-post/") for url in found)
    assert not any("future-post" in url or "draft-post" in url for url in found)
    assert any(url.endswith("/volunteer/career-fair/") for url in found)
    assert not any(url.endswith("/volunteer/hidden/") for url in found)
    assert any(url.endswith("/about/") for url in found)
    assert any(url.endswith("/join/") for url in found)


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_private_pages(client, settings):
    settings.SITE_URL = "https://portal.example.org"
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: https://portal.example.org/sitemap.xml" in text
    assert "Disallow: /admin/" in text and "Disallow: /accounts/" in text


# --- Complete, valid, and every address answers ----------------------------------------

SCHEMA = Path(__file__).parent / "data" / "sitemap.xsd"


def test_the_sitemap_lists_every_kind_of_public_page_valid_and_answering(client, settings):
    from circle.models import Organization
    from research.models import Topic
    from tests.factories import OrganizationFactory
    from tests.forums.factories import ForumFactory
    from tests.research.factories import ResourceFactory

    settings.SITE_URL = "https://portal.example.org"
    active = OrganizationFactory(name="Westside Works")
    inactive = OrganizationFactory(name="Gone Org", status=Organization.Status.INACTIVE)
    past = ForumFactory(
        title="Last spring's forum",
        starts_at=timezone.now() - timedelta(days=90),
        ends_at=timezone.now() - timedelta(days=90, hours=-2),
    )
    members_only = ForumFactory(title="Members forum", audience="members")
    topic = Topic.objects.order_by("key").first()
    resource = ResourceFactory(visibility="public")
    resource.topics.add(topic)
    post("advocacy-post", category=NewsPost.Category.ADVOCACY)

    response = client.get("/sitemap.xml", headers={"host": "testserver"})
    tree = etree.fromstring(response.content)
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(tree), schema.error_log
    entries = {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in tree.findall("s:url", NS)
    }
    paths = {urlsplit(loc).path: lastmod for loc, lastmod in entries.items()}
    assert {urlsplit(loc).query for loc in entries} == {"lang=en", "lang=es"}
    # On SITE_URL, whatever Host the request came with.
    assert all(loc.startswith("https://portal.example.org/") for loc in entries)

    assert active.get_absolute_url() in paths
    assert inactive.get_absolute_url() not in paths
    assert past.get_absolute_url() in paths and paths[past.get_absolute_url()]
    assert members_only.get_absolute_url() not in paths
    assert reverse("research:topic", args=[topic.key]) in paths
    assert paths[reverse("research:topic", args=[topic.key])]  # lastmod from its resource
    assert paths[resource.get_absolute_url()]
    assert paths[reverse("news:category", args=["advocacy"])]
    assert reverse("news:category", args=["happenings"]) not in paths  # no post yet
    for path in ("/forums/", "/forums/past/", "/research/"):
        assert path in paths

    for path in paths:
        assert client.get(path).status_code == 200, path


def test_robots_txt_keeps_crawlers_out_of_every_secret_link(client):
    text = client.get("/robots.txt").content.decode()
    disallowed = [
        line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Disallow")
    ]

    def blocked(path: str) -> bool:
        pattern = [re.escape(p).replace(r"\*", "[^/]*") for p in disallowed]
        return any(re.match(p, path) for p in pattern)

    for secret in (
        "/forums/registrations/abc123/",
        "/forums/calendar/abc123.ics",
        "/forums/some-forum/invitation/abc123/",
        "/news/newsletter/confirm/abc123/",
        "/volunteer/sign-ups/abc123/",
        "/invitations/abc123/",
        "/unsubscribe/abc123/",
    ):
        assert blocked(secret), secret
    for public in ("/forums/", "/forums/calendar.ics", "/forums/some-forum/", "/news/newsletter/"):
        assert not blocked(public), public


def test_each_page_is_listed_in_english_and_spanish_with_its_versions(client, settings):
    settings.SITE_URL = "https://portal.example.org"
    live = post("live-post")

    tree = etree.fromstring(client.get("/sitemap.xml").content)

    address = "https://portal.example.org" + live.get_absolute_url()
    entries = [
        url
        for url in tree.findall("s:url", NS)
        if url.findtext("s:loc", namespaces=NS).startswith(address + "?")
    ]
    assert sorted(url.findtext("s:loc", namespaces=NS) for url in entries) == [
        address + "?lang=en",
        address + "?lang=es",
    ]
    xhtml = "{http://www.w3.org/1999/xhtml}link"
    for url in entries:
        versions = {link.get("hreflang"): link.get("href") for link in url.iter(xhtml)}
        assert versions == {
            "en": address + "?lang=en",
            "es": address + "?lang=es",
            "x-default": address,
        }
