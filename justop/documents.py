"""What an uploaded document is, read from its content rather than its name,
and how it goes out again (file_response: its cache policy, validators and
byte ranges). Research files and forum materials both use it.

An Office file is a zip: its kind is the main part it declares in
[Content_Types].xml, so a macro-enabled variant (docm, xlsm, pptm), which
declares another type, is none of them. CSV has no magic bytes: it must be
text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from datetime import datetime
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from justop import storage

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


# --- Going out ---------------------------------------------------------------------

# Read and sent this much at a time: a 200 MB file never sits in memory.
BLOCK_SIZE = 64 * 1024
# One range of bytes (RFC 9110, 14.1.2): "first-last", "first-" or "-suffix".
# Anything else, several ranges included, is answered with the whole file,
# which the RFC allows. 30 digits: more than any file, fewer than int() refuses.
SINGLE_RANGE = re.compile(r"bytes=(\d{0,30})-(\d{0,30})", re.IGNORECASE)


class RangeNotSatisfiable(Exception):
    """The range starts beyond the file's end (416)."""


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte (inclusive) a Range header asks of a file of
    ``size`` bytes, or None to send the whole file (no header, another unit,
    several ranges, a malformed one). Raises RangeNotSatisfiable."""
    match = SINGLE_RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first:
        if not last:
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - suffix), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # invalid, so ignored (RFC 9110, 14.2)
    if start >= size:
        raise RangeNotSatisfiable
    return start, min(int(last), size - 1) if last else size - 1


def _if_range_holds(value: str, etag: str | None, modified: int | None) -> bool:
    """If-Range names the version the client holds the start of: a range of
    any other version would splice two files together. An ETag must match
    strongly (a weak one never does). A date must match exactly, and counts
    only for a file without an ETag: a file replaced within the same second
    has the same date, never the same ETag."""
    value = value.strip()
    if etag is not None or value.startswith(('"', "W/")):
        return value == etag
    date = parse_http_date_safe(value)
    return date is not None and date == modified


def starts_download(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether this response hands out a file from its first byte: the whole
    file, a range from byte 0, or a signed URL asked for without a later
    start. A resumed download (a range from further on), a cache's
    revalidation (304) or a refused range (416) starts none."""
    if response.status_code == 200:
        return True
    if response.status_code == 206:
        return str(response.get("Content-Range", "")).startswith("bytes 0-")
    if response.status_code == 302:
        match = SINGLE_RANGE.fullmatch(request.headers.get("Range", "").strip())
        if match is None or not (match[1] or match[2]):
            return True  # no range the file would be cut by
        return bool(match[1]) and int(match[1]) == 0
    return False


class _Part:
    """At most ``length`` bytes of an open file, from where it stands."""

    def __init__(self, file: Any, length: int) -> None:
        self.file, self.left = file, length

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        data: bytes = self.file.read(self.left if size < 0 else min(size, self.left))
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.file.close()


def _modified_at(stored: FieldFile, given: datetime | None) -> int | None:
    """Last-Modified: the caller's date (the row's), else the object's own."""
    if given is None:
        try:
            given = stored.storage.get_modified_time(stored.name or "")
        except (NotImplementedError, OSError):
            return None
    return int(given.timestamp())


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
    Any other file is the reader's alone: out of every cache.

    A GET with one ``Range`` gets those bytes (206), read from the store and
    sent a block at a time, so a download cut off on a phone resumes where
    it stopped; ``If-Range`` with the ETag (public files) or the
    Last-Modified date makes sure the rest is of the same file. HEAD gets
    the headers alone. With an object store configured for signed URLs,
    the reader is sent to the object itself (a redirect that expires),
    which answers ranges the same way."""
    if not stored:
        raise Http404
    signed = storage.signed_url(
        stored.storage,
        stored.name or "",
        filename=filename,
        content_type=content_type,
        as_attachment=as_attachment,
    )
    if signed is not None:
        redirect = HttpResponseRedirect(signed)
        patch_cache_control(redirect, private=True, no_store=True)
        return redirect
    modified = _modified_at(stored, last_modified)
    etag = None
    if public:
        # The stored name is chosen by the server anew for every upload, so
        # with the name it is served under it says which file this is.
        version = f"{stored.name}\n{filename}\n{content_type}".encode()
        etag = '"' + hashlib.sha256(version).hexdigest()[:32] + '"'
        unchanged = get_conditional_response(request, etag=etag, last_modified=modified)
        if unchanged is not None:
            patch_cache_control(unchanged, public=True, no_cache=True)
            return unchanged
    try:
        handle = stored.open("rb")
        size = int(handle.size)
    except FileNotFoundError:
        raise Http404 from None
    part: tuple[int, int] | None = None
    header = request.headers.get("Range", "")
    if request.method == "GET" and header:
        if_range = request.headers.get("If-Range")
        try:
            if if_range is None or _if_range_holds(if_range, etag, modified):
                part = byte_range(header, size)
        except RangeNotSatisfiable:
            handle.close()
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            return _finish(refused, etag=etag, modified=modified)
    response: HttpResponseBase
    if request.method == "HEAD":
        handle.close()
        response = HttpResponse(content_type=content_type)
        response["Content-Length"] = str(size)
        disposition = content_disposition_header(as_attachment, filename)
        if disposition:
            response["Content-Disposition"] = disposition
    elif part is None:
        response = FileResponse(
            handle, as_attachment=as_attachment, filename=filename, content_type=content_type
        )
        response.block_size = BLOCK_SIZE
        response["Content-Length"] = str(size)
    else:
        start, end = part
        handle.seek(start)
        response = FileResponse(
            _Part(handle, end - start + 1),
            status=206,
            as_attachment=as_attachment,
            filename=filename,
            content_type=content_type,
        )
        response.block_size = BLOCK_SIZE
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    return _finish(response, etag=etag, modified=modified)


def _finish(
    response: HttpResponseBase, *, etag: str | None, modified: int | None
) -> HttpResponseBase:
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    if etag is not None:
        response["ETag"] = etag
        patch_cache_control(response, public=True, no_cache=True)
    else:
        # Asked again each time too: access may end.
        patch_cache_control(response, private=True, no_store=True)
    return response
