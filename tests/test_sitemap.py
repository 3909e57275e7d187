"""/sitemap.xml lists the public pages, and nothing scheduled or unpublished."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

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
    return [loc.text or "" for loc in tree.findall("s:url/s:loc", NS)]


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
