"""Strings of Django and allauth whose Spanish the portal gives itself.

MISSING: Django 6.1's own Spanish catalogues leave them untranslated (the
admin's new labels, a choice field's empty option, a few messages).
REWORDED: their catalogues translate them against the portal's glossary
(locale/es/GLOSSARY.md): informal "tú" where the portal says "usted",
"doble factor" where it says "dos factores", a missing accent.

Marked here so that `make messages` keeps them in the portal's catalogue,
which Django reads before its own. tests/test_spanish_pages.py finds any
string a Spanish page asks for that no catalogue translates. When the
libraries' catalogues catch up, the entries can go."""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext

MISSING = (
    # django/conf/locale
    gettext_noop("- Select an option -"),
    gettext_noop("“%(value)s” is not a valid binary value."),
    gettext_noop("No %s matches the given query."),
    # django/contrib/admin/locale
    gettext_noop('The app "%s" could not be found.'),
    gettext_noop("Run"),
    gettext_noop("Filter by %(field_name)s"),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would require deleting the "
        "following protected related objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the %(object_name)s “%(escaped_object)s”? All of "
        "the following related items will be deleted:"
    ),
    gettext_noop("Pagination %(name)s entries"),
    gettext_noop("Pagination %(name)s"),
    gettext_noop("Search %(name)s"),
    gettext_noop("Logout"),
)

REWORDED = (
    gettext_noop("Two-Factor Authentication"),
    gettext_noop("No, take me back"),
    gettext_noop("Send me a sign-in code"),
    gettext_noop("Use authenticator app or code"),
    gettext_noop("Yes, I’m sure"),  # noqa: RUF001 (Django's own message)
    gettext_noop("Breadcrumbs"),
    gettext_noop("Remove from sorting"),
    gettext_noop("Password Reset"),
    gettext_noop("Re-send Verification"),
    gettext_noop("Enter an authenticator code:"),
)


def _plural_marks() -> None:  # never called: marks the plural messages
    ngettext("…and %(count)d more object.", "…and %(count)d more objects.", 0)
    ngettext(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        0,
    )
