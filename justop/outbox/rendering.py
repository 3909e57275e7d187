"""The message of an outbox row, rendered at send time in the recipient's
language."""

from __future__ import annotations

from html import unescape as unescape_html

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from justop.models import OutboxEmail
from justop.outbox.headers import OutboxMessage
from justop.outbox.tokens import unsubscribe_url
from justop.outbox.urls import absolute, site_domain
from justop.registry import mail_stream


def render(row: OutboxEmail) -> EmailMultiAlternatives:
    """The message of a row, in the recipient's language, with one layout."""
    with translation.override(row.language):
        context = {
            **row.context,
            "recipient": row.recipient,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "preferences_url": absolute(reverse("circle:email_preferences")) if row.user_id else "",
            "stream_label": mail_stream(row.stream).label if row.stream else "",
            "unsubscribe_url": unsubscribe_url(row.recipient, row.stream) if row.stream else "",
        }
        subject: str
        text: str
        html: str
        if row.template:
            subject = render_to_string(f"{row.template}_subject.txt", context)
            text = render_to_string(f"{row.template}.txt", context)
            html = render_to_string(f"{row.template}.html", context)
        else:
            subject, text = row.subject, row.body_text
            html = row.body_html or render_to_string(
                "emails/plain.html", context | {"subject": subject, "body": text}
            )
        if not row.body_html and not row.template:
            text = render_to_string("emails/plain.txt", context | {"body": text})
    headers = {"Message-ID": row.message_id, "Auto-Submitted": "auto-generated"}
    if row.stream:
        # RFC 8058: mail clients offer a button that POSTs to this address.
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        headers["List-Id"] = f"<{row.stream}.{site_domain()}>"
        headers["Precedence"] = "bulk"
    message = OutboxMessage(
        # Templates escape for HTML; a subject is plain text ("Smith & Sons").
        subject=unescape_html(" ".join(subject.split())),
        body=text.strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient],
        headers=headers,
        reply_to=[row.reply_to] if row.reply_to else None,
    )
    message.attach_alternative(html, "text/html")
    for attachment in row.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message
