"""The organization page's section of open asks and offers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from asks import access, services
from circle.models import Organization

SHOWN = 10


def open_posts(request: HttpRequest, organization: Organization) -> dict[str, Any] | None:
    """Its open posts that the person may see; hidden when there are none,
    except to the organization's own people, who get a link to post."""
    viewer = access.viewer(request)
    if not viewer.is_member:
        return None
    own = organization.pk in viewer.organization_ids
    posts = list(services.open_posts_of(organization, viewer)[: SHOWN + 1])
    if not posts and not own:
        return None
    return {
        "posts": posts[:SHOWN],
        "more": len(posts) > SHOWN,
        "own": own,
        "organization": organization,
    }
