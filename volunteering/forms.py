"""The public sign-up form of a shift."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from justop.honeypot import honeypot_field


class SignupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Your email address"), max_length=254)
    phone = forms.CharField(label=gettext_lazy("Phone (optional)"), max_length=40, required=False)
    party_size = forms.IntegerField(
        label=gettext_lazy("How many people, you included"),
        min_value=1,
        max_value=10,
        initial=1,
    )
    website = honeypot_field()
