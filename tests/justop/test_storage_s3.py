"""Files in an object store: the portal against a real S3 API over HTTP
(moto's server on loopback, tests/s3.py), through its real views.

Public images (logos, hero images) are written to the public bucket and
pages point at that bucket's own URL, which anyone can fetch; research files
are written to the private bucket, reach a reader only through the download
view that applied the resource's visibility rule, and their object's URL
answers nobody who lacks a signature. Nothing is written to local folders.
"""

from __future__ import annotations

import io
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from justop import images, storage
from news.models import NewsPost
from research.models import Resource
from tests import forms
from tests.factories import (
    MemberFactory,
    OrganizationFactory,
    StaffFactory,
    member_of,
    sent_to_sign_in,
    sign_in_with_second_factor,
)
from tests.forms import news_post_data, profile_data
from tests.research.factories import pdf_bytes, research_setup, upload  # noqa: F401
from tests.s3 import (  # noqa: F401 - fixtures
    Buckets,
    fetch,
    s3_environ,
    s3_fixture,
    s3_server_fixture,
    use_buckets,
)

pytestmark = [pytest.mark.s3, pytest.mark.django_db]


def image_bytes(colour: tuple[int, int, int], size: tuple[int, int] = (600, 300)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def image_upload(colour: tuple[int, int, int], name: str = "picture.png") -> ContentFile[bytes]:
    file = ContentFile(image_bytes(colour), name=name)
    file.content_type = "image/png"  # type: ignore[attr-defined]
    return file


def nothing_local(settings) -> bool:
    root = settings.MEDIA_ROOT
    return not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def urls_in(html: str, prefix: str) -> list[str]:
    return sorted(set(re.findall(re.escape(prefix) + r"[^\"' ,]+", html)))


def assert_shows_image(html: str, s3: Buckets, name: str) -> None:
    """The page names every rendition by the public bucket's URL, and each
    answers anyone with its bytes, its image type and a year of caching."""
    shown = urls_in(html, f"{s3.server.endpoint}/{s3.public}/")
    wanted = sorted(s3.public_url(n) for n in images.rendition_names(name))
    assert shown == wanted, (shown, wanted)
    for url in shown:
        status, headers, body = fetch(url)
        assert status == 200, url
        lowered = {k.lower(): v for k, v in headers.items()}
        assert lowered["content-type"] == (
            "image/webp" if url.endswith(".webp") else "image/jpeg"
        ), url
        assert lowered["cache-control"] == storage.PUBLIC_CACHE_CONTROL
        with Image.open(io.BytesIO(body)) as picture:
            assert picture.width == int(re.search(r"-(\d+)x\d+\.", url)[1])  # type: ignore[index]


# --- Logos, by an organization's admin ------------------------------------------------


@pytest.fixture
def org():
    return OrganizationFactory(name="Westside Works", slug="westside-works")


def test_it_stores_shows_replaces_and_removes_a_logo_in_the_public_bucket(
    client, org, s3, settings
):
    client.force_login(member_of(org, "admin"))
    manage = reverse("circle:manage_profile", args=[org.slug])

    response = client.post(manage, profile_data(org, logo=image_upload((0, 102, 153))))
    assert response.status_code == 302
    org.refresh_from_db()
    first = org.logo.name
    assert set(images.rendition_names(first)) <= s3.names(s3.public)
    assert not s3.names(s3.private)
    assert nothing_local(settings)
    assert_shows_image(client.get(org.get_absolute_url()).content.decode(), s3, first)
    # The member directory shows it too, to another organization's member.
    client.force_login(MemberFactory())
    directory = client.get(reverse("circle:directory")).content.decode()
    assert s3.public_url(images.renditions(first)[0].webp) in directory

    client.force_login(member_of(org, "admin"))
    response = client.post(manage, profile_data(org, logo=image_upload((200, 40, 40))))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.logo.name != first
    page = client.get(org.get_absolute_url()).content.decode()
    assert_shows_image(page, s3, org.logo.name)
    assert s3.public_url(first) not in page

    response = client.post(manage, profile_data(org, **{"logo-clear": "on"}))
    assert response.status_code == 302
    org.refresh_from_db()
    assert not org.logo
    assert s3.public not in client.get(org.get_absolute_url()).content.decode()
    assert nothing_local(settings)


# --- Hero images, by staff in the admin -------------------------------------------------


def test_it_stores_shows_replaces_and_removes_a_hero_image_in_the_public_bucket(
    client, s3, settings
):
    sign_in_with_second_factor(client, StaffFactory())
    response = client.post(
        reverse("admin:news_newspost_add"), news_post_data(hero_image=image_upload((30, 120, 60)))
    )
    assert response.status_code == 302
    post = NewsPost.objects.get()
    first = post.hero_image.name
    assert first.startswith("news/")
    client.logout()
    page = client.get(post.get_absolute_url()).content.decode()
    # og:image and twitter:image name the largest fallback in the bucket.
    largest = s3.public_url(images.renditions(first)[-1].fallback)
    assert f'<meta property="og:image" content="{largest}">' in page
    page_without_meta = re.sub(r"<meta [^>]*>", "", page)
    assert_shows_image(page_without_meta, s3, first)
    # The Content Security Policy lets pages load images from the bucket.
    assert s3.server.endpoint in client.get(post.get_absolute_url())["Content-Security-Policy"]

    sign_in_with_second_factor(client, StaffFactory())
    change = reverse("admin:news_newspost_change", args=[post.pk])
    response = client.post(change, news_post_data(hero_image=image_upload((90, 20, 160))))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.hero_image.name != first
    page = re.sub(r"<meta [^>]*>", "", client.get(post.get_absolute_url()).content.decode())
    assert_shows_image(page, s3, post.hero_image.name)

    response = client.post(change, news_post_data(**{"hero_image-clear": "on", "hero_alt": ""}))
    assert response.status_code == 302
    post.refresh_from_db()
    assert not post.hero_image
    assert s3.public not in client.get(post.get_absolute_url()).content.decode()
    assert nothing_local(settings)


# --- Research files, by an organization's admin -------------------------------------


def resource_data(visibility: str, file, **changes) -> dict:
    return forms.resource_data(
        title=f"Jobs along the corridor ({visibility})", visibility=visibility, file=file, **changes
    )


def download(client, resource: Resource):
    return client.get(reverse("research:download", args=[resource.slug]))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def publisher(client, org):
    admin = member_of(org, "admin")
    client.force_login(admin)
    return admin


def test_research_files_go_to_the_private_bucket_and_out_through_the_rule(
    client, org, publisher, s3, settings
):
    add = reverse("research:manage_add", args=[org.slug])
    public_pdf, private_pdf = pdf_bytes("For everyone"), pdf_bytes("For Westside Works only")
    for visibility, content in (("public", public_pdf), ("organization", private_pdf)):
        response = client.post(add, resource_data(visibility, upload("report.pdf", content)))
        assert response.status_code == 302, response.context["form"].errors
    public = Resource.objects.get(visibility="public")
    private = Resource.objects.get(visibility="organization")
    assert s3.names(s3.private) == {public.file.name, private.file.name}
    assert not s3.names(s3.public)
    assert nothing_local(settings)

    member, outsider = member_of(org), MemberFactory()
    # A visitor gets the public file; nobody outside the organization learns
    # that the other one exists.
    client.logout()
    response = download(client, public)
    assert response.status_code == 200 and body(response) == public_pdf
    assert response["Content-Type"] == "application/pdf"
    assert sent_to_sign_in(download(client, private))
    client.force_login(outsider)
    assert download(client, public).status_code == 200
    assert download(client, private).status_code == 404
    client.force_login(member)
    response = download(client, private)
    assert response.status_code == 200 and body(response) == private_pdf
    assert "no-store" in response["Cache-Control"]

    # The object's own URL answers nobody without a signature, and no page
    # or form hands out an address of the private bucket.
    for resource in (public, private):
        status, _headers, content = fetch(s3.private_url(resource.file.name))
        assert status == 403 and content != private_pdf
        assert fetch(s3.public_url(resource.file.name))[0] in (403, 404)
    client.force_login(publisher)
    pages = [
        client.get(private.get_absolute_url()),
        client.get(reverse("research:manage_edit", args=[org.slug, private.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        assert s3.private not in page.content.decode()
        assert s3.server.endpoint not in page.content.decode()


def test_a_research_file_is_replaced_and_deleted_in_the_private_bucket(
    client, org, publisher, s3, settings
):
    add = reverse("research:manage_add", args=[org.slug])
    response = client.post(
        add, resource_data("organization", upload("report.pdf", pdf_bytes("First")))
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    first = resource.file.name

    edit = reverse("research:manage_edit", args=[org.slug, resource.pk])
    second_pdf = pdf_bytes("Second edition")
    response = client.post(edit, resource_data("organization", upload("report.pdf", second_pdf)))
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.file.name != first
    assert resource.file.name in s3.names(s3.private)
    assert body(download(client, resource)) == second_pdf

    sign_in_with_second_factor(client, StaffFactory())
    response = client.post(
        reverse("admin:research_resource_delete", args=[resource.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    client.force_login(publisher)
    assert download(client, resource).status_code == 404
    assert nothing_local(settings)


def test_an_organization_only_cover_is_served_only_through_its_view(client, org, s3):
    resource = Resource.objects.create(
        title="Members' brief",
        slug="members-brief",
        kind=Resource.Kind.BRIEF,
        abstract="For the organization.",
        published_on=date(2025, 6, 1),
        visibility=Resource.Visibility.ORGANIZATION,
        status=Resource.Status.PUBLISHED,
        external_url="https://example.org/brief",
        cover_alt="A chart",
    )
    resource.organizations.set([org])
    resource.cover.save("cover.png", ContentFile(image_bytes((10, 10, 200))))
    names = images.rendition_names(resource.cover.name)
    assert set(names) <= s3.names(s3.private)

    cover = reverse("research:cover", args=[resource.slug])
    client.force_login(member_of(org))
    response = client.get(cover)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    client.force_login(MemberFactory())
    assert client.get(cover).status_code == 404
    assert all(fetch(s3.private_url(name))[0] == 403 for name in names)


# --- Signed URLs, for views that hand the download to the store ----------------------


def test_a_signed_url_is_made_only_after_asking_and_expires(s3, settings):
    private, pdf = storage.private_store, pdf_bytes("Signed")
    name = private.save("research/files/a.pdf", ContentFile(pdf))
    # By default private files are streamed by the views: no URL at all.
    assert private.url(name) == ""
    assert storage.signed_url(private, name, filename="a.pdf", content_type="x") is None

    use_buckets(settings, {**s3.environ, "S3_SIGNED_URL_SECONDS": "120"})
    private = storage.private_store
    assert private.url(name) == ""
    url = storage.signed_url(
        private, name, filename="Jobs report.pdf", content_type="application/pdf"
    )
    assert url is not None
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["120"]
    assert query["X-Amz-Signature"]
    status, headers, content = fetch(url)
    lowered = {k.lower(): v for k, v in headers.items()}
    assert status == 200 and content == pdf
    assert lowered["content-type"] == "application/pdf"
    assert lowered["content-disposition"].startswith('attachment; filename="Jobs report.pdf"')
    assert lowered["cache-control"] == "private, no-store"
    # The same object without its signature is refused.
    assert fetch(url.split("?", 1)[0])[0] == 403


def test_local_folders_make_no_signed_url(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.S3_SIGNED_URL_SECONDS = 120
    name = storage.private_store.save("research/a.pdf", ContentFile(b"%PDF-"))
    assert storage.signed_url(storage.private_store, name, filename="a", content_type="x") is None


# --- Configuration ---------------------------------------------------------------------


def test_the_object_store_is_configured_by_environment_variables(s3_server):
    config = storage.storages_from_env(
        s3_environ(s3_server, "pub", "priv", S3_PUBLIC_URL="https://media.example.org/")
    )
    public, private = config.storages["default"], config.storages["private"]
    assert public["BACKEND"] == "justop.storage.PublicS3Storage"
    assert public["OPTIONS"]["querystring_auth"] is False
    assert public["OPTIONS"]["custom_domain"] == "media.example.org"
    assert private["BACKEND"] == "justop.storage.PrivateS3Storage"
    assert private["OPTIONS"]["querystring_auth"] is True
    assert config.image_origins == ["https://media.example.org"]
    # Without a public URL: the bucket under the endpoint (path style).
    config = storage.storages_from_env(s3_environ(s3_server, "pub", "priv"))
    assert config.image_origins == [s3_server.endpoint]
    assert storage.storages_from_env({}) == storage.LOCAL


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"S3_PUBLIC_BUCKET": "pub"}, "Set both S3_PUBLIC_BUCKET and S3_PRIVATE_BUCKET"),
        ({"S3_PUBLIC_BUCKET": "b", "S3_PRIVATE_BUCKET": "b"}, "two different buckets"),
        (
            {"S3_PUBLIC_BUCKET": "p", "S3_PRIVATE_BUCKET": "q", "S3_ACCESS_KEY_ID": "k"},
            "S3_SECRET_ACCESS_KEY",
        ),
        (
            {"S3_PUBLIC_BUCKET": "p", "S3_PRIVATE_BUCKET": "q", "S3_ENDPOINT_URL": "minio:9000"},
            "S3_ENDPOINT_URL must start with",
        ),
        (
            {"S3_PUBLIC_BUCKET": "p", "S3_PRIVATE_BUCKET": "q", "S3_SIGNED_URL_SECONDS": "1w"},
            "S3_SIGNED_URL_SECONDS='1w' is not a whole number",
        ),
        (
            {"S3_PUBLIC_BUCKET": "p", "S3_PRIVATE_BUCKET": "q", "S3_SIGNED_URL_SECONDS": "86400"},
            "above the maximum of 3600",
        ),
        (
            {"S3_PUBLIC_BUCKET": "p", "S3_PRIVATE_BUCKET": "q", "S3_ADDRESSING_STYLE": "dns"},
            "S3_ADDRESSING_STYLE='dns' is not one of",
        ),
    ],
)
def test_a_half_made_object_store_configuration_fails_loudly(environ, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        storage.storages_from_env(environ)


def test_production_refuses_public_files_over_plain_http():
    environ = {
        "S3_PUBLIC_BUCKET": "p",
        "S3_PRIVATE_BUCKET": "q",
        "S3_ENDPOINT_URL": "http://minio:9000",
    }
    with pytest.raises(ImproperlyConfigured, match="must start with https://"):
        storage.storages_from_env(environ, production=True)
    # An internal plain-HTTP endpoint is fine behind an HTTPS public address.
    config = storage.storages_from_env(
        {**environ, "S3_PUBLIC_URL": "https://media.example.org/justop-public"}, production=True
    )
    assert config.image_origins == ["https://media.example.org"]
