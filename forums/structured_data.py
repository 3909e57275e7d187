"""A forum as a schema.org Event, its breadcrumbs and its share tags.

The online link is the one secret on a forum's page (models.Forum.online_url:
"shown only to people registered"), and a visitor's page is kept in the page
cache: a VirtualLocation names the link only when the view says this viewer
may see it, and the forum's own page otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from circle.models import Organization
from forums.models import Forum
from justop import structured_data as sd
from justop import translated

SCHEMA = "https://schema.org/"


def attendance_mode(forum: Forum) -> str:
    if forum.venue_name and forum.online_url:
        return SCHEMA + "MixedEventAttendanceMode"
    if forum.online_url:
        return SCHEMA + "OnlineEventAttendanceMode"
    return SCHEMA + "OfflineEventAttendanceMode"


def event_status(forum: Forum) -> str:
    # Forums have no "postponed" state: a new date is a change of the forum.
    if forum.is_cancelled:
        return SCHEMA + "EventCancelled"
    if forum.moved_online:
        return SCHEMA + "EventMovedOnline"
    return SCHEMA + "EventScheduled"


def location(forum: Forum, *, show_online: bool) -> list[dict[str, Any]]:
    places: list[dict[str, Any]] = []
    if forum.venue_name:
        places.append(
            {
                "@type": "Place",
                "name": forum.venue_name,
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": forum.venue_address,
                    "addressRegion": "GA",
                    "addressCountry": "US",
                },
                "hasMap": forum.map_url,
            }
        )
    if forum.online_url:
        link = forum.online_url if show_online else sd.url(forum.get_absolute_url())
        places.append({"@type": "VirtualLocation", "url": link})
    return places


def organizers(hosts: Sequence[Organization]) -> list[dict[str, Any]]:
    if not hosts:
        return [sd.convener()]
    return [
        {"@type": "Organization", "name": host.name, "url": sd.url(host.get_absolute_url())}
        for host in hosts
    ]


def event(
    forum: Forum, *, places_left: int, hosts: Sequence[Organization], show_online: bool
) -> dict[str, Any]:
    page = sd.url(forum.get_absolute_url())
    return {
        "@context": sd.CONTEXT,
        "@type": "Event",
        "name": forum.title,
        "description": forum.summary,
        "url": page,
        "startDate": sd.when(forum.starts_at),
        "endDate": sd.when(forum.ends_at),
        "eventAttendanceMode": attendance_mode(forum),
        "eventStatus": event_status(forum),
        "location": location(forum, show_online=show_online),
        "organizer": organizers(hosts),
        "offers": {
            "@type": "Offer",
            "price": 0,
            "priceCurrency": "USD",
            "availability": SCHEMA + ("InStock" if places_left > 0 else "SoldOut"),
            "url": page,
        },
        "isAccessibleForFree": True,
        "maximumAttendeeCapacity": forum.capacity,
        "remainingAttendeeCapacity": places_left,
        # The language of the text given, English where it fell back.
        "inLanguage": translated.shown(forum, "title").fallback or translated.reading(),
        "image": sd.logo_url(),
    }


def breadcrumbs(forum: Forum) -> dict[str, Any]:
    if forum.is_past:
        parent = (gettext("Past forums"), reverse("forums:past"))
    else:
        parent = (gettext("Forums"), reverse("forums:list"))
    return sd.breadcrumbs([parent, (forum.title, forum.get_absolute_url())])


def head(
    forum: Forum, *, places_left: int, hosts: Sequence[Organization], show_online: bool
) -> SafeString:
    """What a forum's page adds to its head: share tags and JSON-LD."""
    return SafeString(
        sd.canonical(forum.get_absolute_url())
        + "\n"
        + sd.share_tags(
            kind="website",
            title=forum.title,
            description=forum.summary,
            path=forum.get_absolute_url(),
        )
        + "\n"
        + sd.json_ld(
            event(forum, places_left=places_left, hosts=hosts, show_online=show_online),
            breadcrumbs(forum),
        )
    )
