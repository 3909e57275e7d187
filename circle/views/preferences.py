"""A person's email preferences: digest frequency, digest sections, the
emails of conversations and matches, language."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from circle.access import signed_in_person
from circle.digests import STREAM
from circle.forms import EmailPreferencesForm, section_choices
from circle.models import EmailPreferences, User
from justop import outbox


def _preferences_for(user: User) -> EmailPreferences:
    return EmailPreferences.objects.filter(user=user).first() or EmailPreferences(user=user)


@login_required
def email_preferences(request: HttpRequest) -> HttpResponse:
    user = signed_in_person(request)
    preferences = _preferences_for(user)
    keys = [key for key, _label in section_choices()]
    initial = {
        "digest_frequency": preferences.digest_frequency,
        "sections": [k for k in keys if preferences.wants_section(k)],
        "conversation_emails": preferences.conversation_emails,
        "match_emails": preferences.match_emails,
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
            preferences.conversation_emails = form.cleaned_data["conversation_emails"]
            preferences.match_emails = form.cleaned_data["match_emails"]
            preferences.save()
            if user.language != form.cleaned_data["language"]:
                user.language = form.cleaned_data["language"]
                user.save(update_fields=["language"])
            if preferences.digest_frequency != EmailPreferences.Frequency.OFF:
                outbox.resubscribe(user.email, STREAM)
        messages.success(request, _("Your email preferences are saved."))
        return redirect("circle:email_preferences")
    return render(request, "circle/email_preferences.html", {"form": form})
