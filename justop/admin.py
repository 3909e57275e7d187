from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from justop import outbox, redaction
from justop.models import OutboxEmail, Suppression


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin[OutboxEmail]):
    change_list_template = "admin/justop/outboxemail/change_list.html"
    list_display = (
        "created_at",
        "kind",
        "recipient",
        "state",
        "attempts",
        "sent_at",
        "short_error",
    )
    list_filter = ("state", "kind", "stream", ("created_at", admin.DateFieldListFilter))
    date_hierarchy = "created_at"
    search_fields = ("recipient", "message_id", "kind", "object_ref")
    list_select_related = False
    show_full_result_count = False
    actions = ("retry_emails", "cancel_emails")
    fieldsets = (
        (
            None,
            {"fields": ("kind", "stream", "recipient", "user", "language", "object_ref", "period")},
        ),
        (
            _("Delivery"),
            {
                "fields": (
                    "state",
                    "attempts",
                    "created_at",
                    "enqueued_at",
                    "next_attempt_at",
                    "claimed_at",
                    "sent_at",
                    "last_error",
                    "message_id",
                )
            },
        ),
        (_("Message"), {"fields": ("preview",)}),
    )

    def get_readonly_fields(
        self, request: HttpRequest, obj: OutboxEmail | None = None
    ) -> list[str]:
        # Everything is read-only: what was sent is a record.
        return [str(name) for _title, options in self.fieldsets for name in options["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxEmail | None = None) -> bool:
        # Viewable, never editable: a message is changed by cancelling it.
        return False

    @admin.display(description=_("last error"))
    def short_error(self, obj: OutboxEmail) -> str:
        return obj.last_error[:120]

    @admin.display(description=_("preview"))
    def preview(self, obj: OutboxEmail) -> str:
        """The message as its recipient read it, less the links that act as
        them (a reset, an invitation, an unsubscribe): a sent row no longer
        stores them, and those made while rendering (unsubscribe) or not yet
        sent stay out of the page too."""
        try:
            message = outbox.render(obj)
        except Exception as error:
            return f"Cannot render this email: {error!r}"
        body = str(message.body)
        body = redaction.WITHHELD_NOTE if obj.kind in redaction.WITHHELD else body
        return format_html(
            "<p><strong>{}</strong></p><pre style='white-space:pre-wrap'>{}</pre>",
            redaction.redact_text(str(message.subject)),
            redaction.redact_text(body),
        )

    @admin.action(description=_("Send again (failed or cancelled emails)"))
    def retry_emails(self, request: HttpRequest, queryset: QuerySet[OutboxEmail]) -> None:
        count = outbox.retry(queryset)
        self.message_user(
            request,
            ngettext("%d email queued again.", "%d emails queued again.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Cancel (emails not sent yet)"))
    def cancel_emails(self, request: HttpRequest, queryset: QuerySet[OutboxEmail]) -> None:
        count = outbox.cancel(queryset)
        self.message_user(
            request,
            ngettext("%d email cancelled.", "%d emails cancelled.", count) % count,
            messages.SUCCESS,
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        counts = dict(
            OutboxEmail.objects.order_by()
            .values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
        extra_context = (extra_context or {}) | {
            "state_counts": [
                (value, label, counts.get(value, 0)) for value, label in OutboxEmail.State.choices
            ]
        }
        return super().changelist_view(request, extra_context)


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin[Suppression]):
    list_display = ("email", "stream", "source", "created_at")
    list_filter = ("stream", "source")
    search_fields = ("email",)
    readonly_fields = ("created_at",)
