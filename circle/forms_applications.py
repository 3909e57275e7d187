"""The public form of an organization asking to join the Circle."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from circle.models import JoinApplication
from justop.honeypot import honeypot_field

# A field people never see: software that fills every field gives itself away.
HONEYPOT = "website_confirm"
MAX_TEXT = 3000


class JoinForm(forms.ModelForm[JoinApplication]):
    website_confirm = honeypot_field()

    class Meta:
        model = JoinApplication
        fields = [
            "organization_name",
            "sector",
            "website",
            "mission",
            "side",
            "stages",
            "counties",
            "applicant_name",
            "applicant_email",
            "applicant_title",
            "message",
        ]
        labels = {
            "organization_name": _("Name of the organization"),
            "website": _("Website (optional)"),
            "mission": _("Mission statement"),
            "side": _("Which side of the continuum do you serve?"),
            "stages": _("Continuum stages you serve"),
            "counties": _("Counties you serve"),
            "applicant_name": _("Your name"),
            "applicant_email": _("Your email address"),
            "applicant_title": _("Your title (optional)"),
            "message": _("Why does your organization want to join? (optional)"),
        }
        help_texts = {
            "website": _("For example https://example.org"),
            "mission": _("A few sentences: who you serve and how."),
            "side": _(
                "Talent supply: you prepare and support people for work. "
                "Employer demand: you hire or work with employers."
            ),
            "applicant_email": _(
                "We write to you here about the application. If it is approved, the "
                "invitation to manage your organization's profile comes to this address."
            ),
            "applicant_title": _("Your role in the organization, e.g. Executive director."),
            "message": _("What you hope to give to and find in the Circle."),
        }
        widgets = {
            "organization_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "website": forms.URLInput(attrs={"autocomplete": "url"}),
            "mission": forms.Textarea(attrs={"rows": 5, "maxlength": MAX_TEXT}),
            "side": forms.RadioSelect,
            "stages": forms.CheckboxSelectMultiple,
            "counties": forms.CheckboxSelectMultiple,
            "applicant_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "applicant_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "applicant_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "message": forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TEXT}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Some labels are questions: "Why …? (optional):" reads badly.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # Where an organization serves is what the continuum map is made of.
        self.fields["stages"].required = True
        self.fields["stages"].error_messages["required"] = _("Choose at least one stage.")
        self.fields["counties"].required = True
        self.fields["counties"].error_messages["required"] = _("Choose at least one county.")
        for name in ("mission", "message"):
            self.fields[name].validators.append(MaxLengthValidator(MAX_TEXT))
        sector: Any = self.fields["sector"]
        sector.choices = [("", _("Choose a sector")), *[c for c in sector.choices if c[0]]]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())

    def clean_applicant_email(self) -> str:
        return str(self.cleaned_data["applicant_email"]).strip().lower()
