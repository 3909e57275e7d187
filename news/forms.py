"""Forms of the news app: the newsletter's email address."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from justop.honeypot import honeypot_field


class EmailForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your email address"), max_length=254)
    website = honeypot_field()
