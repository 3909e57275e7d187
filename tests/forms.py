"""What the portal's forms are sent in tests: the data of a valid form, to
change field by field."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from circle.models import Organization
from news.models import NewsPost


def profile_data(org: Organization, **changes: Any) -> dict[str, Any]:
    """The organization profile form (circle:manage_profile) as it stands."""
    return {
        "name": org.name,
        "sector": org.sector,
        "side": org.side,
        "mission": org.mission,
        "website": org.website,
        "stages": [s.pk for s in org.stages.all()],
        "counties": [c.pk for c in org.counties.all()],
        "contact_name": org.contact_name,
        "contact_email": org.contact_email,
        "contact_phone": org.contact_phone,
        "expertise_names": "",
        **changes,
    }


def news_post_data(**changes: Any) -> dict[str, Any]:
    """A news post published now, as the admin's add form sends it: the
    translated fields in English (a change to `title` is one to `title_en`)."""
    now = timezone.localtime()
    data = {
        "title_en": "Spring career fair",
        "slug": "spring-career-fair",
        "category": NewsPost.Category.VOLUNTEER,
        "summary_en": "Help job seekers.",
        "body_en": "We need **volunteers**.",
        "hero_alt_en": "Volunteers at a table",
        "author": "",
        "status": NewsPost.Status.PUBLISHED,
        "publish_at_0": now.strftime("%Y-%m-%d"),
        "publish_at_1": now.strftime("%H:%M:%S"),
    }
    for key, value in changes.items():
        data[f"{key}_en" if key in NEWS_TRANSLATED else key] = value
    return data


NEWS_TRANSLATED = {"title", "summary", "body", "hero_alt"}


def resource_data(**changes: Any) -> dict[str, Any]:
    """A published report, as an organization's research form sends it (its
    title and abstract in English; `title="…"` changes the English one)."""
    data = {
        "title_en": "Jobs along the corridor",
        "kind": "report",
        "abstract_en": "Where the jobs are.",
        "published_on": "2025-06-01",
        "language": "en",
        "visibility": "organization",
        "status": "published",
    }
    for key, value in changes.items():
        data[f"{key}_en" if key in RESOURCE_TRANSLATED else key] = value
    return data


RESOURCE_TRANSLATED = {"title", "abstract"}
