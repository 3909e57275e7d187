from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

SESSION_STARTED = "_session_started"
SESSION_SEEN = "_session_seen"
# Refresh the idle clock at most this often, so an active reader does not
# cost a session write on every request.
TOUCH_EVERY = 60


def start_session_clock(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """Connected to user_logged_in: the absolute lifetime counts from sign-in."""
    now = int(time.time())
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now


class SessionTimeoutMiddleware:
    """Ends a signed-in session after SESSION_IDLE_TIMEOUT seconds without a
    request, and after SESSION_ABSOLUTE_TIMEOUT seconds whatever the activity."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.get(SESSION_STARTED)
            seen = session.get(SESSION_SEEN)
            if started is None or seen is None:
                session[SESSION_STARTED] = started = now
                session[SESSION_SEEN] = seen = now
            if (
                now - seen > settings.SESSION_IDLE_TIMEOUT
                or now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            ):
                logout(request)
                messages.info(request, _("Your session has expired. Please sign in again."))
            elif now - seen >= TOUCH_EVERY:
                session[SESSION_SEEN] = now
        return self.get_response(request)
