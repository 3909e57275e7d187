"""Pages, feeds and calendars go out compressed to clients that accept gzip,
padded against BREACH; downloads and byte ranges go out as they are."""

from __future__ import annotations

import gzip
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.forums.factories import ForumFactory
from tests.news.factories import NewsPostFactory
from tests.research.factories import ResourceFactory

pytestmark = pytest.mark.django_db

GZIP = {"accept-encoding": "gzip, deflate, br"}
# What differs between two answers of the same page: the scripts' nonce and
# the CSRF token (masked anew each time) of the forms and of htmx.
PER_ANSWER = re.compile(rb'(nonce="|value="|"X-CSRFToken": ")[^"]*"')


def same_page(body: bytes) -> bytes:
    return PER_ANSWER.sub(rb'\1"', body)


def test_a_page_is_compressed_for_a_browser_and_plain_for_a_client_without_gzip(client):
    plain = client.get(reverse("about"))
    packed = client.get(reverse("about"), headers=GZIP)

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert same_page(gzip.decompress(packed.content)) == same_page(plain.content)
    assert len(packed.content) < len(plain.content) / 2


def test_the_same_page_compresses_differently_each_time_against_breach(client):
    # Django pads the gzip header with random bytes: equal pages, unequal bodies.
    bodies = {client.get(reverse("about"), headers=GZIP).content for _ in range(4)}
    assert len(bodies) > 1


def test_feeds_and_calendars_are_compressed(client):
    for n in range(3):
        NewsPostFactory(title=f"Transit and jobs, part {n}")
        ForumFactory(title=f"Forum on transit and jobs, part {n}")
    for name in ("news:feed_rss", "forums:feed"):
        response = client.get(reverse(name), headers=GZIP)
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip", name


def test_a_cached_page_serves_both_encodings(client, settings):
    settings.PAGE_CACHE_SECONDS = 60
    first = client.get(reverse("home"), headers=GZIP)
    plain = client.get(reverse("home"))
    again = client.get(reverse("home"), headers=GZIP)
    assert "Content-Encoding" not in plain and plain.content.startswith(b"<!doctype html>")
    assert same_page(gzip.decompress(first.content)) == same_page(plain.content)
    assert same_page(gzip.decompress(again.content)) == same_page(plain.content)


def test_a_download_and_its_ranges_go_out_as_they_are(client):
    resource = ResourceFactory(visibility="public")
    resource.file.save("report.pdf", ContentFile(b"%PDF-1.4 " + b"report " * 500), save=False)
    resource.file_type = "pdf"
    resource.save()
    url = reverse("research:download", args=[resource.slug])
    whole = client.get(url, headers=GZIP)
    part = client.get(url, headers=GZIP | {"range": "bytes=10-"})
    assert whole.status_code == 200 and "Content-Encoding" not in whole
    assert part.status_code == 206 and "Content-Encoding" not in part
