"""Research library test data: resources, real small files of each format."""

from __future__ import annotations

import datetime
import importlib
import io
import zipfile

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from research.models import Resource, Topic


def ensure_topics() -> None:
    """The topics come from a data migration; transactional tests empty
    every table when they end, so put them back."""
    if not Topic.objects.exists():
        from django.apps import apps

        importlib.import_module("research.migrations.0002_topics").add_topics(apps, None)


@pytest.fixture(autouse=True)
def research_setup(request, settings, tmp_path):
    """Files go to a temporary MEDIA_ROOT; topics exist for database tests."""
    settings.MEDIA_ROOT = tmp_path / "media"
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        ensure_topics()


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Regional report {n}")
    slug = factory.Sequence(lambda n: f"regional-report-{n}")
    kind = Resource.Kind.REPORT
    abstract = "What the Circle learned about jobs and training in Metro Atlanta."
    authors = "Ana Díaz; John Smith"
    published_on = factory.LazyFunction(lambda: datetime.date(2025, 3, 1))
    visibility = Resource.Visibility.PUBLIC
    status = Resource.Status.PUBLISHED
    external_url = "https://example.org/report"

    @factory.post_generation
    def organizations(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.organizations.set(extracted)

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        """Topic keys, e.g. topics=["place-based"]."""
        if create and extracted:
            obj.topics.set(Topic.objects.filter(key__in=extracted))


def pdf_bytes(text: str, *, password: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    if password:
        pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()


def docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(text: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["county", "note"])
    workbook.active.append(["Fulton", text])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def pptx_bytes(text: str) -> bytes:
    from pptx import Presentation

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = text
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not an office document")
    return out.getvalue()


# The first bytes of a Linux executable (ELF) and of a Windows one (MZ/PE).
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
