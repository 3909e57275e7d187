"""What asks and offers show PSE staff on a person's admin page: the asks and
offers they posted and the messages they wrote (justop/registry.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from asks.models import Conversation, Post, PostResponse
from justop.registry import PersonItem
from justop.staff_pages import PERSON_ITEMS, change_url, changelist_url


def person_posts(user: Any) -> tuple[Sequence[PersonItem], str]:
    rows = Post.objects.filter(author=user).select_related("organization")
    items = [
        PersonItem(
            text=f"{p.get_kind_display()}: {p.title} ({p.organization.name})",
            state=p.get_status_display(),
            when=p.created_at,
            url=change_url(p),
        )
        for p in rows.order_by("-created_at", "-pk")[:PERSON_ITEMS]
    ]
    return items, changelist_url(Post, q=user.email)


def person_messages(user: Any) -> tuple[Sequence[PersonItem], str]:
    rows = PostResponse.objects.filter(author=user).select_related(
        "conversation__post", "organization"
    )
    items = [
        PersonItem(
            text=f"{r.conversation.post.title}: {r.body[:80]}",
            state=r.organization.name,
            when=r.created_at,
            url=change_url(r.conversation),
        )
        for r in rows.order_by("-created_at", "-pk")[:PERSON_ITEMS]
    ]
    return items, changelist_url(Conversation, q=user.email)
