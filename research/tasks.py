"""Background work of the research library."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from research.models import Resource


@shared_task
def extract_text(resource_id: int) -> str:
    """Read the text of the resource's file into its search document. Running
    it twice reads the file twice and stores the same thing."""
    from research.extraction import extract
    from research.search import refresh_vectors

    resource = Resource.objects.filter(pk=resource_id).first()
    if resource is None:
        return "gone"
    file_name = resource.file.name
    result = extract(resource)
    with transaction.atomic():
        # Only if the file is still the one that was read: a newer upload
        # has its own task queued.
        rows = Resource.objects.filter(pk=resource_id, file=file_name)
        if rows.update(extraction=result.state, extracted_text=result.text):
            refresh_vectors(rows)
    return str(result.state)


def extract_on_commit(resource: Resource) -> None:
    """Queue the extraction once the resource and its file are committed."""
    resource_id = resource.pk
    transaction.on_commit(lambda: extract_text.delay(resource_id))
