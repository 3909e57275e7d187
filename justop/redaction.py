"""Secrets taken out of the outbox once an email has been sent.

The outbox keeps what it sent for OUTBOX_KEEP_DAYS, in the admin and in
every backup. Some emails carry a key rather than news: whoever holds the
link of a password reset, an address confirmation, an invitation, a forum
registration's or a volunteer sign-up's page, a newsletter confirmation or
an unsubscribe link acts as the person it was sent to. Once the mail server
has the message the outbox needs none of that: the row keeps its kind,
recipient, subject, timestamps, state and the rest of its text, so staff
still see what was delivered to whom and when, and each such link becomes
MARKER. A row not sent yet (pending, failed, cancelled) keeps everything:
it still has to go out, and a retry needs it.

A secret link is recognised by where it points, not by the kind of email:
any link (absolute or not, whatever its host) to a view of this site whose
URL carries a ``token`` or a ``key`` (the URL patterns say which: a new
such view is covered without a change here). Unsubscribe links are
included for consistency, though they reach no account: bulk mail stores
none (they are made from the recipient and the stream when the message is
rendered), so redacting a digest changes nothing and costs one regular
expression over its strings. A bare code in the text (allauth's sign-in and
password-reset codes, turned off in this project) matches no pattern: the
body of those kinds goes entirely, see WITHHELD.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from html import unescape
from typing import Any
from urllib.parse import urlsplit

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import LocalePrefixPattern, RoutePattern

MARKER = "[link removed after sending]"
WITHHELD_NOTE = "[message removed after sending: it held a one-time code]"
# The URL arguments that make a link a key to someone's account or booking.
SECRET_ARGUMENTS = frozenset({"token", "key"})
# Kinds whose secret is a code written in the text, not a link.
WITHHELD = frozenset({"account.login_code", "account.password_reset_code"})

_REGEX_SPECIAL = set(".^$*+?{}[]\\|()")


def _literal(pattern: Any) -> str:
    """The fixed start of a URL pattern, as a regular expression."""
    if isinstance(pattern, LocalePrefixPattern):
        return r"(?:[\w-]+/)?"
    text = str(pattern)
    if isinstance(pattern, RoutePattern):
        return re.escape(text.split("<", 1)[0])
    text = text.removeprefix("^")
    end = next((i for i, char in enumerate(text) if char in _REGEX_SPECIAL), len(text))
    return re.escape(text[:end])


def _secret_prefixes(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for entry in resolver.url_patterns:
        here = prefix + _literal(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _secret_prefixes(entry, here)
        elif isinstance(entry, URLPattern) and (
            SECRET_ARGUMENTS & set(entry.pattern.regex.groupindex)
        ):
            yield here


@cache
def _prefixes() -> str:
    return "|".join(sorted(set(_secret_prefixes(get_resolver())), key=len, reverse=True))


@cache
def _quick_check() -> re.Pattern[str]:
    # Starting with a literal, it scans a string in C at memchr speed: the
    # check every sent email pays.
    return re.compile(rf"/(?:{_prefixes()})")


def might_hold_secrets(*values: Any) -> bool:
    """Whether any string in these JSON values holds the start of a secret
    link: false for nearly every email (a digest's 130 strings in about 30
    microseconds, against 4 ms to render and serialise it), true for the few
    worth the exact look."""
    search = _quick_check().search
    stack = list(values)
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str:
            if search(value):
                return True
        elif kind is dict:
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
    return False


@cache
def candidate_links() -> re.Pattern[str]:
    """Links, in text or in HTML, that start like one of the views taking a
    token or a key: an absolute link, or a path standing on its own (not
    the tail of a longer one). A link ends at a space, a quote or a bracket;
    trailing punctuation is the sentence's."""
    return re.compile(
        rf"(?:https?://[^\s/\"'<>]+|(?<![^\s\"'(<>=]))/(?:{_prefixes()})"
        rf"[^\s\"'<>]*[^\s\"'<>.,;:!?)\]]"
    )


def is_secret_link(link: str) -> bool:
    """Whether the link's path is a view of this site given a token or a
    key (a page next to one, such as "reset done", is not)."""
    path = urlsplit(unescape(link)).path
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return bool(SECRET_ARGUMENTS & match.kwargs.keys())


def _replace(match: re.Match[str]) -> str:
    link = match.group(0)
    return MARKER if is_secret_link(link) else link


def redact_text(text: str) -> str:
    """The text with its secret links replaced; the same object if it had
    none."""
    links = candidate_links()
    if not text or links.search(text) is None:
        return text
    redacted = links.sub(_replace, text)
    return redacted if redacted != text else text


def redact_value(value: Any) -> Any:
    """A JSON value (a template's context, the attachments) with its secret
    links replaced, every string at any depth. A value without one is
    returned as it is, the same object: the identity of the result says
    whether anything changed, with no second walk, and a list or dict is
    rebuilt only when something in it did."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        items = [redact_value(item) for item in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, dict):
        pairs = {key: redact_value(item) for key, item in value.items()}
        return pairs if any(pairs[key] is not item for key, item in value.items()) else value
    return value


def redacted_row_fields(row: Any) -> dict[str, Any]:
    """What changes in a sent outbox row's stored message (the model's row or
    a migration's): only the fields that held a secret, so that the row of
    an email without one is left as it is (nothing to write)."""
    stored = {
        "context": row.context,
        "subject": row.subject,
        "body_text": row.body_text,
        "body_html": row.body_html,
        "attachments": row.attachments,
    }
    if row.kind in WITHHELD:
        withheld = {"context": {}, "body_text": WITHHELD_NOTE, "body_html": ""}
        return {name: value for name, value in withheld.items() if stored[name] != value}
    if not might_hold_secrets(*stored.values()):
        return {}
    changed: dict[str, Any] = {}
    for name, value in stored.items():
        redacted = redact_value(value)
        if redacted is not value:
            changed[name] = redacted
    return changed


def redact_sent(model: Any, *, batch_size: int = 500) -> int:
    """Take the secrets out of emails sent before they were taken out at
    sending (a data migration, the redact_sent_emails command after
    restoring an old backup). ``model`` is the outbox model, or a
    migration's version of it. Returns how many rows changed."""
    changed = 0
    last = 0
    fields = ("kind", "context", "subject", "body_text", "body_html", "attachments")
    while True:
        rows = list(
            model.objects.filter(state="sent", pk__gt=last)
            .order_by("pk")
            .only("pk", *fields)[:batch_size]
        )
        if not rows:
            return changed
        last = rows[-1].pk
        updated = []
        names: set[str] = set()
        for row in rows:
            changes = redacted_row_fields(row)
            for name, value in changes.items():
                setattr(row, name, value)
            if changes:
                updated.append(row)
                names |= changes.keys()
        if updated:
            model.objects.bulk_update(updated, sorted(names))
            changed += len(updated)
