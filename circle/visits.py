"""Since when something counts as new on a person's member home: their
previous sign-in.

`User.last_login` is already this sign-in's time once the person is in, so
the previous one is kept in the session when they sign in. It is read by
`remember_previous_visit`, connected to `user_logged_in` in CircleConfig.ready:
circle comes before django.contrib.auth in INSTALLED_APPS, so it runs before
auth's `update_last_login` overwrites the value (tests/circle/test_member_home.py
holds this).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

SESSION_KEY = "circle_previous_visit"
# A first sign-in, or a session from before the key existed: the last weeks.
FIRST_VISIT = timedelta(days=30)


def remember_previous_visit(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    previous = getattr(user, "last_login", None)
    request.session[SESSION_KEY] = previous.isoformat() if previous else ""


def previous_visit(request: HttpRequest) -> datetime:
    """When the person signed in before this session (or a month ago)."""
    stored = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    parsed = parse_datetime(stored) if isinstance(stored, str) and stored else None
    return parsed or timezone.now() - FIRST_VISIT
