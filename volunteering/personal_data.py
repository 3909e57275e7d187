"""A person's volunteer sign-ups, by their email address (sign-ups need no
account), for their data download (justop/registry.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from volunteering.models import Signup


def signups(user: Any) -> Sequence[Mapping[str, Any]]:
    return list(
        Signup.objects.filter(email__iexact=user.email)
        .order_by("shift__starts_at", "pk")
        .values(
            "shift__opportunity__title",
            "shift__starts_at",
            "name",
            "email",
            "phone",
            "party_size",
            "status",
        )
    )
