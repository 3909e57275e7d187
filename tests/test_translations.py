"""The Spanish catalogue is complete and compiled."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.utils import translation

PO = Path(__file__).resolve().parent.parent / "locale" / "es" / "LC_MESSAGES" / "django.po"


def entries() -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for each entry of the catalogue but its header."""
    found = []
    for block in PO.read_text().split("\n\n")[1:]:
        msgid = "".join(re.findall(r'"(.*)"', block.split("msgstr")[0].split("msgid", 1)[1]))
        msgstr = "".join(re.findall(r'"(.*)"', block.split("msgstr", 1)[1]))
        found.append((msgid, msgstr, "#, fuzzy" in block))
    return found


def unescape(po_text: str) -> str:
    return ast.literal_eval(f'"{po_text}"')


def test_every_string_has_a_spanish_translation():
    missing = [msgid for msgid, msgstr, fuzzy in entries() if msgid and (not msgstr or fuzzy)]
    assert not missing, f"untranslated or fuzzy: {missing}"


@pytest.mark.parametrize(
    ("english", "spanish"), [("Skip to main content", "Saltar al contenido principal")]
)
def test_the_compiled_catalogue_is_in_use(english, spanish):
    with translation.override("es"):
        assert translation.gettext(english) == spanish


def test_the_compiled_catalogue_matches_the_sources():
    with PO.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    stale = [
        msgid
        for msgid, msgstr, _fuzzy in entries()
        if msgid and compiled.get(unescape(msgid)) != unescape(msgstr)
    ]
    assert not stale, f"django.mo is older than django.po, run `make messages`: {stale}"
