"""Unsubscribe tokens: the signed (address, stream) of a one-click
unsubscribe link."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from justop.outbox.urls import absolute

UNSUBSCRIBE_SALT = "justop.unsubscribe"


def unsubscribe_token(email: str, stream: str) -> str:
    return signing.dumps({"e": email.lower(), "s": stream}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[str, str]:
    """The (email, stream) of a token; raises signing.BadSignature."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not {"e", "s"} <= data.keys():
        raise signing.BadSignature("Malformed unsubscribe token.")
    return str(data["e"]), str(data["s"])


def unsubscribe_url(email: str, stream: str) -> str:
    return absolute(reverse("unsubscribe", args=[unsubscribe_token(email, stream)]))
