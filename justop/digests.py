"""Digest machinery shared by the member digest and the newsletter: periods,
and the assembly of one email per person from the registered sections."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from justop.outbox import Email, absolute
from justop.registry import DigestSection, digest_sections

DAILY = "daily"
WEEKLY = "weekly"


@dataclass(frozen=True)
class Period:
    """The last complete day or week (Monday to Sunday) before a moment, in
    the site's time zone. ``key`` names it in idempotency keys."""

    frequency: str
    first_day: date
    last_day: date
    start: datetime
    end: datetime
    key: str

    @classmethod
    def last_complete(cls, frequency: str, now: datetime | None = None) -> Period:
        today = timezone.localdate(now or timezone.now())
        if frequency == DAILY:
            first = today - timedelta(days=1)
            key = first.isoformat()
            length = 1
        elif frequency == WEEKLY:
            first = today - timedelta(days=today.weekday() + 7)
            year, week, _ = first.isocalendar()
            key = f"{year}-W{week:02d}"
            length = 7
        else:
            raise ValueError(f"Unknown digest frequency {frequency!r}")
        last = first + timedelta(days=length - 1)
        return cls(
            frequency=frequency,
            first_day=first,
            last_day=last,
            start=_local_midnight(first),
            end=_local_midnight(last + timedelta(days=1)),
            key=key,
        )

    def context(self) -> dict[str, str]:
        return {
            "frequency": self.frequency,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
        }


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _absolute_items(items: list[dict[str, str]]) -> list[dict[str, str]]:
    return [item | {"url": absolute(item["url"])} if item.get("url") else item for item in items]


def items_for(
    section: DigestSection, users: Sequence[Any], period: Period
) -> Mapping[int, list[dict[str, str]]]:
    if section.for_members is not None:
        return section.for_members(users, period)
    # A public section: the same items for everyone, read once for the batch.
    items = section.for_public(period) if section.for_public else []
    return {user.pk: items for user in users} if items else {}


def _by_language(users: Sequence[Any]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {}
    for user in users:
        groups.setdefault(user.language or settings.LANGUAGE_CODE, []).append(user)
    return groups


def _titles(sections: Sequence[DigestSection], languages: set[str]) -> dict[tuple[str, str], str]:
    """Each section's title in each language, translated once per batch
    rather than once per member."""
    titles = {}
    for language in languages:
        with translation.override(language):
            titles.update({(language, s.key): str(s.title) for s in sections})
    return titles


def member_digests(
    users: Sequence[Any],
    period: Period,
    *,
    wants: Callable[[Any, DigestSection], bool],
    kind: str,
    stream: str,
) -> list[Email]:
    """One digest email per member who has something new in a section they
    want. Each section runs once for the whole batch."""
    sections = digest_sections()
    # Sections write dates, categories and reasons into their items: each
    # runs once per language of the batch, in that language, so a Spanish
    # digest is Spanish all through (a constant number of queries still).
    found: dict[str, dict[int, list[dict[str, str]]]] = {s.key: {} for s in sections}
    for language, group in _by_language(users).items():
        with translation.override(language):
            for section in sections:
                found[section.key].update(items_for(section, group, period))
    titles = _titles(sections, {user.language for user in users})
    emails = []
    for user in users:
        parts = []
        for section in sections:
            items = found[section.key].get(user.pk)
            if items and wants(user, section):
                title = titles[user.language, section.key]
                parts.append({"key": section.key, "title": title, "items": _absolute_items(items)})
        if parts:
            emails.append(
                Email(
                    kind=kind,
                    to=user.email,
                    user=user,
                    stream=stream,
                    period=period.key,
                    template="emails/digest",
                    context=period.context() | {"name": user.get_short_name(), "sections": parts},
                )
            )
    return emails


def public_digest_sections(period: Period, language: str) -> list[dict[str, Any]]:
    """The sections of the public digest (the newsletter) for one period."""
    parts = []
    for section in digest_sections():
        if section.for_public is None:
            continue
        with translation.override(language):
            items = section.for_public(period)
            title = str(section.title)
        if items:
            parts.append({"key": section.key, "title": title, "items": _absolute_items(items)})
    return parts
