"""Volunteering in the admin: opportunities with their shifts, each shift's
roster (CSV export) and attendance."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from justop.exports import csv_response
from justop.translated import BilingualFields
from volunteering.models import Opportunity, Shift, Signup


class ShiftInline(BilingualFields, TranslationStackedInline[Shift, Opportunity]):  # type: ignore[misc]
    model = Shift
    extra = 1
    fields = ("role", "starts_at", "ends_at", "capacity", "places_taken", "waiting")
    readonly_fields = ("places_taken", "waiting")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Shift]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                taken=Sum("signups__party_size", filter=Q(signups__status__in=Signup.HOLDING)),
                waitlisted=Count("signups", filter=Q(signups__status=Signup.Status.WAITLISTED)),
            )
        )

    @admin.display(description=_("places taken"))
    def places_taken(self, obj: Shift) -> int:
        return int(getattr(obj, "taken", 0) or 0)

    @admin.display(description=_("on the waitlist"))
    def waiting(self, obj: Shift) -> int:
        return int(getattr(obj, "waitlisted", 0) or 0)


@admin.register(Opportunity)
class OpportunityAdmin(BilingualFields, TranslationAdmin[Opportunity]):
    list_display = ("title", "status", "location", "remote")
    list_filter = ("status", "remote")
    # Both languages: staff find an opportunity by its Spanish words too.
    search_fields = (
        "title_en",
        "title_es",
        "summary_en",
        "summary_es",
        "description_en",
        "description_es",
    )
    prepopulated_fields = {"slug": ("title",)}
    inlines = (ShiftInline,)


class SignupInline(admin.StackedInline[Signup, Shift]):
    model = Signup
    extra = 0
    can_delete = False
    fields = ("name", "email", "phone", "party_size", "status", "confirmed_at", "attended")
    readonly_fields = ("name", "email", "phone", "party_size", "status", "confirmed_at")

    def has_add_permission(self, request: HttpRequest, obj: Shift | None = None) -> bool:
        # Sign-ups go through the public form, where capacity is enforced.
        return False


@admin.register(Shift)
class ShiftAdmin(BilingualFields, TranslationAdmin[Shift]):
    """The roster of a shift: who comes, who came."""

    list_display = ("opportunity", "role", "starts_at", "capacity")
    list_filter = ("opportunity", ("starts_at", admin.DateFieldListFilter))
    search_fields = ("opportunity__title_en", "opportunity__title_es", "role_en", "role_es")
    list_select_related = ("opportunity",)
    inlines = (SignupInline,)
    actions = ("export_roster",)

    @admin.action(description=_("Export the roster of the selected shifts as CSV"))
    def export_roster(self, request: HttpRequest, queryset: QuerySet[Shift]) -> HttpResponse:
        signups = (
            Signup.objects.filter(shift__in=queryset, status__in=Signup.ACTIVE)
            .select_related("shift__opportunity")
            .order_by("shift__starts_at", "created_at")
        )
        return csv_response(
            "volunteer-roster.csv",
            [
                "opportunity",
                "role",
                "starts",
                "name",
                "email",
                "phone",
                "people",
                "status",
                "attended",
            ],
            (
                (
                    s.shift.opportunity.title,
                    s.shift.role,
                    timezone.localtime(s.shift.starts_at).strftime("%Y-%m-%d %H:%M"),
                    s.name,
                    s.email,
                    s.phone,
                    s.party_size,
                    s.status,
                    "" if s.attended is None else ("yes" if s.attended else "no"),
                )
                for s in signups
            ),
        )


@admin.register(Signup)
class SignupAdmin(admin.ModelAdmin[Signup]):
    list_display = ("name", "email", "shift", "party_size", "status", "attended")
    list_filter = ("status", "attended", "shift__opportunity")
    search_fields = ("name", "email")
    list_select_related = ("shift__opportunity",)
    readonly_fields = (
        "shift",
        "status",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "reminded_at",
    )
    actions = ("mark_attended", "mark_absent")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Mark as attended"))
    def mark_attended(self, request: HttpRequest, queryset: QuerySet[Signup]) -> None:
        count = queryset.update(attended=True)
        self.message_user(request, ngettext("%d marked.", "%d marked.", count) % count)

    @admin.action(description=_("Mark as absent"))
    def mark_absent(self, request: HttpRequest, queryset: QuerySet[Signup]) -> None:
        count = queryset.update(attended=False)
        self.message_user(request, ngettext("%d marked.", "%d marked.", count) % count)
