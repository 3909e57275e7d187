from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from justop.admin_widgets import LabelledFileWidget
from justop.exports import csv_response
from justop.pagecache import content_changed
from news.models import Opportunity, Post, Shift, Signup, Subscriber


class PostForm(forms.ModelForm[Post]):
    class Meta:
        model = Post
        fields = (
            "title",
            "slug",
            "category",
            "summary",
            "body",
            "hero_image",
            "hero_alt",
            "author",
            "status",
            "publish_at",
        )
        widgets = {"hero_image": LabelledFileWidget}


@admin.register(Post)
class PostAdmin(admin.ModelAdmin[Post]):
    form = PostForm
    list_display = ("title", "category", "status", "publish_at", "visibility")
    list_filter = ("status", "category", ("publish_at", admin.DateFieldListFilter))
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "publish_at"
    autocomplete_fields = ("author",)
    readonly_fields = ("preview_link",)
    actions = ("publish_now",)

    def get_fields(self, request: HttpRequest, obj: Post | None = None) -> Any:
        fields = list(PostForm.Meta.fields)
        return [*fields, "preview_link"] if obj else fields

    def get_changeform_initial_data(self, request: HttpRequest) -> Any:
        return {"author": request.user.pk, "publish_at": timezone.now()}

    @admin.display(description=_("on the site"))
    def visibility(self, obj: Post) -> str:
        if obj.status != Post.Status.PUBLISHED:
            return str(_("Draft: hidden"))
        if obj.publish_at > timezone.now():
            return str(_("Scheduled"))
        return str(_("Live"))

    @admin.display(description=_("preview"))
    def preview_link(self, obj: Post) -> str:
        url = reverse("admin:news_post_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Preview"))

    def get_urls(self) -> list[URLPattern]:
        preview = path(
            "<int:pk>/preview/",
            self.admin_site.admin_view(self.preview),
            name="news_post_preview",
        )
        return [preview, *super().get_urls()]

    def preview(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The post as the public will see it, drafts and scheduled posts included."""
        post = get_object_or_404(Post, pk=pk)
        if not self.has_view_permission(request, post):
            return HttpResponse(status=403)
        return TemplateResponse(
            request,
            "news/post_detail.html",
            {"post": post, "related": [], "preview": True},
        )

    @admin.action(description=_("Publish now"))
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        count = queryset.update(status=Post.Status.PUBLISHED, publish_at=timezone.now())
        content_changed("news")
        self.message_user(
            request,
            ngettext("%d post published.", "%d posts published.", count) % count,
            messages.SUCCESS,
        )


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin[Subscriber]):
    list_display = ("email", "status", "language", "created_at", "confirmed_at")
    list_filter = ("status", "language")
    search_fields = ("email",)
    readonly_fields = ("created_at", "confirmed_at", "unsubscribed_at")
    actions = ("export_csv",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # People subscribe themselves, with double opt-in.
        return False

    @admin.action(description=_("Export the selected subscribers as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> HttpResponse:
        return csv_response(
            "newsletter-subscribers.csv",
            ["email", "status", "language", "signed_up", "confirmed"],
            (
                (s.email, s.status, s.language, s.created_at, s.confirmed_at or "")
                for s in queryset.order_by("email")
            ),
        )


class ShiftInline(admin.StackedInline[Shift, Opportunity]):
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
class OpportunityAdmin(admin.ModelAdmin[Opportunity]):
    list_display = ("title", "status", "location", "remote")
    list_filter = ("status", "remote")
    search_fields = ("title", "summary", "description")
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
class ShiftAdmin(admin.ModelAdmin[Shift]):
    """The roster of a shift: who comes, who came."""

    list_display = ("opportunity", "role", "starts_at", "capacity")
    list_filter = ("opportunity", ("starts_at", admin.DateFieldListFilter))
    search_fields = ("opportunity__title", "role")
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
