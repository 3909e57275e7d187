"""Volunteer opportunities and signing up for shifts, without an account."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from justop import places, ratelimit
from justop.pagecache import visitor_cache
from justop.translated import missing
from volunteering import calendar, services
from volunteering.access import get_opportunity_for_viewer
from volunteering.forms import SignupForm
from volunteering.models import Opportunity, Shift, Signup


def upcoming_shifts() -> QuerySet[Shift]:
    """Shifts still ahead, with the places taken, in one query."""
    return (
        Shift.objects.filter(starts_at__gt=timezone.now())
        .annotate(taken=Sum("signups__party_size", filter=Q(signups__status__in=Signup.HOLDING)))
        .order_by("starts_at")
    )


@visitor_cache(shows=("volunteering",))
def opportunity_list(request: HttpRequest) -> HttpResponse:
    opportunities = Opportunity.objects.published().prefetch_related(
        Prefetch("shifts", queryset=upcoming_shifts(), to_attr="upcoming")
    )
    return render(
        request, "volunteering/opportunity_list.html", {"opportunities": list(opportunities)}
    )


def _shift_context(shift: Shift) -> dict[str, Any]:
    left = max(shift.capacity - int(getattr(shift, "taken", 0) or 0), 0)
    return {"shift": shift, "left": left}


# What the "only in English" note of an opportunity's page speaks of (the
# template's only_in_english names the same). Not the location: an address
# left in English is marked lang="en" but needs no note.
TEXT = ("title", "summary", "description")


@visitor_cache(shows=("volunteering",))
def opportunity(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_opportunity_for_viewer(request, slug)
    shifts = [_shift_context(s) for s in upcoming_shifts().filter(opportunity=found)]
    # The page says once that some of it is only in English: at the top for
    # the opportunity's own text, above the shifts when only roles are.
    roles_note = not missing(found, *TEXT) and any(missing(s["shift"], "role") for s in shifts)
    return render(
        request,
        "volunteering/opportunity.html",
        {
            "opportunity": found,
            "shifts": shifts,
            "form": SignupForm(),
            "roles_note": roles_note,
        },
    )


SIGN_UP = places.ClaimForm(
    template="volunteering/signup_form.html",
    done="volunteer:check_email",
    too_many=gettext_lazy(
        "Too many sign-ups from here in a short time. Your answers are kept: "
        "please try again in an hour."
    ),
    per_address=ratelimit.Limit("volunteer", 20, 3600),
    per_email=ratelimit.Limit("volunteer-email", 5, 3600),
)


def sign_up(request: HttpRequest, slug: str, shift_id: int) -> HttpResponse:
    found = get_opportunity_for_viewer(request, slug)
    shift = get_object_or_404(upcoming_shifts().filter(opportunity=found), pk=shift_id)
    form = SignupForm(request.POST or None, capacity=shift.capacity)
    context = {"opportunity": found, "chosen": _shift_context(shift), "form": form}

    def claim(data: dict[str, Any]) -> None:
        services.sign_up(
            shift,
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            party_size=data["party_size"],
            language=request.LANGUAGE_CODE,
        )

    return SIGN_UP.answer(request, form, context, claim)


def check_email(request: HttpRequest) -> HttpResponse:
    return render(request, "volunteering/signup_check_email.html")


# The page behind the links in the emails: confirm, see, cancel.
signup = services.PLACES.link_page(
    "volunteering/signup.html",
    lambda found: {
        "signup": found,
        "shift": found.shift,
        "occasion": calendar.occasion(found, services.token(found)),
    },
)
# The shift's calendar file, behind the same link.
signup_ics = services.PLACES.link_file(calendar.signup_file)
