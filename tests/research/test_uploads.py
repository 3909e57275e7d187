"""Files of the library: checked by content and name, stored under names
the server chooses, read into the search document without ever failing the
upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from research import files
from research.models import Resource
from tests.factories import OrganizationFactory, member_of
from tests.forms import resource_data
from tests.research.factories import (  # noqa: F401
    ELF,
    WINDOWS_EXE,
    docx_bytes,
    pdf_bytes,
    plain_zip,
    pptx_bytes,
    research_setup,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization():
    return OrganizationFactory(slug="org-a")


@pytest.fixture
def admin_client(client, organization):
    client.force_login(member_of(organization, "admin"))
    return client


def post(client, file, **extra):
    data = resource_data(file=file, **extra)
    return client.post(reverse("research:manage_add", args=["org-a"]), data)


def errors(response) -> str:
    return " ".join(response.context["form"].errors.get("file", []))


def test_a_renamed_executable_is_refused(admin_client):
    for content in (ELF, WINDOWS_EXE):
        response = post(admin_client, upload("report.pdf", content))
        assert response.status_code == 200
        assert "The content of this file is not a PDF, CSV, XLSX, DOCX, PPTX document" in errors(
            response
        )
    assert not Resource.objects.exists()


def test_an_oversized_file_is_refused(admin_client, settings):
    settings.RESEARCH_MAX_FILE_BYTES = 10_000
    # A real PDF with a long comment after it: 20 kB.
    big = pdf_bytes("Jobs") + b"%" + b"0" * (20_000 - len(pdf_bytes("Jobs")) - 1)
    response = post(admin_client, upload("big.pdf", big))
    assert "The file is 19.5\xa0KB; the limit is 9.8\xa0KB." in errors(response)
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "..%2F..%2Fjustop%2Fsettings.pdf",  # encoded: survives Django's own clean-up
        "..\u2215..\u2215etc\u2215cron.pdf",  # look-alike slashes
    ],
)
def test_a_pdf_with_a_path_traversal_name_is_refused(admin_client, name):
    response = post(admin_client, upload(name, pdf_bytes("hello")))
    assert "The file name contains a folder path" in errors(response)
    assert not Resource.objects.exists()


def test_a_plain_path_traversal_name_never_reaches_the_disk(admin_client, settings):
    """A literal ../ is cut by Django's upload parser before any code sees it;
    and the check refuses it wherever a name comes from."""
    with pytest.raises(Exception, match="folder path"):
        files.check_upload(ContentFile(pdf_bytes("x"), name="../../evil.pdf"))
    response = post(admin_client, upload("../../../evil.pdf", pdf_bytes("traversal")))
    assert response.status_code == 302
    stored = Resource.objects.get().file.name
    assert stored.startswith("research/files/") and "evil" not in stored
    assert not (Path(settings.MEDIA_ROOT).parent / "evil.pdf").exists()


def test_a_file_whose_name_and_content_disagree_is_refused(admin_client):
    response = post(admin_client, upload("table.csv", pdf_bytes("hello")))
    assert "named “.csv” but its content is PDF" in errors(response)


def test_a_zip_that_is_no_office_document_is_refused(admin_client):
    response = post(admin_client, upload("slides.pptx", plain_zip()))
    assert "not a PDF, CSV" in errors(response)


def test_a_csv_with_nul_bytes_is_refused(admin_client):
    response = post(admin_client, upload("data.csv", b"a,b\n1,\x00\x00\n"))
    assert "not a PDF, CSV" in errors(response)


@pytest.mark.parametrize(
    ("name", "content", "file_type"),
    [
        ("study.pdf", pdf_bytes("Corridor jobs"), "pdf"),
        ("data.csv", b"county,jobs\nFulton,1200\nDeKalb,900\n", "csv"),
        ("data.xlsx", xlsx_bytes("Corridor jobs"), "xlsx"),
        ("notes.docx", docx_bytes("Corridor jobs"), "docx"),
        ("deck.pptx", pptx_bytes("Corridor jobs"), "pptx"),
    ],
)
def test_the_five_formats_are_accepted_and_stored_under_a_server_name(
    admin_client, name, content, file_type
):
    response = post(admin_client, upload(name, content))
    assert response.status_code == 302, response.context and response.context["form"].errors
    resource = Resource.objects.get()
    assert resource.file_type == file_type
    assert resource.file_size == len(content)
    assert resource.file.name.startswith("research/files/")
    assert Path(resource.file.name).stem not in name
    assert resource.file.name.endswith(f".{file_type}")
    # Not under a public media URL.
    assert resource.file.url == ""
    assert "/private/" in resource.file.path


@pytest.mark.parametrize(
    ("content", "state"),
    [
        (pdf_bytes("Locked away", password="s3cret"), Resource.Extraction.ENCRYPTED),
        (b"%PDF-1.7\n" + b"garbage " * 100, Resource.Extraction.BROKEN),
    ],
)
def test_an_unreadable_pdf_is_recorded_as_such_and_the_upload_stands(
    admin_client, content, state, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(admin_client, upload("locked.pdf", content))
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.extraction == state
    assert resource.extracted_text == ""
    assert resource.file


def test_the_download_has_a_safe_name_and_counts(client, organization):
    from tests.research.factories import ResourceFactory

    resource = ResourceFactory(title='Wages "2025"; rm -rf / <script>', slug="wages")
    resource.file.save("x.pdf", ContentFile(pdf_bytes("wages")), save=False)
    resource.file_type = "pdf"
    resource.save()
    for _ in range(2):
        response = client.get(reverse("research:download", args=["wages"]))
        assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="wages-2025-rm-rf-script.pdf"'
    assert response["Content-Type"] == "application/pdf"
    # Shared caches may keep a public file only if they ask again each time.
    assert response["Cache-Control"] == "public, no-cache"
    resource.refresh_from_db()
    assert resource.download_count == 2


def test_a_resource_without_a_file_has_no_download(client):
    from tests.research.factories import ResourceFactory

    ResourceFactory(slug="link-only")
    assert client.get(reverse("research:download", args=["link-only"])).status_code == 404


def test_a_resource_needs_a_file_or_a_link(admin_client):
    response = post(admin_client, "")
    assert "Upload a file or give a link" in response.content.decode()
