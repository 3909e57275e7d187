"""News feeds as feed readers poll them: 304 while nothing changed, the new
post once there is one, addresses on SITE_URL whatever the Host, and the
hero image as an enclosure."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from news.models import NewsPost
from tests.news.test_posts import make_post

pytestmark = pytest.mark.django_db
FEEDS = ["news:feed_rss", "news:feed_atom"]


@pytest.mark.parametrize("name", FEEDS)
def test_it_answers_304_while_nothing_changed_and_200_after_a_new_post(client, name):
    first_post = make_post("First", publish_at=timezone.now() - timedelta(days=2))
    # Posted two days ago, not edited since.
    NewsPost.objects.filter(pk=first_post.pk).update(updated_at=first_post.publish_at)
    first = client.get(reverse(name))
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, no-cache"

    again = client.get(reverse(name), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    since = client.get(reverse(name), headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304

    make_post("Second", publish_at=timezone.now() - timedelta(minutes=1))
    after = client.get(reverse(name), headers={"if-none-match": first["ETag"]})
    assert after.status_code == 200
    assert "Second" in [e.title for e in feedparser.parse(after.content).entries]
    later = client.get(reverse(name), headers={"if-modified-since": first["Last-Modified"]})
    assert later.status_code == 200


@pytest.mark.parametrize("name", FEEDS)
def test_links_and_guids_use_site_url_under_another_host(client, settings, name):
    settings.ALLOWED_HOSTS = ["testserver", "other.example.net"]
    settings.SITE_URL = "https://portal.example.org"
    post = make_post("Hosted")

    response = client.get(reverse(name), HTTP_HOST="other.example.net")

    body = response.content.decode()
    assert "other.example.net" not in body
    entry = feedparser.parse(response.content).entries[0]
    assert entry.link == "https://portal.example.org" + post.get_absolute_url()
    assert entry.id == "https://portal.example.org" + post.get_absolute_url()


def test_a_hero_image_is_an_enclosure_with_its_address_length_and_type(client, settings):
    settings.SITE_URL = "https://portal.example.org"
    post = make_post("Pictured")
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    name = post.hero_image.storage.save("news/feed-test.png", ContentFile(png))
    post.hero_image.name = name
    post.save(update_fields=["hero_image"])

    feed = feedparser.parse(client.get(reverse("news:feed_rss")).content)

    [enclosure] = feed.entries[0].enclosures
    assert enclosure.type == "image/png"
    assert enclosure.length == str(len(png))
    assert enclosure.href.startswith("https://portal.example.org")
    assert enclosure.href.endswith("feed-test.png") or "feed-test" in enclosure.href


def test_every_public_page_names_the_feeds_in_its_head(client):
    head = client.get(reverse("home")).content.decode().split("</head>")[0]

    assert 'type="application/rss+xml"' in head
    assert 'type="application/atom+xml"' in head
    assert reverse("news:feed_rss") in head
    assert reverse("forums:feed") in head
