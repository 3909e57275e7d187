"""The public sign-up form of a shift."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

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

    def __init__(self, *args: Any, capacity: int | None = None, **kwargs: Any) -> None:
        """`capacity`: the shift's places in all, when signing up for one."""
        super().__init__(*args, **kwargs)
        self.capacity = capacity

    def clean_party_size(self) -> int:
        size = int(self.cleaned_data["party_size"])
        if self.capacity is not None and size > self.capacity:
            # Such a party could wait forever: no cancellation would make room.
            raise forms.ValidationError(
                gettext("This shift has %(places)d places in all; please sign up a smaller party.")
                % {"places": self.capacity}
            )
        return size
