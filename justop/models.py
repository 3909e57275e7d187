"""The outbox: every email of the portal is a row here before it is a message.

A row is written in the same transaction as the change that caused it, so an
email exists if and only if its cause was committed. Delivery is in
justop/outbox.py.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEmail(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    # sha256 of (kind, recipient, object, period): the same logical email can
    # be queued only once, whoever tries and however often.
    key = models.CharField(max_length=64, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=80)
    # The mailing stream of bulk mail ("digest", "newsletter"...); empty for
    # transactional mail, which always goes and carries no unsubscribe link.
    stream = models.CharField(_("stream"), max_length=40, blank=True)
    recipient = models.EmailField(_("recipient"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    object_ref = models.CharField(_("about"), max_length=120, blank=True)
    period = models.CharField(_("period"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)

    # Either a template (rendered when sent, in the recipient's language) or a
    # message rendered when queued (allauth's emails).
    template = models.CharField(max_length=120, blank=True)
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    # [{"filename", "content", "mimetype"}], text content only (e.g. ICS).
    attachments = models.JSONField(default=list, blank=True)
    reply_to = models.EmailField(max_length=254, blank=True)

    # Fixed when the row is created: a retry carries the same Message-ID, so a
    # receiving server can drop a copy.
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)

    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # When a send task for this row was last put on the broker.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outbox")
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            # The sweeper's scan: only unfinished rows are indexed.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="outbox_unfinished_idx",
            ),
            models.Index(fields=["created_at"], name="outbox_created_idx"),
            models.Index(fields=["kind", "state"], name="outbox_kind_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"

    @property
    def is_bulk(self) -> bool:
        return bool(self.stream)


class Suppression(models.Model):
    """An address that asked for no more mail of one stream."""

    email = models.EmailField(_("email address"), max_length=254)
    stream = models.CharField(_("stream"), max_length=40)
    created_at = models.DateTimeField(_("since"), default=timezone.now)
    source = models.CharField(
        _("how"),
        max_length=20,
        choices=[
            ("one-click", _("one-click from the email")),
            ("page", _("unsubscribe page")),
            ("preferences", _("email preferences")),
            ("staff", _("staff")),
        ],
        default="page",
    )

    class Meta:
        verbose_name = _("unsubscribed address")
        verbose_name_plural = _("unsubscribed addresses")
        ordering: ClassVar[list[str]] = ["-created_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["email", "stream"], name="suppression_unique")
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.stream})"
