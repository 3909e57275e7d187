"""Materials of a forum (slides, handouts, recordings' links) and the
follow-up email to the people who came.

Uploaded files are checked by what they contain, not by their name: PDFs
must open with pypdf; office documents and images must be what their first
bytes say. They are stored outside the public media directory under a name
the server chooses, and served only by the view that applies the forum's
audience, as an attachment with a clean file name."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from forums.models import Forum, Registration
from justop import documents, outbox

MAX_BYTES = 20 * 1024 * 1024
# The kinds of file a forum's material may be (see justop.documents).
ACCEPTED = ("pdf", "docx", "xlsx", "pptx", "png", "jpg")


def validate_material(file: Any, *, max_bytes: int = MAX_BYTES) -> str:
    """Raise ValidationError unless the file is an accepted kind within the
    size limit. Returns the extension its content calls for."""
    documents.check_size(file, max_bytes)
    extension = documents.detect(file)
    if extension not in ACCEPTED:
        raise ValidationError(
            _(
                "This kind of file is not accepted. "
                "Upload a PDF, Word, Excel, PowerPoint, PNG or JPEG file."
            ),
            code="format",
        )
    if extension == "pdf":
        try:
            PdfReader(file).pages[0]
        except (PyPdfError, ValueError, IndexError, OSError, KeyError):
            raise ValidationError(_("This PDF cannot be read."), code="broken") from None
        finally:
            file.seek(0)
    return str(extension)


def checked_material(upload: Any, stem: str = "material") -> Any:
    """A new upload checked by content and named after what it is; a file
    already stored passes unchanged."""
    if upload and hasattr(upload, "content_type"):
        upload.name = f"{stem}.{validate_material(upload)}"
    return upload


# --- Follow-up ------------------------------------------------------------------------------


def send_follow_up(forum_id: int) -> int:
    """Thank the people who came, with the materials and notes (on the
    forum's page, where the audience applies). Once per person."""
    forum = Forum.objects.filter(pk=forum_id).exclude(status=Forum.Status.DRAFT).first()
    if forum is None or forum.ends_at > timezone.now():
        return 0
    materials = [
        {"title": m.title, "url": outbox.absolute(m.get_absolute_url()) if m.file else m.url}
        for m in forum.materials.all()
    ]
    attendees = forum.registrations.filter(attended=True)
    emails = [
        outbox.Email(
            kind="forums.follow_up",
            to=r.email,
            user=r.user,
            about=r,
            period="follow-up",
            language=r.language,
            template="forums/emails/follow_up",
            context={
                "name": r.name,
                "forum": forum.title,
                "forum_url": outbox.absolute(forum.get_absolute_url()),
                "materials": materials,
                "has_notes": bool(forum.notes.strip()),
            },
        )
        for r in attendees
    ]
    with transaction.atomic():
        return len(outbox.queue_many(emails))


def attendees(forum: Forum) -> list[Registration]:
    return list(forum.registrations.filter(attended=True).order_by("name"))
