"""Text of a research file, for the search document.

A file that cannot be read (damaged, encrypted, a scan without text) is
recorded as such on the resource; the upload itself stands.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from research.models import Resource

log = logging.getLogger(__name__)

# PostgreSQL's tsvector holds at most 1 MB; past this much text a document
# adds no new words worth the cost of indexing them.
MAX_CHARS = 400_000
MAX_PAGES = 400
MAX_ROWS = 20_000
# Control characters (NUL cannot be stored in PostgreSQL text), keeping tab/newline.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SPACES = re.compile(r"[ \t\r\f\v]+")

State = Resource.Extraction


@dataclass(frozen=True)
class Extracted:
    state: str
    text: str = ""


class Encrypted(Exception):
    pass


def clean(parts: Iterator[str]) -> str:
    """The pieces joined, stripped of control characters, whitespace
    collapsed, cut at MAX_CHARS."""
    out: list[str] = []
    size = 0
    for part in parts:
        piece = SPACES.sub(" ", CONTROL.sub(" ", part)).strip()
        if not piece:
            continue
        out.append(piece)
        size += len(piece) + 1
        if size >= MAX_CHARS:
            break
    return "\n".join(out)[:MAX_CHARS]


def _pdf(file: IO[bytes]) -> Iterator[str]:
    from pypdf import PdfReader

    reader = PdfReader(file)
    if reader.is_encrypted:
        # An owner password alone (printing or copying restricted) still
        # opens with an empty user password; anything else stays closed.
        try:
            opened = bool(reader.decrypt(""))
        except Exception:
            opened = False
        if not opened:
            raise Encrypted
    for number, page in enumerate(reader.pages):
        if number >= MAX_PAGES:
            break
        yield page.extract_text() or ""


def _docx(file: IO[bytes]) -> Iterator[str]:
    import docx

    document = docx.Document(file)
    for paragraph in document.paragraphs:
        yield paragraph.text
    for table in document.tables:
        for row in table.rows:
            yield " ".join(cell.text for cell in row.cells)


def _xlsx(file: IO[bytes]) -> Iterator[str]:
    from openpyxl import load_workbook

    workbook = load_workbook(file, read_only=True, data_only=True)
    try:
        rows = 0
        for sheet in workbook.worksheets:
            yield sheet.title
            for row in sheet.iter_rows(values_only=True):
                rows += 1
                if rows > MAX_ROWS:
                    return
                yield " ".join(str(value) for value in row if value is not None)
    finally:
        workbook.close()


def _pptx(file: IO[bytes]) -> Iterator[str]:
    from pptx import Presentation

    for slide in Presentation(file).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                yield shape.text_frame.text


def _csv(file: IO[bytes]) -> Iterator[str]:
    data = file.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", "replace")
    for number, row in enumerate(csv.reader(io.StringIO(text))):
        if number >= MAX_ROWS:
            break
        yield " ".join(row)


READERS = {"pdf": _pdf, "docx": _docx, "xlsx": _xlsx, "pptx": _pptx, "csv": _csv}


def extract(resource: Resource) -> Extracted:
    """The text of the resource's file and what became of the attempt."""
    if not resource.file or resource.file_type not in READERS:
        return Extracted(State.NONE)
    try:
        with resource.file.open("rb") as file:
            text = clean(READERS[resource.file_type](file))
    except Encrypted:
        return Extracted(State.ENCRYPTED)
    except Exception:
        # Parsers of untrusted files fail in many ways (pypdf alone raises a
        # dozen kinds); any of them means the same for the library.
        log.warning("Could not read the file of resource %s", resource.pk, exc_info=True)
        return Extracted(State.BROKEN)
    return Extracted(State.DONE if text.strip() else State.EMPTY, text)
