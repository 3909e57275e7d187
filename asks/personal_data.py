"""The asks and offers a person posted and the messages they wrote, for their
data download (justop/registry.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from asks.models import Post, PostResponse


def posts(user: Any) -> Sequence[Mapping[str, Any]]:
    return list(
        Post.objects.filter(author=user)
        .order_by("created_at", "pk")
        .values("kind", "title", "description", "organization__name", "status", "created_at")
    )


def messages(user: Any) -> Sequence[Mapping[str, Any]]:
    return list(
        PostResponse.objects.filter(author=user)
        .order_by("created_at", "pk")
        .values("conversation__post__title", "organization__name", "body", "created_at")
    )
