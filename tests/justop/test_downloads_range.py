"""Downloads resume: a research file or a forum material answers a single
byte range (206) with exactly those bytes, refuses one beyond its end (416),
sends the whole file when the client's copy is of another version
(If-Range), answers HEAD with the headers alone, and keeps the visibility
rule: an outsider still gets 404 and a signed-out person is sent to sign
in, whatever the range."""

from __future__ import annotations

import os
import tracemalloc
import urllib.request
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from forums.models import Forum, Material
from research.models import Resource
from tests.factories import MemberFactory, OrganizationFactory, member_of, sent_to_sign_in, sign_in
from tests.forums.factories import ForumFactory
from tests.research.factories import ResourceFactory, research_setup  # noqa: F401
from tests.s3 import (  # noqa: F401 - fixtures
    s3_fixture,
    s3_server_fixture,
    use_buckets,
)

pytestmark = pytest.mark.django_db

# 5,120 bytes, each telling its position: a wrong offset shows.
DATA = bytes(range(256)) * 20
V = Resource.Visibility


def resource(visibility: str = V.PUBLIC, content: bytes = DATA, **kwargs) -> Resource:
    report = ResourceFactory(visibility=visibility, **kwargs)
    report.file.save("report.pdf", ContentFile(content), save=False)
    report.file_type = "pdf"
    report.save()
    return report


def download(client, report: Resource, method: str = "get", **headers):
    url = reverse("research:download", args=[report.slug])
    return getattr(client, method)(url, headers=headers)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def counted(report: Resource) -> int:
    report.refresh_from_db()
    return report.download_count


# --- A public file -------------------------------------------------------------------


def test_it_resumes_a_public_file_from_byte_1000(client):
    report = resource()
    response = download(client, report, range="bytes=1000-")
    assert response.status_code == 206
    assert body(response) == DATA[1000:]
    assert response["Content-Range"] == f"bytes 1000-{len(DATA) - 1}/{len(DATA)}"
    assert response["Content-Length"] == str(len(DATA) - 1000)
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    # The same validators and cache policy as the whole file.
    assert response.has_header("ETag") and response.has_header("Last-Modified")
    assert response["Cache-Control"] == "public, no-cache"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=-100", len(DATA) - 100, len(DATA) - 1),
        ("bytes=5000-999999", 5000, len(DATA) - 1),  # an end past the file is its end
        ("bytes=-999999", 0, len(DATA) - 1),  # a suffix longer than the file is all of it
        ("BYTES=10-10", 10, 10),
    ],
)
def test_it_sends_exactly_the_bytes_asked_for(client, header, start, end):
    response = download(client, resource(), range=header)
    assert response.status_code == 206
    assert body(response) == DATA[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert response["Content-Length"] == str(end - start + 1)


@pytest.mark.parametrize("header", ["bytes=5120-", "bytes=999999-1000000", "bytes=-0"])
def test_a_range_beyond_the_end_is_refused_with_the_size(client, header):
    response = download(client, resource(), range=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(DATA)}"
    assert response.content == b""


@pytest.mark.parametrize(
    "header",
    [
        "bytes=0-9,20-29",  # several ranges: the whole file, as RFC 9110 allows
        "bytes=9-0",  # invalid, so ignored
        "items=0-9",
        "bytes=",
        "bytes=-",
        "bytes=1" + "0" * 40 + "-",
    ],
)
def test_any_other_range_gets_the_whole_file(client, header):
    response = download(client, resource(), range=header)
    assert response.status_code == 200
    assert body(response) == DATA
    assert response["Content-Length"] == str(len(DATA))
    assert response["Accept-Ranges"] == "bytes"


def test_a_range_of_another_version_gets_the_whole_new_file(client):
    report = resource()
    first = download(client, report)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert download(client, report, range="bytes=1000-", if_range=etag).status_code == 206
    # A file with an ETag is resumed by it: a date cannot tell two files
    # written within one second apart.
    assert download(client, report, range="bytes=1000-", if_range=modified).status_code == 200

    report.file.save("report.pdf", ContentFile(DATA[::-1]), save=True)
    for stale in (etag, modified, "W/" + etag, http_date(0)):
        response = download(client, report, range="bytes=1000-", if_range=stale)
        assert response.status_code == 200, stale
        assert body(response) == DATA[::-1]


def test_a_cache_asking_again_still_gets_304(client):
    report = resource()
    etag = download(client, report)["ETag"]
    assert download(client, report, if_none_match=etag, range="bytes=1000-").status_code == 304


def test_head_answers_the_headers_without_the_file(client):
    report = resource()
    response = download(client, report, method="head")
    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Length"] == str(len(DATA))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "application/pdf"
    assert response.has_header("ETag")
    assert counted(report) == 0


def test_only_a_download_from_the_first_byte_is_counted(client):
    report = resource()
    assert download(client, report).status_code == 200
    assert download(client, report, range="bytes=0-99").status_code == 206
    # Resuming (twice, as a phone on a bad line would) is the same download.
    assert download(client, report, range="bytes=1000-").status_code == 206
    assert download(client, report, range="bytes=4000-").status_code == 206
    assert download(client, report, range="bytes=-100").status_code == 206
    assert download(client, report, range="bytes=9999-").status_code == 416
    assert counted(report) == 2


# --- Files behind the visibility rule ---------------------------------------------


def test_a_members_only_file_resumes_for_a_member_and_is_hidden_from_others(client):
    report = resource(V.MEMBERS)
    assert sent_to_sign_in(download(client, report, range="bytes=1000-"))
    sign_in(client, MemberFactory())
    response = download(client, report, range="bytes=1000-")
    assert response.status_code == 206
    assert body(response) == DATA[1000:]
    assert response["Cache-Control"] == "private, no-store"
    # No ETag (the file stays out of every cache) but a date to resume by.
    modified = response["Last-Modified"]
    assert download(client, report, range="bytes=1000-", if_range=modified).status_code == 206


def test_an_organization_file_resumes_for_its_members_only(client):
    org = OrganizationFactory()
    report = resource(V.ORGANIZATION, organizations=[org])
    sign_in(client, MemberFactory())  # a member of another organization
    assert download(client, report, range="bytes=1000-").status_code == 404
    assert download(client, report, method="head").status_code == 404
    sign_in(client, member_of(org))
    response = download(client, report, range="bytes=1000-")
    assert response.status_code == 206
    assert body(response) == DATA[1000:]


# --- Forum materials -----------------------------------------------------------------


def material(audience: str = Forum.Audience.PUBLIC) -> Material:
    forum = ForumFactory(audience=audience, starts_at=timezone.now() + timedelta(days=3))
    return Material.objects.create(
        forum=forum, title="Slides", file=ContentFile(DATA, name="slides.pdf")
    )


def material_url(found: Material) -> str:
    return reverse("forums:material", args=[found.forum.slug, found.pk])


def test_a_forum_material_resumes_and_answers_head(client):
    found = material()
    response = client.get(material_url(found), headers={"range": "bytes=1000-"})
    assert response.status_code == 206
    assert body(response) == DATA[1000:]
    assert response["Content-Range"] == f"bytes 1000-{len(DATA) - 1}/{len(DATA)}"
    assert response["Cache-Control"] == "private, no-store"
    head = client.head(material_url(found))
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Length"] == str(len(DATA))
    # Its date is the file's own: a replaced file is another version.
    modified = head["Last-Modified"]
    found.file.save("slides.pdf", ContentFile(DATA[::-1]))
    later = (timezone.now() + timedelta(minutes=1)).timestamp()
    os.utime(found.file.path, (later, later))
    again = client.get(material_url(found), headers={"range": "bytes=1000-", "if-range": modified})
    assert again.status_code == 200
    assert body(again) == DATA[::-1]


def test_a_members_only_material_stays_hidden_from_a_visitor(client):
    found = material(Forum.Audience.MEMBERS)
    assert sent_to_sign_in(client.get(material_url(found), headers={"range": "bytes=0-9"}))
    sign_in(client, MemberFactory())
    response = client.get(material_url(found), headers={"range": "bytes=0-9"})
    assert response.status_code == 206
    assert body(response) == DATA[:10]


# --- Large files -------------------------------------------------------------------


def test_a_range_of_a_large_file_is_streamed_not_read_into_memory(client):
    size = 24 * 1024 * 1024
    report = resource(content=b"\x00" * size)
    tracemalloc.start()
    try:
        response = download(client, report, range=f"bytes={size // 2}-")
        sent = sum(len(block) for block in response.streaming_content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 206
    assert sent == size - size // 2
    assert peak < 2 * 1024 * 1024, peak


# --- Signed URLs of an object store ------------------------------------------------


@pytest.mark.s3
def test_with_signed_urls_the_store_answers_the_range_after_the_rule(client, s3, settings):
    use_buckets(settings, {**s3.environ, "S3_SIGNED_URL_SECONDS": "60"})
    report = resource(V.MEMBERS)
    assert sent_to_sign_in(download(client, report))
    sign_in(client, MemberFactory())
    response = download(client, report, range="bytes=1000-")
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    assert response["Location"].startswith(f"{s3.server.endpoint}/{s3.private}/")
    ask = urllib.request.Request(response["Location"], headers={"Range": "bytes=1000-"})  # noqa: S310
    with urllib.request.urlopen(ask, timeout=10) as answer:  # noqa: S310 - loopback
        assert answer.status == 206
        assert answer.read() == DATA[1000:]
    # Resuming through the redirect is no new download; starting is.
    assert counted(report) == 0
    assert download(client, report).status_code == 302
    assert counted(report) == 1
