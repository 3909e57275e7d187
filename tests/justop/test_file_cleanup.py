"""Stored files follow their rows: a replaced or deleted image or file has
its objects (every rendition) deleted once the change commits, unless
another row still names them; orphaned_files lists and removes what no row
names, never an object younger than an hour; copy_files copies the local
folders into the configured stores and can run again."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.db import transaction
from PIL import Image

from circle.models import Organization
from justop import files, images, storage, tasks
from tests.factories import OrganizationFactory
from tests.research.factories import ResourceFactory, research_setup  # noqa: F401
from tests.s3 import Buckets, s3_fixture, s3_server_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def png(colour: tuple[int, int, int]) -> ContentFile[bytes]:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 300), colour).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="logo.png")


def with_logo(colour: tuple[int, int, int], **kwargs) -> Organization:
    org = OrganizationFactory(**kwargs)
    org.logo.save("logo.png", png(colour), save=True)
    return org


def public_exists(names: list[str]) -> list[bool]:
    return [default_storage.exists(n) for n in names]


def age(store: str, name: str, seconds_ago: float = 2 * 3600) -> None:
    """Make a local object look written that long ago."""
    when = time.time() - seconds_ago
    os.utime(storages[store].path(name), (when, when))


# --- Replacing and deleting -------------------------------------------------------


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    """The delete tasks asked for, instead of running them."""
    asked: list[tuple] = []
    monkeypatch.setattr(tasks.delete_files, "delay", lambda *args: asked.append(args))
    return asked


def test_a_replaced_logo_loses_every_old_rendition_once_the_change_commits(
    django_capture_on_commit_callbacks,
):
    org = with_logo((0, 102, 153))
    old = images.rendition_names(org.logo.name)
    assert len(old) == 6 and all(public_exists(old))

    with django_capture_on_commit_callbacks(execute=True):
        org.logo.save("logo.png", png((200, 40, 40)), save=True)
        # Nothing goes before the commit: the change might still roll back.
        assert all(public_exists(old))
    assert not any(public_exists(old))
    assert all(public_exists(images.rendition_names(org.logo.name)))


def test_a_cleared_logo_goes_too(django_capture_on_commit_callbacks):
    org = with_logo((0, 102, 153))
    old = images.rendition_names(org.logo.name)
    with django_capture_on_commit_callbacks(execute=True):
        org.logo = ""
        org.save()
    assert not any(public_exists(old))


def test_a_rolled_back_change_keeps_the_files(django_capture_on_commit_callbacks, queued):
    org = with_logo((0, 102, 153))
    old = images.rendition_names(org.logo.name)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                org.logo = ""
                org.save()
                raise RuntimeError("the request failed")
        except RuntimeError:
            pass
    assert queued == []
    assert all(public_exists(old))


def test_saving_a_row_without_changing_its_file_deletes_nothing(
    django_capture_on_commit_callbacks, queued
):
    org = with_logo((0, 102, 153))
    with django_capture_on_commit_callbacks(execute=True):
        org.name = "Renamed"
        org.save()
        org.save(update_fields=["name"])
        OrganizationFactory()
    assert queued == []
    assert all(public_exists(images.rendition_names(org.logo.name)))


def test_a_deleted_resource_takes_its_file_and_cover_with_it(django_capture_on_commit_callbacks):
    report = ResourceFactory()
    report.file.save("report.pdf", ContentFile(b"%PDF-1.4 report"), save=False)
    report.cover.save("cover.png", png((10, 120, 60)), save=False)
    report.save()
    private = storage.private_store
    objects = [report.file.name, *images.rendition_names(report.cover.name)]
    assert all(private.exists(n) for n in objects)

    with django_capture_on_commit_callbacks(execute=True):
        report.delete()
    assert not any(private.exists(n) for n in objects)


def test_the_same_image_named_by_two_rows_stays_until_neither_names_it(
    django_capture_on_commit_callbacks,
):
    first = with_logo((0, 102, 153))
    second = with_logo((0, 102, 153))  # the same picture, so the same objects
    assert first.logo.name == second.logo.name
    shared = images.rendition_names(first.logo.name)

    with django_capture_on_commit_callbacks(execute=True):
        first.logo.save("logo.png", png((200, 40, 40)), save=True)
    assert all(public_exists(shared))  # the second organization still shows it

    with django_capture_on_commit_callbacks(execute=True):
        second.delete()
    assert not any(public_exists(shared))


def test_an_image_uploaded_again_to_the_same_row_is_kept(django_capture_on_commit_callbacks):
    org = with_logo((0, 102, 153))
    names = images.rendition_names(org.logo.name)
    with django_capture_on_commit_callbacks(execute=True):
        org.logo.save("again.png", png((0, 102, 153)), save=True)
    assert images.rendition_names(org.logo.name) == names
    assert all(public_exists(names))


def test_the_task_takes_plain_data_and_may_run_twice():
    name = default_storage.save("news/stray.jpg", ContentFile(b"x"))
    assert tasks.delete_files.delay("default", [name]).get() == 1
    assert tasks.delete_files.delay("default", [name]).get() == 0
    assert not default_storage.exists(name)


# --- Orphans -------------------------------------------------------------------------


def orphan(store: str, name: str, content: bytes = b"orphan", *, old: bool = True) -> str:
    saved = storages[store].save(name, ContentFile(content))
    if old:
        age(store, saved)
    return saved


def test_orphaned_files_lists_what_no_row_names_and_deletes_it_when_asked():
    org = with_logo((0, 102, 153))
    report = ResourceFactory()
    report.file.save("report.pdf", ContentFile(b"%PDF-1.4 report"), save=True)
    for name in images.rendition_names(org.logo.name):
        age("default", name)
    age("private", report.file.name)
    public_orphan = orphan("default", "logos/left-behind-1200x600.jpg", b"123456789")
    private_orphan = orphan("private", "research/files/lost.pdf", b"%PDF-lost")
    young = orphan("private", "research/files/uploading.pdf", old=False)

    out = io.StringIO()
    call_command("orphaned_files", stdout=out)
    report_text = out.getvalue()
    assert f"public: {public_orphan}  9 bytes" in report_text
    assert f"private: {private_orphan}  9 bytes" in report_text
    assert "public store: 1 orphaned object(s), 9 bytes" in report_text
    assert "private store: 1 orphaned object(s), 9 bytes (9\xa0bytes); 1 younger" in report_text
    assert young not in report_text
    # Listing deletes nothing.
    assert default_storage.exists(public_orphan)

    call_command("orphaned_files", "--delete", stdout=io.StringIO())
    assert not default_storage.exists(public_orphan)
    assert not storage.private_store.exists(private_orphan)
    assert storage.private_store.exists(young)  # an upload whose row may be on its way
    assert all(public_exists(images.rendition_names(org.logo.name)))
    assert storage.private_store.exists(report.file.name)

    again = io.StringIO()
    call_command("orphaned_files", stdout=again)
    assert "public store: 0 orphaned object(s), 0 bytes" in again.getvalue()


def test_an_object_a_row_named_after_the_listing_is_not_deleted():
    name = orphan("default", "news/0123456789abcdef01234567-1200x600.jpg")
    found = files.orphans("default")
    assert [o.name for o in found.found] == [name]
    Organization.objects.filter(pk=OrganizationFactory().pk).update(logo=name)
    assert files.delete_orphans(found) == 0
    assert default_storage.exists(name)


def test_an_empty_store_has_no_orphans(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "nothing-here"
    assert files.orphans("default").found == []


# --- Copying the local folders into other stores --------------------------------


@pytest.fixture
def two_places(settings, tmp_path) -> tuple[Path, Path]:
    """Files written to the local folders under one root, then STORAGES
    pointed at two other folders, as a switch to an object store would."""
    source = tmp_path / "media"
    settings.MEDIA_ROOT = source
    org = with_logo((0, 102, 153))
    report = ResourceFactory()
    report.file.save("report.pdf", ContentFile(b"%PDF-1.4 report"), save=True)
    target = tmp_path / "store"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(target / "pub")},
        },
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(target / "priv")},
        },
    }
    assert org.logo.name and report.file.name
    return source, target


def listing(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_copy_files_copies_every_file_and_runs_again_safely(two_places):
    source, target = two_places
    dry = io.StringIO()
    call_command("copy_files", "--dry-run", stdout=dry)
    assert "public store: would copy 6 new" in dry.getvalue()
    assert "private store: would copy 1 new" in dry.getvalue()
    assert not target.exists()

    out = io.StringIO()
    call_command("copy_files", stdout=out)
    assert "public store: copied 6 new and 0 changed object(s)" in out.getvalue()
    assert "private store: copied 1 new and 0 changed object(s)" in out.getvalue()
    assert listing(target / "pub") == listing(source / "public")
    assert listing(target / "priv") == listing(source / "private")

    # A copy cut off halfway is made again; everything else is left alone.
    cut = next((target / "priv").rglob("*.pdf"))
    cut.write_bytes(b"%PDF")
    again = io.StringIO()
    call_command("copy_files", stdout=again)
    assert "public store: copied 0 new and 0 changed object(s), 0 bytes" in again.getvalue()
    assert "6 already there" in again.getvalue()
    assert "private store: copied 0 new and 1 changed" in again.getvalue()
    assert listing(target / "priv") == listing(source / "private")


def test_copy_files_refuses_to_copy_a_folder_onto_itself(settings, tmp_path):
    from django.core.management.base import CommandError

    settings.MEDIA_ROOT = tmp_path / "media"
    with pytest.raises(CommandError, match="configure the object store"):
        call_command("copy_files", stdout=io.StringIO())


@pytest.mark.s3
def test_copy_files_into_an_object_store_and_its_orphans(settings, tmp_path, s3_server):
    from tests.s3 import anonymous_read_policy, s3_environ, use_buckets

    source = tmp_path / "media"
    settings.MEDIA_ROOT = source
    org = with_logo((0, 102, 153))
    report = ResourceFactory()
    report.file.save("report.pdf", ContentFile(b"%PDF-1.4 report"), save=True)
    client = s3_server.client()
    public, private = f"copy-public-{org.pk}", f"copy-private-{org.pk}"
    for bucket in (public, private):
        client.create_bucket(Bucket=bucket)
    client.put_bucket_policy(Bucket=public, Policy=anonymous_read_policy(public))
    use_buckets(settings, s3_environ(s3_server, public, private))
    buckets = Buckets(server=s3_server, public=public, private=private, environ={})

    out = io.StringIO()
    call_command("copy_files", stdout=out)
    assert "public store: copied 6 new" in out.getvalue()
    assert buckets.names(public) == set(images.rendition_names(org.logo.name))
    assert buckets.names(private) == {report.file.name}
    again = io.StringIO()
    call_command("copy_files", stdout=again)
    assert "copied 0 new and 0 changed object(s), 0 bytes" in again.getvalue()

    # The object store has the same orphans as a folder would: none yet.
    assert files.orphans("default").found == []
    stray = storages["private"].save("research/files/stray.pdf", ContentFile(b"x"))
    found = files.orphans("private")
    assert [o.name for o in found.young] == [stray]  # just written: kept
    later = files.orphans("private", now=found.young[0].modified + files.MIN_AGE * 2)  # type: ignore[operator]
    assert [o.name for o in later.found] == [stray]
    assert files.delete_orphans(later) == 1
    assert buckets.names(private) == {report.file.name}
