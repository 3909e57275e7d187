from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from justop.honeypot import honeypot_field


class GuestForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your email address"), max_length=254)
    organization = forms.CharField(
        label=_("Organization (optional)"), max_length=150, required=False
    )
    website = honeypot_field()


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    organization = forms.CharField(
        label=_("Organization (optional)"), max_length=150, required=False
    )
