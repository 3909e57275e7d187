"""allauth's own emails (address verification, password reset, security
notices) travel through the outbox like every other email."""

import re

from django.urls import reverse

from justop.models import OutboxEmail
from tests.factories import PASSWORD, UserFactory
from tests.smtp import html_of, text_of


def test_a_password_reset_goes_through_the_outbox_and_its_link_works(client, smtp_sink):
    UserFactory(email="ada@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "ada@example.org"})
    assert response.status_code == 302

    row = OutboxEmail.objects.get(recipient="ada@example.org")
    assert row.kind == "account.password_reset_key"
    assert row.state == OutboxEmail.State.SENT
    [message] = smtp_sink.to("ada@example.org")
    assert message["Message-ID"] == row.message_id
    assert message["List-Unsubscribe"] is None  # transactional: always sent
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", text_of(message)).group(0)
    assert link in html_of(message)  # the same message, in the site's email layout

    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path, follow=True)
    assert page.status_code == 200
    assert b"password1" in page.content


def test_a_reset_asked_twice_sends_two_emails(client, smtp_sink):
    UserFactory(email="ada@example.org")
    for _ in range(2):
        client.post(reverse("account_reset_password"), {"email": "ada@example.org"})
    assert len(smtp_sink.to("ada@example.org")) == 2


def test_account_emails_are_written_in_the_persons_language(client, smtp_sink):
    UserFactory(email="ana@example.org", language="es")
    client.post(reverse("account_reset_password"), {"email": "ana@example.org"})
    [message] = smtp_sink.to("ana@example.org")
    assert "contraseña" in message["Subject"].lower()
    assert '<html lang="es"' in html_of(message)


def test_an_unverified_person_signing_in_gets_a_verification_email(client, smtp_sink):
    UserFactory(email="new@example.org", verified=False)
    client.post(reverse("account_login"), {"login": "new@example.org", "password": PASSWORD})

    row = OutboxEmail.objects.get(recipient="new@example.org")
    assert row.kind == "account.email_confirmation"
    [message] = smtp_sink.to("new@example.org")
    assert "/accounts/confirm-email/" in text_of(message)


def test_a_mail_server_outage_does_not_break_the_password_reset_page(
    client, settings, transactional_db
):
    from tests.smtp import free_port

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    UserFactory(email="ada@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "ada@example.org"})
    assert response.status_code == 302
    row = OutboxEmail.objects.get(recipient="ada@example.org")
    assert row.state == OutboxEmail.State.PENDING  # kept, to be retried
