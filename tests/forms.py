"""What the portal's forms are sent in tests: the data of a valid form, to
change field by field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from circle.models import Organization
from news.models import NewsPost


def profile_data(org: Organization, **changes: Any) -> dict[str, Any]:
    """The organization profile form (circle:manage_profile) as it stands
    (`mission="…"` changes the English mission, `mission_es="…"` the Spanish)."""
    data = {
        "name": org.name,
        "sector": org.sector,
        "side": org.side,
        "website": org.website,
        "stages": [s.pk for s in org.stages.all()],
        "counties": [c.pk for c in org.counties.all()],
        "contact_name": org.contact_name,
        "contact_email": org.contact_email,
        "contact_phone": org.contact_phone,
        "expertise_names": "",
    }
    for field in ORGANIZATION_TRANSLATED:
        for language in ("en", "es"):
            data[f"{field}_{language}"] = getattr(org, f"{field}_{language}") or ""
    for key, value in changes.items():
        data[f"{key}_en" if key in ORGANIZATION_TRANSLATED else key] = value
    return data


ORGANIZATION_TRANSLATED = {"mission", "description"}


def post_data(**changes: Any) -> dict[str, Any]:
    """An ask for all members, as the ask or offer form (asks:post_create,
    asks:post_edit) sends it: the title and description in English
    (`title="…"` changes the English one, `title_es="…"` the Spanish)."""
    data = {
        "kind": "ask",
        "title_en": "20 entry-level technicians",
        "description_en": "Starting in **March**.",
        "side": "demand",
        "stages": [],
        "counties": [],
        "quantity": "20",
        "unit": "jobs",
        "deadline": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "audience": "members",
        "expertise_names": "Advanced manufacturing, apprenticeships",
    }
    for key, value in changes.items():
        data[f"{key}_en" if key in POST_TRANSLATED else key] = value
    return data


POST_TRANSLATED = {"title", "description"}


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
