"""Research files: checked by their content and their name on the way in,
served with the cache policy of their resource on the way out.

A file is accepted when its content is one of the allowed formats AND its
name says the same format: a renamed executable fails the first test, a
spreadsheet called report.pdf the second. What the content is comes from
justop.documents. Nothing of the uploader's name is kept: files are stored
under names the server chooses (models.file_path).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from justop import documents

if TYPE_CHECKING:
    from research.models import Resource

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
FORMATS = ("pdf", "csv", "xlsx", "docx", "pptx")
ALLOWED = "PDF, CSV, XLSX, DOCX, PPTX"
# Path separators (and look-alikes), parent references, control characters
# and percent-encoded separators have no place in a file's name.
UNSAFE_NAME = re.compile(r"[/\\\u2215\u2044\uff0f\uff3c\x00-\x1f\x7f]|\.\.|%2[fF]|%5[cC]|%2[eE]")


def max_bytes() -> int:
    return int(getattr(settings, "RESEARCH_MAX_FILE_BYTES", DEFAULT_MAX_BYTES))


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _check_name(name: str) -> str:
    """The extension the uploader's name claims, or a ValidationError."""
    if UNSAFE_NAME.search(name):
        raise _refuse(
            _(
                "The file name contains a folder path or special characters. "
                "Rename the file (for example report.pdf) and upload it again."
            ),
            "unsafe_name",
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FORMATS:
        raise _refuse(
            _("Files ending in “.%(extension)s” are not accepted. Upload a %(allowed)s file.")
            % {"extension": extension or "?", "allowed": ALLOWED},
            "extension",
        )
    return extension


def check_upload(file: Any) -> str:
    """Raise ValidationError unless the file is an allowed format by both its
    content and its name, within the size limit. Returns the format."""
    documents.check_size(file, max_bytes())
    claimed = _check_name(str(file.name or ""))
    found = documents.detect(file)
    if found is None or found not in FORMATS:
        raise _refuse(
            _(
                "The content of this file is not a %(allowed)s document, whatever its name "
                "says. Upload the document itself."
            )
            % {"allowed": ALLOWED},
            "content",
        )
    if found != claimed:
        raise _refuse(
            _(
                "The file is named “.%(claimed)s” but its content is %(found)s. "
                "Give it the right extension or upload the right file."
            )
            % {"claimed": claimed, "found": found.upper()},
            "mismatch",
        )
    return found


def serve(
    request: HttpRequest, resource: Resource, field: str, filename: str, content_type: str
) -> HttpResponseBase:
    """The resource's file or cover for someone who may see the resource.
    A public resource's may sit in shared caches, asked again on every
    request (it may become private, or be replaced); any other stays out of
    them. Byte ranges (a resumed download), HEAD and signed URLs of an
    object store: justop.documents.file_response."""
    return documents.file_response(
        request,
        getattr(resource, field),
        public=resource.is_public,
        filename=filename,
        content_type=content_type,
        as_attachment=field == "file",
        last_modified=resource.updated_at,
    )
