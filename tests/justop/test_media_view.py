"""/media/: the portal serves the public store's files itself when that
store is a local folder (under `make run`, and in production on one
machine), and nothing else: no private file, no other kind of file, no
path out of the folder."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from PIL import Image

from justop import storage
from justop.uploads import private_storage

pytestmark = pytest.mark.django_db

NAME = "logos/0123456789abcdef01234567-48x48.png"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 48), (0, 102, 153)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    default_storage.save(NAME, ContentFile(png()))
    default_storage.save("logos/0123456789abcdef01234567-48x48.webp", ContentFile(b"RIFF....WEBP"))
    return settings.MEDIA_ROOT


def test_it_serves_a_public_image_with_its_type_and_a_year_of_caching(client, media):
    response = client.get(f"/media/{NAME}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["ETag"]
    assert client.get(f"/media/{NAME[:-3]}webp")["Content-Type"] == "image/webp"


def test_the_files_are_in_a_folder_of_their_own(media):
    assert (media / "public" / NAME).is_file()
    assert default_storage.url(NAME) == f"/media/{NAME}"


def test_it_answers_304_to_a_copy_that_is_still_the_same(client, media):
    etag = client.get(f"/media/{NAME}")["ETag"]

    response = client.get(f"/media/{NAME}", headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["ETag"] == etag


def test_it_works_with_debug_off_as_in_production(client, media, settings):
    settings.DEBUG = False
    response = client.get(f"/media/{NAME}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert client.head(f"/media/{NAME}").status_code == 200


def test_it_never_serves_a_private_file(client, media):
    private_storage().save("research/covers/0123456789abcdef01234567-48x48.png", ContentFile(png()))
    private_storage().save("research/files/report.pdf", ContentFile(b"%PDF-1.4"))

    for path in (
        "research/covers/0123456789abcdef01234567-48x48.png",
        "private/research/covers/0123456789abcdef01234567-48x48.png",
        "../private/research/covers/0123456789abcdef01234567-48x48.png",
        "research/files/report.pdf",
        "../private/research/files/report.pdf",
    ):
        assert client.get(f"/media/{path}").status_code == 404, path


@pytest.mark.parametrize(
    "path",
    [
        "../public/" + NAME,
        "logos/../" + NAME,
        "logos/%2e%2e/" + NAME,
        "logos/..%2f" + NAME,
        "/etc/passwd",
        "%2fetc/passwd",
        ".hidden.png",
        "logos/.png",
        "logos/",
        "logos",
        "logos/missing-48x48.png",
    ],
)
def test_it_refuses_paths_out_of_the_folder_and_names_it_does_not_hold(client, media, path):
    assert client.get(f"/media/{path}").status_code == 404


def test_it_serves_only_the_kinds_of_file_the_public_store_holds(client, media):
    for name in ("page.html", "script.js", "image.svg", "notes.txt", "logo.png.html"):
        default_storage.save(f"logos/{name}", ContentFile(b"<script>alert(1)</script>"))
        assert client.get(f"/media/logos/{name}").status_code == 404, name


def test_it_refuses_to_change_anything(client, media):
    assert client.post(f"/media/{NAME}").status_code == 405
    assert client.delete(f"/media/{NAME}").status_code == 405


def test_it_answers_404_when_the_public_store_is_an_object_store(client, media, settings):
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.InMemoryStorage",
                "OPTIONS": {"base_url": "https://media.example.org/"},
            },
        }
    ):
        assert not storage.is_local(default_storage)
        assert client.get(f"/media/{NAME}").status_code == 404
