"""Checks of research files by their content, and how they go out again.

A file is accepted when its content is one of the allowed formats AND its
name says the same format: a renamed executable fails the first test, a
spreadsheet called report.pdf the second. Nothing of the uploader's name is
kept: files are stored under names the server chooses (models.file_path).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
# An Office file is a zip: its parts may not unpack to more than this (a
# "zip bomb" would fill the worker's memory during extraction).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

# The main part each Office format declares in [Content_Types].xml. The
# macro-enabled variants (docm, xlsm, pptm) declare other types: refused.
OFFICE_MAIN_PARTS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
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
    if extension not in CONTENT_TYPES:
        raise _refuse(
            _("Files ending in “.%(extension)s” are not accepted. Upload a %(allowed)s file.")
            % {"extension": extension or "?", "allowed": ALLOWED},
            "extension",
        )
    return extension


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
    """CSV has no magic bytes: it must decode as UTF-8 (or Latin-1 from old
    spreadsheets) and hold no NUL byte, which no text file has."""
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
    """The format the content is (pdf, csv, docx, xlsx, pptx) or None."""
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    guess = filetype.guess(head)
    if guess is None:
        return "csv" if head and _is_text(file) else None
    if guess.extension == "pdf":
        return "pdf"
    if guess.extension in ("zip", "docx", "xlsx", "pptx"):
        return _office_kind(file)
    return None


def check_upload(file: Any) -> str:
    """Raise ValidationError unless the file is an allowed format by both its
    content and its name, within the size limit. Returns the format."""
    limit = max_bytes()
    if file.size is not None and file.size > limit:
        raise _refuse(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            "too_large",
        )
    claimed = _check_name(str(file.name or ""))
    try:
        found = detect(file)
    finally:
        file.seek(0)
    if found is None:
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


def download_name(title: str, file_type: str) -> str:
    """The name a download is saved under: the title in plain ASCII letters,
    digits and dashes (nothing a browser or a shell could misread)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = slugify(ascii_title)[:80].strip("-") or "research"
    return f"{stem}.{file_type}"
