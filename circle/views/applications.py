"""The public form of an organization asking to join the Circle."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from circle import applications
from circle.forms import JoinForm
from justop import ratelimit

# Enough for a person correcting mistakes; a script stops at once.
PER_ADDRESS = ratelimit.Limit("join", 10, 3600)
PER_EMAIL = ratelimit.Limit("join-email", 3, 24 * 3600)


def apply(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.allow(request, PER_ADDRESS):
            return _too_many(request, form)
        if form.is_bot:
            # Pretend it worked: a bot told it failed would try another way.
            return redirect("circle:join_thanks")
        if form.is_valid():
            email = form.cleaned_data["applicant_email"]
            if not ratelimit.allow(request, PER_EMAIL, key=email):
                return _too_many(request, form)
            try:
                applications.submit(form.cleaned_data, language=request.LANGUAGE_CODE)
            except applications.Duplicate as duplicate:
                form.add_error(duplicate.field, duplicate.message)
            else:
                return redirect("circle:join_thanks")
    return render(request, "circle/join.html", {"form": form})


def _too_many(request: HttpRequest, form: JoinForm) -> HttpResponse:
    problem = _(
        "Too many applications were sent from here in a short time. Your answers are kept "
        "below: please try again in an hour, or write to PSE at %(email)s."
    ) % {"email": applications.PSE_EMAIL}
    return render(request, "circle/join.html", {"form": form, "problem": problem}, status=429)


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "circle/join_thanks.html")
