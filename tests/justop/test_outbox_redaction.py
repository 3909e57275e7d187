"""Once an email has been sent, the outbox keeps the record of its delivery
but not the links that act as its recipient: a password reset, an address
confirmation, an invitation, a confirmation or manage link. The message
delivered had them; the stored row, its admin preview and every backup do
not. An email not sent yet keeps its links: it still has to go out."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from circle import invitations
from justop import outbox
from justop.models import OutboxEmail
from justop.redaction import MARKER
from news import newsletter
from tests.factories import (
    PASSWORD,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
    sign_in_with_second_factor,
)
from tests.smtp import free_port, html_of, text_of

State = OutboxEmail.State
RESET_LINK = re.compile(r"https?://\S+/accounts/password/reset/key/[^\s\"<>]+/")


def stored(row: OutboxEmail) -> str:
    """Everything the outbox keeps of a message's content."""
    row.refresh_from_db()
    return json.dumps(
        [row.subject, row.context, row.body_text, row.body_html, row.attachments],
        ensure_ascii=False,
    )


def test_a_sent_password_reset_keeps_its_delivery_but_not_its_link(client, smtp_sink):
    UserFactory(email="ada@example.org")
    client.post(reverse("account_reset_password"), {"email": "ada@example.org"})

    [message] = smtp_sink.to("ada@example.org")
    link = RESET_LINK.search(text_of(message)).group(0)
    key = link.rstrip("/").rsplit("/", 1)[-1]
    row = OutboxEmail.objects.get(recipient="ada@example.org")
    assert row.state == State.SENT
    kept = stored(row)
    assert key not in kept
    assert "/accounts/password/reset/key/" not in kept
    assert MARKER in row.body_text
    # What staff need to see the delivery is all there.
    assert row.kind == "account.password_reset_key"
    assert row.subject == message["Subject"]
    assert row.sent_at is not None
    assert row.message_id == message["Message-ID"]
    # And the rest of the text, as the person read it.
    first_line = text_of(message).strip().splitlines()[0]
    assert first_line in row.body_text


def test_a_sent_address_confirmation_keeps_no_confirmation_key(client, smtp_sink):
    UserFactory(email="new@example.org", verified=False)
    client.post(reverse("account_login"), {"login": "new@example.org", "password": PASSWORD})

    [message] = smtp_sink.to("new@example.org")
    assert "/accounts/confirm-email/" in text_of(message)
    row = OutboxEmail.objects.get(recipient="new@example.org")
    assert "/accounts/confirm-email/" not in stored(row)
    assert MARKER in row.body_text


def test_a_sent_invitation_keeps_who_invited_whom_but_not_the_accept_link(smtp_sink):
    organization = OrganizationFactory(name="Westside Works", slug="westside-works")
    invitations.invite(organization, ["rosa@example.org"], "member", by=None)
    # An email with links that are no one's key, sent the same way, stays whole.
    body = (
        "The Circle's new report: https://portal.example.org/research/wages/ (read it), "
        "and who was invited: https://portal.example.org/orgs/westside-works/manage/invitations/."
    )
    outbox.queue(
        outbox.Email(kind="test.notice", to="ana@example.org", subject="New", body_text=body)
    )
    notice = OutboxEmail.objects.get(recipient="ana@example.org")
    assert notice.state == State.SENT
    assert notice.body_text == body

    [message] = smtp_sink.to("rosa@example.org")
    link = re.search(r"https?://\S+/invitations/[^\s\"<>]+/", text_of(message)).group(0)
    assert link in html_of(message)
    row = OutboxEmail.objects.get(recipient="rosa@example.org")
    assert row.state == State.SENT
    assert link not in stored(row)
    assert row.context["url"] == MARKER
    assert row.context["organization"] == "Westside Works"


def test_a_sent_newsletter_confirmation_keeps_no_confirmation_link(smtp_sink):
    newsletter.subscribe("reader@example.org", "en")

    [message] = smtp_sink.to("reader@example.org")
    assert "/news/newsletter/confirm/" in text_of(message)
    row = OutboxEmail.objects.get(recipient="reader@example.org")
    assert "/news/newsletter/confirm/" not in stored(row)


def test_an_email_not_sent_yet_keeps_its_link_until_it_goes(client, settings, smtp_sink):
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    UserFactory(email="ada@example.org")
    client.post(reverse("account_reset_password"), {"email": "ada@example.org"})
    row = OutboxEmail.objects.get(recipient="ada@example.org")
    assert row.state == State.PENDING  # the mail server is down: to be retried
    assert RESET_LINK.search(row.body_text)

    settings.MAILERS = working
    OutboxEmail.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    assert outbox.deliver(row.pk) == "sent"
    [message] = smtp_sink.to("ada@example.org")
    assert RESET_LINK.search(text_of(message))
    assert not RESET_LINK.search(stored(row))


def test_staff_see_a_sent_invitation_in_the_admin_without_its_link(client, smtp_sink):
    organization = OrganizationFactory(name="Westside Works", slug="westside-works")
    invitations.invite(organization, ["rosa@example.org"], "member", by=None)
    [message] = smtp_sink.to("rosa@example.org")
    link = re.search(r"https?://\S+/invitations/[^\s\"<>]+/", text_of(message)).group(0)
    row = OutboxEmail.objects.get(recipient="rosa@example.org")

    sign_in_with_second_factor(client, StaffFactory())
    page = client.get(reverse("admin:justop_outboxemail_change", args=[row.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Westside Works" in html
    assert "rosa@example.org" in html
    assert MARKER in html
    assert link not in html
    # Nor the unsubscribe link the preview renders afresh for bulk mail.
    assert "/unsubscribe/" not in html


@pytest.mark.django_db
def test_emails_sent_before_lose_their_links_once_and_for_all():
    link = "https://portal.example.org/accounts/password/reset/key/3-abc-0123456789abcdef/"
    row = outbox.Email(
        kind="account.password_reset_key",
        to="ada@example.org",
        subject="Password reset",
        body_text=f"Hello,\nto choose a new password go to {link}\nThanks.",
    ).row()
    row.state = State.SENT
    row.save()
    waiting = outbox.Email(
        kind="account.password_reset_key",
        to="bob@example.org",
        subject="Password reset",
        body_text=f"Hello,\nto choose a new password go to {link}\n",
    ).row()
    waiting.save()

    call_command("redact_sent_emails", stdout=io.StringIO())
    row.refresh_from_db()
    assert row.body_text == f"Hello,\nto choose a new password go to {MARKER}\nThanks."
    waiting.refresh_from_db()
    assert link in waiting.body_text  # still to be sent

    output = io.StringIO()
    call_command("redact_sent_emails", stdout=output)
    assert output.getvalue().startswith("0 ")
