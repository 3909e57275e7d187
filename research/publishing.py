"""Adding and changing resources: what happens around a save, whoever saves
(an organization's admins on their management page, or staff in the admin)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from research.models import Resource, Tag
from research.tasks import extract_on_commit

SLUG_LENGTH = 100


def unique_slug(title: str, resource: Resource | None = None) -> str:
    base = slugify(title)[:SLUG_LENGTH].strip("-") or "research"
    others = (
        Resource.objects.exclude(pk=resource.pk) if resource and resource.pk else Resource.objects
    )
    taken = set(others.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags, trimmed, without repeats (case-insensitive)."""
    tags: list[str] = []
    for raw in text.split(","):
        name = " ".join(raw.split())[:60]
        if name and slugify(name) and name.casefold() not in (t.casefold() for t in tags):
            tags.append(name)
    return tags[:20]


def set_tags(resource: Resource, names: list[str]) -> None:
    tags = []
    for name in names:
        slug = slugify(name)[:70]
        # A new tag's name is its English one, whatever the language of the
        # page (staff add the Spanish in the admin).
        tag = Tag.objects.filter(slug=slug).first() or Tag.objects.create(name_en=name, slug=slug)
        tags.append(tag)
    resource.tags.set(tags)


def file_changed(resource: Resource, changed_fields: list[str]) -> None:
    """Call after saving: a new file starts a new extraction; no file, none."""
    if "file" not in changed_fields:
        return
    if resource.file:
        Resource.objects.filter(pk=resource.pk).update(
            extraction=Resource.Extraction.PENDING, extracted_text=""
        )
        resource.extraction = Resource.Extraction.PENDING
        extract_on_commit(resource)
    else:
        Resource.objects.filter(pk=resource.pk).update(
            extraction=Resource.Extraction.NONE, extracted_text="", file_type="", file_size=0
        )


@transaction.atomic
def save_resource(
    form: Any, *, tags: list[str] | None = None, organization: Any = None, **values: Any
) -> Resource:
    """Save a resource form (its file already checked by the form), with
    the given extra values (e.g. created_by) and publishing organization;
    extraction follows once committed."""
    resource: Resource = form.save(commit=False)
    for name, value in values.items():
        setattr(resource, name, value)
    if not resource.slug:
        # From the English title, whatever the language of the page.
        resource.slug = unique_slug(getattr(resource, "title_en", "") or "", resource)
    resource.save()
    form.save_m2m()
    if organization is not None:
        resource.organizations.add(organization)
    if tags is not None:
        set_tags(resource, tags)
    file_changed(resource, list(form.changed_data))
    return resource


def reextract(resources: Any) -> int:
    """Queue the extraction again (the admin action), e.g. after a fix to a reader."""
    count = 0
    for resource in resources.exclude(file=""):
        Resource.objects.filter(pk=resource.pk).update(extraction=Resource.Extraction.PENDING)
        extract_on_commit(resource)
        count += 1
    return count
