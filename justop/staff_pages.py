"""What the outbox shows PSE staff: failed emails on the admin's dashboard,
and the emails sent to a person on their admin page (justop/registry.py);
and the content still missing its Spanish version, per kind."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Count, Model, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.translator import translator

from justop.models import OutboxEmail
from justop.registry import PersonItem, StaffFigure
from justop.translated import missing_spanish

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


def spanish_figures() -> Sequence[StaffFigure]:
    """For each kind of content staff edit in the admin, how many rows a
    Spanish reader still reads (partly) in English: one query per kind."""
    models = sorted(
        (model for model in translator.get_registered_models() if admin.site.is_registered(model)),
        key=lambda model: model._meta.label,
    )
    figures = []
    for model in models:
        counts = model._default_manager.aggregate(
            total=Count("pk"), missing=Count("pk", filter=missing_spanish(model))
        )
        total, missing = counts["total"], counts["missing"]
        figures.append(
            StaffFigure(
                _("%(content)s without Spanish")
                % {"content": capfirst(model._meta.verbose_name_plural)},
                missing,
                changelist_url(model, spanish="missing"),
                detail=ngettext("%(missing)d of %(total)d", "%(missing)d of %(total)d", total)
                % {"missing": missing, "total": total},
            )
        )
    return figures


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
