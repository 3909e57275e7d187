"""Staff watch email delivery in Django admin: counts by state, filters,
failure reasons, and actions to send again or cancel."""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from justop import outbox
from justop.models import OutboxEmail

State = OutboxEmail.State
CHANGELIST = reverse("admin:justop_outboxemail_changelist")


def make(state: str, to: str, error: str = "") -> OutboxEmail:
    row = outbox.Email(kind="test.notice", to=to, subject="Notice", body_text="Hello").row()
    row.state = state
    row.last_error = error
    row.save()
    return row


def test_the_outbox_shows_counts_by_state_and_failure_reasons(db, staff_client):
    make(State.SENT, "a@example.org")
    make(State.SENT, "b@example.org")
    make(State.FAILED, "c@example.org", "SMTP 550: 5.1.1 No such user")
    make(State.PENDING, "d@example.org")

    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    assert [(value, count) for value, _label, count in response.context["state_counts"]] == [
        ("pending", 1),
        ("sending", 0),
        ("sent", 2),
        ("failed", 1),
        ("cancelled", 0),
    ]
    assert "SMTP 550: 5.1.1 No such user" in response.content.decode()


def test_staff_filter_the_outbox_by_state(db, staff_client):
    make(State.SENT, "sent@example.org")
    make(State.FAILED, "failed@example.org", "SMTP 554: rejected")
    html = staff_client.get(CHANGELIST, {"state__exact": "failed"}).content.decode()
    assert "failed@example.org" in html
    assert "sent@example.org" not in html


def test_staff_send_a_failed_email_again(staff_client, smtp_sink):
    row = make(State.FAILED, "back@example.org", "SMTP 452: mailbox full")
    response = staff_client.post(
        CHANGELIST, {"action": "retry_emails", ACTION_CHECKBOX_NAME: [row.pk]}, follow=True
    )
    assert "1 email queued again." in response.content.decode()
    row.refresh_from_db()
    assert row.state == State.SENT
    [message] = smtp_sink.to("back@example.org")
    assert message["Message-ID"] == row.message_id


def test_staff_cancel_an_email_not_yet_sent_but_not_a_sent_one(db, staff_client):
    waiting = make(State.PENDING, "wait@example.org")
    sent = make(State.SENT, "done@example.org")
    staff_client.post(
        CHANGELIST, {"action": "cancel_emails", ACTION_CHECKBOX_NAME: [waiting.pk, sent.pk]}
    )
    waiting.refresh_from_db()
    sent.refresh_from_db()
    assert waiting.state == State.CANCELLED
    assert sent.state == State.SENT


def test_an_email_is_shown_with_its_message_and_cannot_be_edited(db, staff_client):
    row = make(State.SENT, "view@example.org")
    url = reverse("admin:justop_outboxemail_change", args=[row.pk])
    html = staff_client.get(url).content.decode()
    assert "Hello" in html and "Notice" in html
    staff_client.post(url, {"recipient": "attacker@example.org"})
    row.refresh_from_db()
    assert row.recipient == "view@example.org"
