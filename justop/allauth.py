import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import translation
from django.utils.html import strip_tags

from justop import outbox


@dataclass(frozen=True)
class PortalSite:
    """What allauth's emails call the site (current_site): the portal's name
    and address, not the host the request happened to come in on."""

    name: str
    domain: str


def portal_site() -> PortalSite:
    return PortalSite(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


def on_portal(url: str) -> str:
    """An absolute link allauth built from the request, moved onto SITE_URL:
    an email's links lead to the portal's public address whichever host or
    proxy the request that sent it came through."""
    parts = urlsplit(url)
    if not (parts.scheme and parts.netloc):
        return url
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return settings.SITE_URL + path


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Members join by invitation from their organization or PSE staff;
        # organizations apply to join the Circle. The sign-up page says so.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's emails (verification, password reset, security notices)
        go through the outbox like every other email, rendered now in the
        recipient's language. Each is its own email: two password resets
        asked for are two messages."""
        request = allauth_context.request
        user = context.get("user")
        if getattr(user, "pk", None) is None:
            user = get_user_model().objects.filter(email__iexact=email).first()
        language = getattr(user, "language", "") or translation.get_language()
        full_context = {
            "request": request,
            "email": email,
            **context,
            "current_site": portal_site(),
            "site_url": settings.SITE_URL,
        }
        for key, value in context.items():
            if key.endswith("_url") and isinstance(value, str):
                full_context[key] = on_portal(value)
        with translation.override(language):
            message = self.render_mail(template_prefix, email, full_context)
        html = next(
            (c for c, mime in getattr(message, "alternatives", []) if mime == "text/html"), ""
        )
        text = message.body
        if message.content_subtype == "html":
            html, text = message.body, strip_tags(message.body)
        outbox.queue(
            outbox.Email(
                kind=f"account.{template_prefix.rsplit('/', 1)[-1]}",
                to=email,
                user=user,
                about=f"once:{uuid.uuid4().hex}",
                language=language,
                subject=str(message.subject),
                body_text=str(text),
                body_html=str(html),
            )
        )
