"""How much a request may send: a small body and no file anywhere a form
asks for none, or before sign-in; files only where a form takes them, up to
that form's bound. Refused bodies are answered before they are read."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from circle.models import Membership
from news.models import NewsPost, Subscriber
from tests.factories import (
    OrganizationFactory,
    StaffFactory,
    member_of,
    sign_in,
    sign_in_with_second_factor,
)

MB = 1024 * 1024


class CountingInput:
    """A wsgi.input that remembers how much of it was read."""

    def __init__(self, body: bytes) -> None:
        self.stream = io.BytesIO(body)
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        line = self.stream.readline(size)
        self.read_bytes += len(line)
        return line


def multipart(**fields) -> bytes:
    return encode_multipart(BOUNDARY, fields)


def noise_png(side: int) -> bytes:
    """A real PNG that does not compress: about three bytes a pixel."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def post_counting(client, path: str, body: bytes, content_type: str, **extra):
    source = CountingInput(body)
    response = client.generic(
        "POST", path, body, content_type=content_type, **{"wsgi.input": source, **extra}
    )
    return response, source


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    return tmp_path


def assert_refused(response) -> None:
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "That was more than this page takes" in response.content.decode()


def test_a_large_file_posted_to_the_newsletter_form_is_refused_unread(client, db, media):
    body = multipart(email="reader@example.org", cv=SimpleUploadedFile("cv.pdf", b"x" * 2 * MB))

    response, source = post_counting(client, reverse("news:newsletter"), body, MULTIPART_CONTENT)

    assert_refused(response)
    assert source.read_bytes == 0
    assert not Subscriber.objects.exists()
    assert not list(media.rglob("*"))


@pytest.mark.parametrize("url_name", ["account_login", "admin:login"])
def test_a_large_form_without_files_is_refused_before_sign_in(client, db, url_name):
    body = urlencode({"login": "someone@example.org", "password": "x" * 2 * MB}).encode()

    response, source = post_counting(
        client, reverse(url_name), body, "application/x-www-form-urlencoded"
    )

    assert_refused(response)
    assert source.read_bytes == 0


def test_a_small_file_is_refused_where_no_form_takes_one(client, db, media):
    response = client.post(
        reverse("news:newsletter"),
        {"email": "reader@example.org", "note": SimpleUploadedFile("a.txt", b"hello")},
    )

    assert_refused(response)
    assert not Subscriber.objects.exists()
    assert not list(media.rglob("*"))


def test_a_form_sent_as_multipart_without_files_still_works(client, db, smtp_sink):
    response = client.post(reverse("news:newsletter"), {"email": "reader@example.org"})

    assert response.status_code == 302
    assert Subscriber.objects.filter(email="reader@example.org").exists()


def test_a_body_without_a_length_is_refused_unread(client, db):
    body = urlencode({"email": "reader@example.org", "padding": "x" * 2 * MB}).encode()

    response, source = post_counting(
        client,
        reverse("news:newsletter"),
        body,
        "application/x-www-form-urlencoded",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )

    assert_refused(response)
    assert source.read_bytes == 0


def test_a_logo_is_refused_before_sign_in(client, db, media):
    org = OrganizationFactory()
    response = client.post(
        reverse("circle:manage_profile", args=[org.slug]),
        {"name": org.name, "logo": SimpleUploadedFile("logo.png", noise_png(100))},
    )

    assert_refused(response)
    assert not list(media.rglob("*"))


def test_an_organization_admin_still_uploads_a_logo_over_the_small_limit(client, db, media):
    org = OrganizationFactory()
    sign_in(client, member_of(org, Membership.Role.ADMIN))
    logo = noise_png(700)
    assert MB < len(logo) < 2 * MB

    response = client.post(
        reverse("circle:manage_profile", args=[org.slug]),
        {
            "name": org.name,
            "sector": org.sector,
            "side": org.side,
            "mission": org.mission,
            "contact_name": "Dana Reyes",
            "contact_email": "hello@example.org",
            "expertise_names": "",
            "logo": SimpleUploadedFile("logo.png", logo, "image/png"),
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    org.refresh_from_db()
    assert org.logo


def test_staff_still_upload_an_image_in_the_admin_over_the_small_limit(client, db, media):
    sign_in_with_second_factor(client, StaffFactory())
    image = noise_png(720)
    assert MB < len(image) < 5 * MB
    now = timezone.localtime() - timedelta(hours=1)

    response = client.post(
        reverse("admin:news_newspost_add"),
        {
            "title_en": "Spring career fair",
            "slug": "spring-career-fair",
            "category": NewsPost.Category.VOLUNTEER,
            "summary_en": "Help job seekers.",
            "body_en": "We need **volunteers**.",
            "hero_image": SimpleUploadedFile("fair.png", image, "image/png"),
            "hero_alt_en": "Volunteers at a table",
            "author": "",
            "status": NewsPost.Status.PUBLISHED,
            "publish_at_0": now.strftime("%Y-%m-%d"),
            "publish_at_1": now.strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 302
    assert NewsPost.objects.get(slug="spring-career-fair").hero_image


def test_a_signed_in_person_gets_no_upload_bound_where_no_form_takes_files(client, db, media):
    org = OrganizationFactory()
    sign_in(client, member_of(org, Membership.Role.ADMIN))
    body = multipart(email="reader@example.org", cv=SimpleUploadedFile("cv.pdf", b"x" * 2 * MB))

    response, source = post_counting(client, reverse("news:newsletter"), body, MULTIPART_CONTENT)

    assert_refused(response)
    assert source.read_bytes == 0
