"""What an uploaded document is, read from its content rather than its name,
and how it goes out again (file_response, with its cache policy). Research
files and forum materials both use it.

An Office file is a zip: its kind is the main part it declares in
[Content_Types].xml, so a macro-enabled variant (docm, xlsm, pptm), which
declares another type, is none of them. CSV has no magic bytes: it must be
text.
"""

from __future__ import annotations

import hashlib
import unicodedata
import zipfile
from datetime import datetime
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.text import slugify
from django.utils.translation import gettext as _

# An Office file's parts may not unpack to more than this (a "zip bomb"
# would fill a worker's memory during text extraction).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
OFFICE_MAIN_PARTS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
# The type each kind is served with.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
}


def check_size(file: Any, limit: int) -> None:
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="too_large",
        )


def _office_kind(file: Any) -> str | None:
    """docx, xlsx or pptx from the zip's declared main part, else None."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                return None
            declared = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    for kind, main_part in OFFICE_MAIN_PARTS.items():
        if f'ContentType="{main_part}"' in declared:
            return kind
    return None


def _is_text(file: Any) -> bool:
    """Text decodes as UTF-8 (or Latin-1 from old spreadsheets) and holds no
    NUL byte, which no text file has."""
    file.seek(0)
    data = file.read()
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return False
        # cp1252 decodes nearly anything: ask for mostly printable text.
        printable = sum(1 for c in text if c.isprintable() or c in "\r\n\t")
        return printable >= 0.98 * max(len(text), 1)
    return True


def detect(file: Any) -> str | None:
    """The kind the content is (pdf, csv, docx, xlsx, pptx, png, jpg) or None.
    The file is left at its start."""
    try:
        file.seek(0)
        head = file.read(8192)
        file.seek(0)
        guess = filetype.guess(head)
        if guess is None:
            return "csv" if head and _is_text(file) else None
        if guess.extension in ("zip", "docx", "xlsx", "pptx"):
            return _office_kind(file)
        return guess.extension if guess.extension in ("pdf", "png", "jpg") else None
    finally:
        file.seek(0)


def content_type(kind: str) -> str:
    return CONTENT_TYPES.get(kind.lower(), "application/octet-stream")


def download_name(title: str, kind: str, fallback: str = "document") -> str:
    """The name a download is saved under: the title in plain ASCII letters,
    digits and dashes (nothing a browser or a shell could misread)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = slugify(ascii_title)[:80].strip("-") or fallback
    return f"{stem}.{kind}"


def file_response(
    request: HttpRequest,
    stored: FieldFile,
    *,
    public: bool,
    filename: str,
    content_type: str,
    as_attachment: bool = True,
    last_modified: datetime | None = None,
) -> HttpResponseBase:
    """A stored file for someone the caller already let see it.

    A public file may be kept by shared caches, but only on condition that
    they ask again on every request (``no-cache``), answered with 304 while
    the file is the same: a file made private, or replaced, stops being
    served at once, where ``max-age=3600`` kept it out there for an hour.
    Any other file is the reader's alone: out of every cache."""
    if not stored:
        raise Http404
    etag = None
    if public:
        # The stored name is chosen by the server anew for every upload, so
        # with the name it is served under it says which file this is.
        version = f"{stored.name}\n{filename}\n{content_type}".encode()
        etag = '"' + hashlib.sha256(version).hexdigest()[:32] + '"'
        unchanged = get_conditional_response(
            request,
            etag=etag,
            last_modified=int(last_modified.timestamp()) if last_modified else None,
        )
        if unchanged is not None:
            patch_cache_control(unchanged, public=True, no_cache=True)
            return unchanged
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    if etag is not None:
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        patch_cache_control(response, public=True, no_cache=True)
    else:
        # Asked again each time too: access may end.
        patch_cache_control(response, private=True, no_store=True)
    return response
