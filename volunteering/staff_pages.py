"""What volunteering shows PSE staff on a person's admin page: their shift
sign-ups, by their email address (sign-ups need no account;
justop/registry.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from justop.registry import PersonItem
from justop.staff_pages import PERSON_ITEMS, change_url, changelist_url
from volunteering.models import Signup


def person_signups(user: Any) -> tuple[Sequence[PersonItem], str]:
    rows = (
        Signup.objects.filter(email__iexact=user.email)
        .select_related("shift__opportunity")
        .order_by("-shift__starts_at", "-pk")[:PERSON_ITEMS]
    )
    items = [
        PersonItem(
            text=s.shift.opportunity.title,
            state=s.get_status_display(),
            when=s.shift.starts_at,
            url=change_url(s),
        )
        for s in rows
    ]
    return items, changelist_url(Signup, q=user.email)
