"""The search and its filters, read from the query string."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from circle.models import Organization
from justop.widgets import QuickSelect
from research.models import Resource, Tag, Topic

if TYPE_CHECKING:
    from research.search.facets import Facets

MAX_QUERY_LENGTH = 200


# The years a filter may name. The library holds nothing older or newer; a
# year outside them is a typo or a probe (year 0 or 10000 cannot even be
# turned into dates to compare with).
FIRST_YEAR, LAST_YEAR = 1900, 2100
# What a topic key, a tag's or an organization's slug may look like (Django's
# SlugField, ASCII only).
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# The hostile value itself is not repeated back (a NUL, 5,000 characters).
NOT_LISTED = _("Choose one of the values listed.")


def _slug_of(model: Any, name: str) -> Callable[[str], bool]:
    longest = model._meta.get_field(name).max_length

    def well_formed(value: str) -> bool:
        return len(value) <= longest and SLUG.fullmatch(value) is not None

    return well_formed


def _year(value: str) -> bool:
    return value.isascii() and value.isdigit() and FIRST_YEAR <= int(value) <= LAST_YEAR


class ShapedChoice(forms.ChoiceField):
    """A filter whose values are offered only after the search, from the
    counts (SearchForm.offer): a value is checked by its shape, not against
    the values on offer, so a well-formed one naming nothing finds nothing."""

    def __init__(
        self, *, label: Any, valid: Callable[[str], bool], message: Any = NOT_LISTED
    ) -> None:
        # Until offer() fills them from the counts (the library's page shows
        # the form without searching).
        super().__init__(
            label=label,
            required=False,
            widget=QuickSelect,
            choices=[("", _("Any"))],
            error_messages={"invalid_choice": message},
        )
        self.valid = valid

    def valid_value(self, value: Any) -> bool:
        return self.valid(str(value))


def _fixed_choice(label: Any, choices: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        widget=QuickSelect,
        choices=[("", _("Any")), *choices],
        error_messages={"invalid_choice": NOT_LISTED},
    )


class SearchForm(forms.Form):
    """The search and its filters, from the query string. A value the form
    cannot use (not one of the kinds, a year outside FIRST_YEAR..LAST_YEAR,
    not ASCII digits, a NUL, too long) is left out of the search and the
    field says so, as in the directory and the forum list: a URL is a saved
    search, and a stale or hand-edited one still shows the library."""

    q = forms.CharField(
        label=_("Search the library"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
        help_text=_("Words from a title, an abstract, an author or the text of a file."),
    )
    kind = _fixed_choice(_("Kind"), Resource.Kind.choices)
    topic = ShapedChoice(label=_("Topic"), valid=_slug_of(Topic, "key"))
    tag = ShapedChoice(label=_("Tag"), valid=_slug_of(Tag, "slug"))
    organization = ShapedChoice(label=_("Organization"), valid=_slug_of(Organization, "slug"))
    year = ShapedChoice(
        label=_("Year"),
        valid=_year,
        message=format_lazy(
            _("Choose a year from {first} to {last}."), first=FIRST_YEAR, last=LAST_YEAR
        ),
    )
    language = _fixed_choice(_("Language"), Resource.Language.choices)

    FILTERS = ("kind", "topic", "tag", "organization", "year", "language")

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__(data, auto_id="research-%s", label_suffix="")

    def filters(self) -> dict[str, str]:
        """The valid filters."""
        # A bad value is ignored (left out, its field says why), never a 400.
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def offer(self, facets: Facets) -> None:
        """Fill each filter with the values it would leave, with counts (≈
        when estimated); a chosen value stays even when it finds nothing
        now."""
        chosen_values = self.filters()
        for name in self.FILTERS:
            field_ = cast(forms.ChoiceField, self.fields[name])
            values = getattr(facets, name)
            chosen = chosen_values.get(name, "")
            choices: list[tuple[str, str]] = [("", str(_("Any")))]
            choices += [(v.value, v.choice_label) for v in values]
            if chosen and chosen not in {v.value for v in values}:
                choices.append((chosen, f"{chosen} (0)"))
            field_.choices = choices
