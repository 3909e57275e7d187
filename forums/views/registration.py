"""Coming to a forum: members' one-click RSVP, guests' registration, the
page behind the emailed links, and a person's own forums."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from circle.access import signed_in_person
from circle.viewers import viewer_of
from forums import calendar, invitations, registration
from forums.access import get_forum_for_viewer
from forums.forms import GuestForm, InvitedGuestForm
from forums.models import Forum, Registration
from forums.views.forum import own_registration, rsvp_context
from justop import places, ratelimit


@login_required
@require_POST
def rsvp(request: HttpRequest, slug: str) -> HttpResponse:
    """Going or not going, in one click. With htmx the RSVP block is swapped
    in place; without JavaScript the page comes back."""
    forum = get_forum_for_viewer(request, slug)
    going = request.POST.get("going") == "yes"
    if not going and request.POST.get("confirmed") != "yes":
        mine = own_registration(request, forum)
        if mine is not None and mine.is_active:
            # Giving a place up is not undone: ask first (the waitlist may take it).
            return _confirm_not_going(request, forum, mine)
    try:
        registration.rsvp(forum, signed_in_person(request), going=going)
    except registration.Closed:
        messages.error(request, _("Registration for this forum is closed."))
    if getattr(request, "htmx", None):
        return _swapped(request, forum)
    return redirect(forum)


def _swapped(request: HttpRequest, forum: Forum) -> HttpResponse:
    """The RSVP block in its new state, and out of band the online link,
    which only people with a place see (it goes on cancelling)."""
    context = rsvp_context(request, forum) | {"swapped": True}
    html = render_to_string("forums/forum_detail.html#rsvp", context, request)
    if forum.online_url:
        oob = context | {"oob": True}
        html += render_to_string("forums/forum_detail.html#online", oob, request)
    return HttpResponse(html)


def _confirm_not_going(request: HttpRequest, forum: Forum, mine: Registration) -> HttpResponse:
    context = rsvp_context(request, forum) | {
        "confirming": True,
        "someone_waits": registration.PLACES.someone_waits(mine),
    }
    if getattr(request, "htmx", None):
        return render(request, "forums/forum_detail.html#rsvp", context | {"swapped": True})
    return render(request, "forums/rsvp_cancel.html", context)


REGISTER = places.ClaimForm(
    template="forums/register.html",
    done="forums:check_email",
    too_many=gettext_lazy(
        "Too many registrations from here in a short time. Your answers are kept: "
        "please try again in an hour."
    ),
    per_address=ratelimit.Limit("forum-register", 20, 3600),
    per_email=ratelimit.Limit("forum-register-email", 5, 3600),
)


def register(request: HttpRequest, slug: str) -> HttpResponse:
    """A visitor registers for a public forum with a name and an email."""
    forum = get_forum_for_viewer(request, slug)
    if forum.audience != Forum.Audience.PUBLIC:
        raise Http404
    form = GuestForm(request.POST or None)
    context: dict[str, Any] = {
        "forum": forum,
        "form": form,
        "left": registration.places_left(forum),
    }

    def claim(data: dict[str, Any]) -> HttpResponse | None:
        try:
            registration.register_guest(
                forum,
                name=data["name"],
                email_address=data["email"],
                organization=data["organization"],
                language=request.LANGUAGE_CODE,
            )
        except registration.Closed:
            context["problem"] = _("Registration for this forum is closed.")
            return render(request, REGISTER.template, context, status=409)
        return None

    return REGISTER.answer(request, form, context, claim)


def invitation(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The page an outside address's invitation email links to: the forum,
    and registration for the address invited (the link is the key; the
    forum's own page stays closed to people without an account)."""
    found = Forum.objects.exclude(status=Forum.Status.DRAFT).filter(slug=slug).first()
    invited = invitations.by_token(found, token[:500]) if found is not None else None
    if found is None or invited is None:
        raise Http404
    forum = found
    form = InvitedGuestForm(request.POST or None)
    context: dict[str, Any] = {
        "forum": forum,
        "invitation": invited,
        "form": form,
        "left": registration.places_left(forum),
    }
    if request.method == "POST" and form.is_valid():
        try:
            registration.register_invited(
                forum,
                invited.email,
                name=form.cleaned_data["name"],
                organization=form.cleaned_data["organization"],
                language=request.LANGUAGE_CODE,
            )
        except registration.Closed:
            context["problem"] = _("Registration for this forum is closed.")
            return render(request, "forums/invitation.html", context, status=409)
        return redirect(request.path)
    context["registration"] = forum.registrations.filter(
        email=invited.email, status__in=Registration.ACTIVE
    ).first()
    status = 400 if request.method == "POST" else 200
    return render(request, "forums/invitation.html", context, status=status)


def check_email(request: HttpRequest) -> HttpResponse:
    return render(request, "forums/check_email.html")


# The page behind the links in the emails: confirm, see, cancel.
manage = registration.PLACES.link_page(
    "forums/registration.html",
    lambda found: {
        "registration": found,
        "forum": found.forum,
        "occasion": calendar.occasion(
            found.forum,
            reverse("forums:registration_ics", args=[registration.token(found)]),
        ),
    },
)
# Its calendar file, behind the same link (with the online link once confirmed).
manage_ics = registration.PLACES.link_file(calendar.registration_file)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """A person's forums and the secret address of their calendar."""
    person = signed_in_person(request)
    viewer = viewer_of(person)
    registrations = (
        Registration.objects.filter(user=person, status__in=Registration.ACTIVE)
        .filter(forum__in=Forum.objects.visible_to(viewer))
        .select_related("forum")
        .order_by("-forum__starts_at")
    )
    feed = calendar.feed_for(person)
    return render(
        request,
        "forums/mine.html",
        {"registrations": list(registrations), "feed": feed},
    )


@login_required
@require_POST
def reset_calendar(request: HttpRequest) -> HttpResponse:
    calendar.new_token(signed_in_person(request))
    messages.success(request, _("Your calendar has a new address. The old one no longer works."))
    return redirect("forums:mine")
