"""Which interface strings a Spanish page asked for and found no Spanish for.

`recording()` watches Django's translation objects while pages render (in
the test's thread and in the live server's): every gettext, ngettext and
pgettext call made in Spanish whose message is in none of the catalogues in
use (the portal's, Django's, allauth's) is kept, with its context. A message
Django's own catalogue leaves empty ("- Select an option -" in Django 6.1's)
counts too: the portal's catalogue must carry it.

Content (names, titles, what people write) does not pass through gettext,
so it is never counted: the bilingual content is another matter."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils.translation import trans_real

# Messages that are the same in Spanish, or are not words.
SAME_IN_SPANISH = frozenset(
    {"%(value)s", "%s", ", ", "PDF", "CSV", "RSS", "Atom", "BibTeX", "RIS", "MFA", "WebAuthn"}
)


class Untranslated:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.messages: set[str] = set()

    def add(self, message: str) -> None:
        context, _, text = message.rpartition("\x04")
        shown = f"{context} | {text}" if context else text
        if text.strip() and text not in SAME_IN_SPANISH:
            with self._lock:
                self.messages.add(shown)


@contextmanager
def recording() -> Iterator[Untranslated]:
    found = Untranslated()
    cls = trans_real.DjangoTranslation
    gettext, ngettext = cls.gettext, cls.ngettext

    def spanish(translation: Any) -> bool:
        return str(translation.language()).startswith("es")

    def watched_gettext(self: Any, message: str) -> str:
        if spanish(self) and message not in self._catalog:
            found.add(message)
        return gettext(self, message)

    def watched_ngettext(self: Any, singular: str, plural: str, n: int) -> str:
        if spanish(self) and (singular, 0) not in self._catalog:
            found.add(singular)
        return ngettext(self, singular, plural, n)

    cls.gettext = watched_gettext  # type: ignore[method-assign]
    cls.ngettext = watched_ngettext  # type: ignore[method-assign]
    try:
        yield found
    finally:
        cls.gettext = gettext  # type: ignore[method-assign]
        cls.ngettext = ngettext  # type: ignore[method-assign]
