"""A volunteer opportunity's upcoming shifts as schema.org Events (one each,
a volunteer shift being an event people sign up for), with breadcrumbs and
share tags."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from justop import structured_data as sd
from justop import translated
from volunteering.models import Opportunity, Shift

SCHEMA = "https://schema.org/"


def _location(opportunity: Opportunity) -> dict[str, Any]:
    if opportunity.remote:
        # How to join is sent to the people signed up: the page stands for it.
        return {"@type": "VirtualLocation", "url": sd.url(opportunity.get_absolute_url())}
    return {
        "@type": "Place",
        "name": opportunity.location,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": opportunity.location,
            "addressRegion": "GA",
            "addressCountry": "US",
        },
    }


def shift_event(opportunity: Opportunity, shift: Shift, places_left: int) -> dict[str, Any]:
    page = sd.url(opportunity.get_absolute_url())
    mode = "OnlineEventAttendanceMode" if opportunity.remote else "OfflineEventAttendanceMode"
    return {
        "@context": sd.CONTEXT,
        "@type": "Event",
        "name": f"{opportunity.title}: {shift.role}",
        "description": opportunity.summary,
        "url": page,
        "startDate": sd.when(shift.starts_at),
        "endDate": sd.when(shift.ends_at),
        "eventAttendanceMode": SCHEMA + mode,
        "eventStatus": SCHEMA + "EventScheduled",
        "location": _location(opportunity),
        "organizer": sd.convener(),
        "offers": {
            "@type": "Offer",
            "price": 0,
            "priceCurrency": "USD",
            "availability": SCHEMA + ("InStock" if places_left > 0 else "SoldOut"),
            "url": sd.url(reverse("volunteer:sign_up", args=[opportunity.slug, shift.pk])),
        },
        "isAccessibleForFree": True,
        "maximumAttendeeCapacity": shift.capacity,
        "remainingAttendeeCapacity": places_left,
        # The language of the text given, English where it fell back.
        "inLanguage": translated.shown(opportunity, "title").fallback or translated.reading(),
        "image": sd.logo_url(),
    }


def breadcrumbs(opportunity: Opportunity) -> dict[str, Any]:
    return sd.breadcrumbs(
        [
            (gettext("Volunteer"), reverse("volunteer:list")),
            (opportunity.title, opportunity.get_absolute_url()),
        ]
    )


def head(opportunity: Opportunity, shifts: Iterable[dict[str, Any]]) -> SafeString:
    """``shifts``: the page's rows, each {"shift": Shift, "left": places left}."""
    path = opportunity.get_absolute_url()
    events = [shift_event(opportunity, row["shift"], row["left"]) for row in shifts]
    return SafeString(
        sd.canonical(path)
        + "\n"
        + sd.share_tags(
            kind="website", title=opportunity.title, description=opportunity.summary, path=path
        )
        + "\n"
        + sd.json_ld(*events, breadcrumbs(opportunity))
    )
