"""What an uploaded document is, read from its content rather than its name,
and how it goes out again. Research files and forum materials both use it.

An Office file is a zip: its kind is the main part it declares in
[Content_Types].xml, so a macro-enabled variant (docm, xlsm, pptm), which
declares another type, is none of them. CSV has no magic bytes: it must be
text.
"""

from __future__ import annotations

import unicodedata
import zipfile
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
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
