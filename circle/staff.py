"""Staff pages outside the rules of organizations: who holds staff power is
decided in circle/viewers.py; this module asks for the second factor when a
staff account without it opens a staff page (Django admin, check-in)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.middleware import get_user
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from circle.viewers import has_staff_power, mark_staff_power


def ask_for_second_factor(request: HttpRequest) -> HttpResponse:
    """Where a staff account without a second factor in this session goes
    when it opens a staff page: to give its code (and back to the page), or
    to set one up first."""
    if is_mfa_enabled(request.user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]):
        messages.info(
            request,
            _("Staff pages need your second factor: enter a code from your authenticator app."),
        )
        return redirect(
            reverse("mfa_reauthenticate") + "?" + urlencode({"next": request.get_full_path()})
        )
    messages.warning(
        request,
        _(
            "Staff must set up two-factor authentication before using the "
            "administration site. Add an authenticator app or a passkey."
        ),
    )
    return redirect("mfa_index")


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff pages outside the admin: anonymous → sign in, a staff account
    without its second factor → the second factor, anyone else → 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if has_staff_power(request.user):
            return view(request, *args, **kwargs)
        if request.user.is_staff:
            return ask_for_second_factor(request)
        raise PermissionDenied

    return wrapped


class StaffPowerMiddleware:
    """Decides once per request whether the person holds staff power, and
    keeps staff accounts without it out of Django admin (whose own checks
    read only `is_staff`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        # The very object request.user stands for; a visitor without a
        # session costs no query here.
        user = mark_staff_power(request, get_user(request))
        if (
            request.path.startswith(self.admin_prefix)
            and user.is_authenticated
            and user.is_staff
            and not has_staff_power(user)
        ):
            return ask_for_second_factor(request)
        return self.get_response(request)
