"""A person's forum registrations, for their data download (justop/registry.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Q

from forums.models import Registration


def registrations(user: Any) -> Sequence[Mapping[str, Any]]:
    # Guests register without an account: their address finds those too.
    return list(
        Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email))
        .order_by("created_at", "pk")
        .values(
            "forum__title",
            "forum__starts_at",
            "name",
            "email",
            "organization_name",
            "status",
            "created_at",
            "confirmed_at",
            "cancelled_at",
            "attended",
        )
    )
