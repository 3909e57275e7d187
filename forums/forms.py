"""Forms of forums: guests' registration, walk-ins at check-in and the
lists' filters."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from circle.models import Organization
from forums.models import Forum
from justop.honeypot import honeypot_field
from justop.widgets import QuickSelect


class GuestForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your email address"), max_length=254)
    organization = forms.CharField(
        label=_("Organization (optional)"), max_length=150, required=False
    )
    website = honeypot_field()


class InvitedGuestForm(forms.Form):
    """Someone invited by email registers: the address is the invitation's."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    organization = forms.CharField(
        label=_("Organization (optional)"), max_length=150, required=False
    )


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    organization = forms.CharField(
        label=_("Organization (optional)"), max_length=150, required=False
    )


MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


# The years a month filter may name, as in the research library's filters.
FIRST_YEAR, LAST_YEAR = 1900, 2100


class ForumFilterForm(forms.Form):
    audience = forms.ChoiceField(label=_("Audience"), required=False, widget=QuickSelect)
    host = forms.ChoiceField(label=_("Hosting organization"), required=False, widget=QuickSelect)
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text=_("For example 2026-11."),
    )

    def __init__(self, data: Mapping[str, Any], hosts: list[Organization]) -> None:
        super().__init__(data, auto_id="forums-%s", label_suffix="")
        audience = cast(forms.ChoiceField, self.fields["audience"])
        audience.choices = [("", _("Any audience")), *Forum.Audience.choices]
        host = cast(forms.ChoiceField, self.fields["host"])
        host.choices = [("", _("Any organization")), *((o.slug, o.name) for o in hosts)]

    def clean_month(self) -> date | None:
        # A bad month is ignored (left out, the field says why), never a 400.
        value = self.cleaned_data.get("month") or ""
        if not value:
            return None
        # ASCII digits only (strptime takes any Unicode digit) and a year
        # whose next month is a date (9999-12 is not).
        if MONTH.fullmatch(value) and FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
            with contextlib.suppress(ValueError):  # a month 00 or 13
                return datetime.strptime(value, "%Y-%m").date()
        raise forms.ValidationError(_("Write a month as year-month, for example 2026-11."))

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
