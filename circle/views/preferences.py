"""A person's email preferences: digest frequency, digest sections, language."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from circle.access import signed_in_person
from circle.digests import STREAM
from circle.models import EmailPreferences, User
from justop import outbox
from justop.registry import digest_sections


def _section_choices() -> list[tuple[str, str]]:
    return [(s.key, s.title) for s in digest_sections()]


class EmailPreferencesForm(forms.Form):
    digest_frequency = forms.ChoiceField(
        label=_("Digest of what is new for you"),
        choices=EmailPreferences.Frequency.choices,
        widget=forms.RadioSelect,
    )
    sections = forms.MultipleChoiceField(
        label=_("Sections in your digest"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(label=_("Language of your emails"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _section_choices()
        cast(forms.MultipleChoiceField, self.fields["sections"]).choices = choices
        if not choices:
            del self.fields["sections"]


def _preferences_for(user: User) -> EmailPreferences:
    return EmailPreferences.objects.filter(user=user).first() or EmailPreferences(user=user)


@login_required
def email_preferences(request: HttpRequest) -> HttpResponse:
    user = signed_in_person(request)
    preferences = _preferences_for(user)
    keys = [key for key, _label in _section_choices()]
    initial = {
        "digest_frequency": preferences.digest_frequency,
        "sections": [k for k in keys if preferences.wants_section(k)],
        "language": user.language,
    }
    form = EmailPreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            preferences.digest_frequency = form.cleaned_data["digest_frequency"]
            if "sections" in form.fields:
                chosen = set(form.cleaned_data["sections"])
                # Keep sections turned off earlier that this form does not show.
                hidden_off = [k for k in preferences.digest_sections_off if k not in keys]
                preferences.digest_sections_off = hidden_off + [k for k in keys if k not in chosen]
            preferences.save()
            if user.language != form.cleaned_data["language"]:
                user.language = form.cleaned_data["language"]
                user.save(update_fields=["language"])
            if preferences.digest_frequency != EmailPreferences.Frequency.OFF:
                outbox.resubscribe(user.email, STREAM)
        messages.success(request, _("Your email preferences are saved."))
        return redirect("circle:email_preferences")
    return render(request, "circle/email_preferences.html", {"form": form})
