"""What the outbox shows PSE staff: failed emails on the admin's dashboard,
and the emails sent to a person on their admin page (justop/registry.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Model, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from justop.models import OutboxEmail
from justop.registry import PersonItem, StaffFigure

# A person's panel shows their latest rows; the link leads to all of them.
PERSON_ITEMS = 20


def changelist_url(model: type[Model], **params: Any) -> str:
    """The admin list of a model, filtered by the list's own filter parameters."""
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def change_url(obj: Model) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def month_start() -> datetime:
    return timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def since(field: str, start: datetime) -> dict[str, str]:
    """The query of an admin DateFieldListFilter from start until now."""
    return {f"{field}__gte": start.isoformat()}


def outbox_figures() -> Sequence[StaffFigure]:
    failed = OutboxEmail.objects.filter(state=OutboxEmail.State.FAILED).count()
    return [
        StaffFigure(
            _("Emails that failed"),
            failed,
            changelist_url(OutboxEmail, state__exact=OutboxEmail.State.FAILED),
            detail=str(_("The mail server refused them or every retry failed.")),
        )
    ]


def person_emails(user: Any) -> tuple[Sequence[PersonItem], str]:
    rows = OutboxEmail.objects.filter(Q(user=user) | Q(recipient__iexact=user.email)).order_by(
        "-created_at", "-pk"
    )[:PERSON_ITEMS]
    items = [
        PersonItem(
            text=email.kind,
            state=email.get_state_display(),
            when=email.created_at,
            url=change_url(email),
        )
        for email in rows
    ]
    return items, changelist_url(OutboxEmail, q=user.email)
