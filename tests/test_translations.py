"""The Spanish catalogue is complete and compiled."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.utils import translation

PO = Path(__file__).resolve().parent.parent / "locale" / "es" / "LC_MESSAGES" / "django.po"


def _strings(part: str) -> str:
    return "".join(re.findall(r'"(.*)"', part))


def entries() -> list[tuple[object, str, bool]]:
    """(key, msgstr, fuzzy) for each string of the catalogue but its header.
    The key is the msgid, or (msgid, n) for each plural form, as in the
    compiled catalogue."""
    found: list[tuple[object, str, bool]] = []
    for block in PO.read_text().split("\n\n")[1:]:
        fuzzy = "#, fuzzy" in block
        source, translated = block.split("msgstr", 1)
        context, source = source.split("msgid", 1)
        # A string with a context is compiled as "context\x04msgid".
        prefix = _strings(context.split("msgctxt", 1)[1]) + "\\x04" if "msgctxt" in context else ""
        if "msgid_plural" in source:
            msgid = prefix + _strings(source.split("msgid_plural")[0])
            forms = re.split(r"msgstr\[\d+\]", "msgstr" + translated)[1:]
            for n, form in enumerate(forms):
                found.append(((msgid, n), _strings(form), fuzzy))
        else:
            found.append((prefix + _strings(source), _strings(translated), fuzzy))
    return found


def unescape(po_text: object) -> object:
    if isinstance(po_text, tuple):
        return (unescape(po_text[0]), po_text[1])
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
