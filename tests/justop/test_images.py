"""Uploaded images, made safe and light: re-encoded without metadata,
turned upright and into sRGB, stored in a few widths as WebP plus JPEG or
PNG, refused with a message when animated or too big, and shown with
<picture>, srcset and their size."""

from __future__ import annotations

import io
import re
import struct
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image, ImageCms

from circle.models import Membership, Organization
from justop import images
from news.models import NewsPost
from research.models import Resource
from tests.factories import (
    OrganizationFactory,
    StaffFactory,
    member_of,
    sign_in,
    sign_in_with_second_factor,
)
from tests.forms import news_post_data, profile_data, resource_data
from tests.news.factories import NewsPostFactory
from tests.research.factories import ResourceFactory, research_setup  # noqa: F401

pytestmark = pytest.mark.django_db

NAME = re.compile(r"(?:logos|news|research/covers)/[0-9a-f]{24}-(\d+)x(\d+)\.(webp|jpg|png)")


# --- Images to upload ------------------------------------------------------------


def photo(size=(1600, 1200), *, orientation=None, gps=True, image_format="JPEG", mode="RGB"):
    """A photo as a phone takes it: landscape pixels, an orientation tag
    saying to turn it upright, the place it was taken, the camera, XMP."""
    colour = (200, 30, 30) if mode == "RGB" else (0, 80, 80, 0)
    image = Image.new(mode, size, colour)
    # A mark in the top-left corner of the pixels, to see where it ends up.
    image.paste((20, 20, 200) if mode == "RGB" else (100, 100, 0, 0), (0, 0, 200, 100))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Pocket 12"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (33.0, 44.0, 56.0),
            ExifTags.GPS.GPSLongitudeRef: "W",
            ExifTags.GPS.GPSLongitude: (84.0, 23.0, 17.0),
        }
    buffer = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>secret place</rdf:RDF></x:xmpmeta>'
    image.save(buffer, image_format, exif=exif, xmp=xmp, quality=90)
    return buffer.getvalue()


def png(size=(300, 200), colour=(0, 102, 153, 255)):
    image = Image.new("RGBA", size, colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def animated_gif():
    frames = [Image.new("RGB", (40, 40), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def adobe_rgb_profile() -> bytes:
    """A minimal ICC v2 profile of Adobe RGB (1998): its primaries adapted to
    D50 and a 2.2 gamma (none ships with the system)."""

    def xyz(x, y, z):
        return b"XYZ \0\0\0\0" + b"".join(struct.pack(">i", round(v * 65536)) for v in (x, y, z))

    text = b"Adobe RGB test"
    tags = [
        (b"desc", b"desc\0\0\0\0" + struct.pack(">I", len(text) + 1) + text + b"\0" + b"\0" * 79),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.60974, 0.31111, 0.01947)),
        (b"gXYZ", xyz(0.20528, 0.62567, 0.06087)),
        (b"bXYZ", xyz(0.14919, 0.06322, 0.74457)),
        *((name, b"curv\0\0\0\0" + struct.pack(">IH", 1, 563) + b"\0\0") for name in
          (b"rTRC", b"gTRC", b"bTRC")),
    ]  # fmt: skip
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for name, body in tags:
        table += name + struct.pack(">II", offset + len(data), len(body))
        data += body + b"\0" * (-len(body) % 4)
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + bytes([2, 0x10, 0, 0])
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 28
        + struct.pack(">iii", 63190, 65536, 54061)  # D50
        + b"\0" * 48
    )
    return header + struct.pack(">I", len(tags)) + table + data


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Through the organization's profile form --------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def org(media):
    return OrganizationFactory(name="Westside Works", slug="westside-works")


@pytest.fixture
def admin_client(client, org):
    sign_in(client, member_of(org, Membership.Role.ADMIN))
    return client


def upload_logo(client, org: Organization, content: bytes, **kwargs) -> Organization:
    response = client.post(
        reverse("circle:manage_profile", args=[org.slug]),
        profile_data(org, logo=upload(content, **kwargs)),
    )
    assert response.status_code == 302, response.context["form"].errors
    org.refresh_from_db()
    return org


def logo_error(client, org: Organization, content: bytes, **kwargs) -> str:
    response = client.post(
        reverse("circle:manage_profile", args=[org.slug]),
        profile_data(org, logo=upload(content, **kwargs)),
    )
    assert response.status_code == 200
    return " ".join(response.context["form"].errors["logo"])


def stored(storage, name: str) -> Image.Image:
    with storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_a_phone_photo_comes_back_with_no_exif_gps_or_xmp_in_any_size(admin_client, org):
    org = upload_logo(admin_client, org, photo(orientation=6))

    names = images.rendition_names(org.logo.name)
    assert len(names) == 6
    for name in names:
        image = stored(default_storage, name)
        assert not image.getexif(), name
        assert "exif" not in image.info and "xmp" not in image.info, name
        with default_storage.open(name, "rb") as handle:
            raw = handle.read()
        for marker in (b"Exif", b"PhoneMaker", b"secret place", b"adobe:ns:meta"):
            assert marker not in raw, (name, marker)


def test_the_orientation_is_applied_so_a_tall_photo_stays_tall(admin_client, org):
    # Stored 1600x1200 (landscape), tagged "turn 90 degrees clockwise".
    org = upload_logo(admin_client, org, photo(orientation=6))

    for name in images.rendition_names(org.logo.name):
        image = stored(default_storage, name)
        assert image.height > image.width, name
    largest = stored(default_storage, org.logo.name)
    assert largest.size == (1200, 1600)
    # The mark in the pixels' top-left corner is now at the top right.
    r, _g, b = largest.getpixel((largest.width - 20, 20))
    assert b > 150 and r < 80


def test_every_width_is_stored_as_webp_and_jpeg(admin_client, org):
    org = upload_logo(admin_client, org, photo(gps=False))

    found = images.renditions(org.logo.name)
    assert [(r.width, r.height) for r in found] == [(160, 120), (480, 360), (1200, 900)]
    for rendition in found:
        webp = stored(default_storage, rendition.webp)
        jpeg = stored(default_storage, rendition.fallback)
        assert (webp.format, jpeg.format) == ("WEBP", "JPEG")
        assert webp.size == jpeg.size == (rendition.width, rendition.height)
    assert org.logo.name == found[-1].fallback
    assert sorted(images.rendition_names(org.logo.name)) == sorted(
        n for r in found for n in (r.webp, r.fallback)
    )


def test_an_image_narrower_than_a_width_is_never_enlarged(admin_client, org):
    org = upload_logo(admin_client, org, png(size=(300, 200)), name="l.png")

    assert [(r.width, r.height) for r in images.renditions(org.logo.name)] == [
        (160, 107),
        (300, 200),
    ]


def test_a_transparent_png_keeps_a_png_fallback_and_its_transparency(admin_client, org):
    org = upload_logo(
        admin_client, org, png(colour=(0, 102, 153, 0)), name="l.png", content_type="image/png"
    )

    assert org.logo.name.endswith(".png")
    for rendition in images.renditions(org.logo.name):
        fallback = stored(default_storage, rendition.fallback)
        assert fallback.format == "PNG" and fallback.mode == "RGBA"
        assert fallback.getpixel((5, 5))[3] == 0
        assert stored(default_storage, rendition.webp).mode == "RGBA"


def test_an_opaque_png_becomes_a_jpeg_fallback(admin_client, org):
    org = upload_logo(admin_client, org, png(), name="l.png", content_type="image/png")
    assert org.logo.name.endswith(".jpg")


def test_an_animated_gif_is_refused_with_a_message(admin_client, org):
    message = logo_error(admin_client, org, animated_gif(), name="a.gif", content_type="image/gif")
    assert "Animated images are not accepted" in message
    org.refresh_from_db()
    assert not org.logo


def test_huge_dimensions_are_refused_with_a_message(admin_client, org):
    tall = png(size=(10, 4500))
    message = logo_error(admin_client, org, tall, name="t.png", content_type="image/png")
    assert "The image is 10 by 4500 pixels; the limit is 4000 on each side." in message


def test_a_decompression_bomb_is_refused_with_a_message(admin_client, org, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 2000 pixels raise
    message = logo_error(admin_client, org, png(size=(100, 100)), name="b.png")
    assert "too many pixels to open safely" in message


def test_a_file_that_is_no_image_is_refused(admin_client, org):
    message = logo_error(admin_client, org, b"GIF89a not really", name="x.gif")
    assert "not an image we can read" in message


def test_a_cmyk_jpeg_comes_out_in_rgb(admin_client, org):
    cmyk = photo(size=(400, 300), mode="CMYK", gps=False)
    assert Image.open(io.BytesIO(cmyk)).mode == "CMYK"

    org = upload_logo(admin_client, org, cmyk)

    for name in images.rendition_names(org.logo.name):
        image = stored(default_storage, name)
        assert image.mode == "RGB" and "icc_profile" not in image.info, name


def test_an_adobe_rgb_jpeg_is_converted_to_srgb(admin_client, org):
    profile = adobe_rgb_profile()
    source = Image.new("RGB", (400, 300), (40, 160, 60))
    buffer = io.BytesIO()
    source.save(buffer, "JPEG", icc_profile=profile, quality=95)
    expected = ImageCms.profileToProfile(
        source, ImageCms.ImageCmsProfile(io.BytesIO(profile)), images.SRGB
    ).getpixel((200, 150))

    org = upload_logo(admin_client, org, buffer.getvalue())

    image = stored(default_storage, org.logo.name)
    assert "icc_profile" not in image.info  # untagged: sRGB, as the web reads it
    got = image.getpixel((200, 150))
    assert all(abs(a - b) <= 4 for a, b in zip(got, expected, strict=True)), (got, expected)
    # Read as sRGB without conversion, Adobe RGB's green would look duller.
    assert abs(got[0] - 40) > 10 or abs(got[1] - 160) > 10


def test_replacing_a_logo_shows_the_new_one(admin_client, org, client):
    first = upload_logo(admin_client, org, photo(gps=False)).logo.name
    second = upload_logo(admin_client, org, png(), name="l.png").logo.name

    assert first != second
    assert all(default_storage.exists(n) for n in images.rendition_names(second))
    page = admin_client.get(org.get_absolute_url()).content.decode()
    assert default_storage.url(second) in page and default_storage.url(first) not in page


def test_the_same_upload_twice_reuses_the_same_names(admin_client, org):
    first = upload_logo(admin_client, org, photo(gps=False)).logo.name
    other = OrganizationFactory()
    sign_in(admin_client, member_of(other, Membership.Role.ADMIN))
    second = upload_logo(admin_client, other, photo(gps=False)).logo.name
    assert first == second
    assert all(default_storage.exists(n) for n in images.rendition_names(first))


def test_the_pipeline_uses_only_the_storage_api(settings, org):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    org.logo.save("ignored.jpg", ContentFile(photo(gps=False)))

    assert default_storage.__class__.__name__ == "InMemoryStorage"
    assert all(default_storage.exists(n) for n in images.rendition_names(org.logo.name))


def test_the_admin_re_encodes_a_logo_too(client, org):
    sign_in_with_second_factor(client, StaffFactory(is_superuser=True))
    change = reverse("admin:circle_organization_change", args=[org.pk])
    form = client.get(change).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "logo"}
    created = timezone.localtime(org.created_at)
    data.update(
        {
            "stages": [s.pk for s in org.stages.all()],
            "counties": [c.pk for c in org.counties.all()],
            "expertise": [],
            "created_at_0": created.strftime("%Y-%m-%d"),
            "created_at_1": created.strftime("%H:%M:%S"),
            "logo": upload(photo(orientation=6)),
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
            "invitations-TOTAL_FORMS": 0,
            "invitations-INITIAL_FORMS": 0,
        }
    )
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    org.refresh_from_db()
    assert NAME.fullmatch(org.logo.name)
    assert not stored(default_storage, org.logo.name).getexif()


# --- Pages ---------------------------------------------------------------------------


def test_the_organization_page_shows_a_picture_with_srcset_and_size(admin_client, org, client):
    org = upload_logo(admin_client, org, photo(gps=False))
    page = client.get(org.get_absolute_url()).content.decode()

    picture = re.search(r"<picture>.*?</picture>", page, re.S)
    assert picture, page
    html = picture.group(0)
    for rendition in images.renditions(org.logo.name):
        assert f"{default_storage.url(rendition.webp)} {rendition.width}w" in html
        assert f"{default_storage.url(rendition.fallback)} {rendition.width}w" in html
    assert '<source type="image/webp" srcset="' in html
    assert 'width="96" height="96"' in html and 'sizes="96px"' in html
    assert 'alt="Logo of Westside Works"' in html


def test_the_directory_shows_each_logo_as_a_picture(admin_client, org):
    org = upload_logo(admin_client, org, png(), name="l.png")
    page = admin_client.get(reverse("circle:directory")).content.decode()

    assert "<picture>" in page
    assert f"{default_storage.url(org.logo.name)} " in page
    assert 'width="56" height="56"' in page and 'loading="lazy"' in page


def test_a_logo_stored_before_re_encoding_still_displays(org, client):
    default_storage.save("logos/0123456789abcdef0123456789abcdef.png", ContentFile(png()))
    org.logo.name = "logos/0123456789abcdef0123456789abcdef.png"
    org.save()

    page = client.get(org.get_absolute_url()).content.decode()
    assert f'<img src="{default_storage.url(org.logo.name)}"' in page
    assert images.rendition_names(org.logo.name) == [org.logo.name]


# --- Hero images -----------------------------------------------------------------


def test_a_hero_image_uploaded_in_the_admin_is_re_encoded_and_shown(client, media, settings):
    sign_in_with_second_factor(client, StaffFactory())
    response = client.post(
        reverse("admin:news_newspost_add"),
        news_post_data(hero_image=upload(photo(size=(2400, 1600), orientation=3))),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    post = NewsPost.objects.get(slug="spring-career-fair")

    found = images.renditions(post.hero_image.name)
    assert [(r.width, r.height) for r in found] == [(160, 107), (480, 320), (1200, 800)]
    for name in images.rendition_names(post.hero_image.name):
        assert not stored(default_storage, name).getexif()

    client.logout()
    page = client.get(post.get_absolute_url()).content.decode()
    assert 'class="hero-image"' in page and 'width="1200" height="800"' in page
    share = f"{settings.SITE_URL}{default_storage.url(found[-1].fallback)}"
    assert f'<meta property="og:image" content="{share}">' in page
    assert f'<meta name="twitter:image" content="{share}">' in page


def test_the_share_image_keeps_an_absolute_url_of_the_storage(settings, media):
    from justop.templatetags.images import share_image_url

    post = NewsPostFactory()
    post.hero_image.save("x.jpg", ContentFile(photo(gps=False)))

    class Remote:
        def url(self, name):
            return f"https://bucket.example.net/{name}"

    post.hero_image.storage = Remote()
    assert share_image_url(post.hero_image).startswith("https://bucket.example.net/news/")


def test_the_admin_refuses_an_animated_hero_with_the_message(client, media):
    sign_in_with_second_factor(client, StaffFactory())
    response = client.post(
        reverse("admin:news_newspost_add"),
        news_post_data(hero_image=upload(animated_gif(), "a.gif", "image/gif")),
    )
    assert response.status_code == 200
    assert "Animated images are not accepted" in str(
        response.context["adminform"].form.errors["hero_image"]
    )


# --- Research covers (private: served by their view) ----------------------------


def cover_post(client, **extra):
    data = resource_data(
        external_url="https://example.org/report", cover_alt="The corridor at dawn", **extra
    )
    return client.post(reverse("research:manage_add", args=["org-a"]), data)


def test_a_cover_is_re_encoded_and_served_in_each_size_only_to_its_readers(client):
    organization = OrganizationFactory(slug="org-a")
    sign_in(client, member_of(organization, Membership.Role.ADMIN))
    response = cover_post(client, cover=upload(photo(orientation=6)))
    assert response.status_code == 302, response.context["form"].errors
    resource = Resource.objects.get()
    storage = resource.cover.storage

    page = client.get(resource.get_absolute_url()).content.decode()
    cover = reverse("research:cover", args=[resource.slug])
    assert f"{cover}?size=480&amp;format=webp 480w" in page
    assert 'width="1200" height="1600"' in page
    for rendition in images.renditions(resource.cover.name):
        for name, kind in ((rendition.webp, "WEBP"), (rendition.fallback, "JPEG")):
            ext = name.rsplit(".", 1)[-1]
            answer = client.get(cover, {"size": rendition.width, "format": ext})
            assert answer.status_code == 200
            image = Image.open(io.BytesIO(b"".join(answer.streaming_content)))
            assert image.format == kind and not image.getexif()
            assert image.size == (rendition.width, rendition.height)
            assert storage.exists(name)

    for query in ({"size": "999", "format": "jpg"}, {"size": "160", "format": "gif"},
                  {"size": "../../files/x", "format": "pdf"}, {"format": "webp"}):  # fmt: skip
        assert client.get(cover, query).status_code == 404, query

    outsider = OrganizationFactory()
    sign_in(client, member_of(outsider, Membership.Role.ADMIN))
    assert client.get(cover, {"size": 160, "format": "webp"}).status_code == 404


def test_a_cover_stored_before_re_encoding_is_still_served(client):
    resource = ResourceFactory()
    resource.cover.storage.save("research/covers/old.png", ContentFile(png()))
    resource.cover.name = "research/covers/old.png"
    resource.cover_alt = "Old cover"
    resource.save()

    page = client.get(resource.get_absolute_url()).content.decode()
    cover = reverse("research:cover", args=[resource.slug])
    assert f'<img src="{cover}" alt="Old cover"' in page
    assert client.get(cover).status_code == 200
    assert client.get(cover, {"size": 160, "format": "png"}).status_code == 404


# --- Names -------------------------------------------------------------------------


def test_rendition_names_lists_every_object_of_an_image():
    name = "logos/0123456789abcdef01234567-1000x500.png"
    assert images.rendition_names(name) == [
        "logos/0123456789abcdef01234567-160x80.webp",
        "logos/0123456789abcdef01234567-160x80.png",
        "logos/0123456789abcdef01234567-480x240.webp",
        "logos/0123456789abcdef01234567-480x240.png",
        "logos/0123456789abcdef01234567-1000x500.webp",
        "logos/0123456789abcdef01234567-1000x500.png",
    ]
    assert images.rendition_names("logos/old-upload.png") == ["logos/old-upload.png"]
    assert images.rendition_names("") == []


def test_the_names_derived_are_those_stored_whatever_the_proportions(media):
    for size in [(4000, 2999), (1201, 3), (3, 1201), (999, 1000), (161, 4000)]:
        picture = Image.new("RGB", size, "white")
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        processed = images.process(ContentFile(buffer.getvalue(), name="x.png"), max_bytes=10**8)
        assert sorted(images.rendition_names(processed.main)) == sorted(processed.files), size


def test_a_4000_by_3000_photo_is_processed_in_well_under_a_second():
    content = photo(size=(4000, 3000))
    started = time.perf_counter()
    images.process(upload(content), max_bytes=10**8)
    assert time.perf_counter() - started < 2.0


# --- Demo data -----------------------------------------------------------------------


def test_demo_organizations_and_posts_get_images_through_the_pipeline(media):
    call_command("seed_demo")
    names = {o.slug: o.logo.name for o in Organization.objects.active()}
    call_command("seed_demo")  # idempotent: the same images

    assert {o.slug: o.logo.name for o in Organization.objects.active()} == names
    for organization in Organization.objects.active():
        assert NAME.fullmatch(organization.logo.name), organization
        assert all(
            default_storage.exists(n) for n in images.rendition_names(organization.logo.name)
        )
    for post in NewsPost.objects.published():
        assert NAME.fullmatch(post.hero_image.name) and post.hero_alt, post
        assert all(default_storage.exists(n) for n in images.rendition_names(post.hero_image.name))
