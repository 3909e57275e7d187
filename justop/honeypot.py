"""The honeypot of public forms: a field people never see, bots fill in.

Templates put it in a `.form-trap` wrapper with aria-hidden="true", off
screen rather than display:none, which some bots recognise."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def honeypot_field() -> forms.CharField:
    return forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
