"""Whether a person's address subscribes to the newsletter, for their data
download (justop/registry.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from news.models import Subscriber


def newsletter(user: Any) -> Sequence[Mapping[str, Any]]:
    return list(
        Subscriber.objects.filter(email__iexact=user.email).values(
            "email", "status", "language", "created_at", "confirmed_at", "unsubscribed_at"
        )
    )
