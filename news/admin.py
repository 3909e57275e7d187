from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from justop.admin_widgets import LabelledFileWidget, ValidAutocompleteAdmin
from justop.exports import csv_response
from justop.pagecache import content_changed
from justop.translated import DEFAULT, LANGUAGE_NAMES, SpanishVersionFilter, label_languages
from news.models import NewsPost, Subscriber


class PostForm(forms.ModelForm[NewsPost]):
    """English and Spanish side by side for each field people read (the
    Spanish may come later: the page shows the English until then)."""

    class Meta:
        model = NewsPost
        fields = (
            "title_en",
            "title_es",
            "slug",
            "category",
            "summary_en",
            "summary_es",
            "body_en",
            "body_es",
            "hero_image",
            "hero_alt_en",
            "hero_alt_es",
            "author",
            "status",
            "publish_at",
        )
        widgets = {"hero_image": LabelledFileWidget}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label_languages(self)


@admin.register(NewsPost)
class PostAdmin(ValidAutocompleteAdmin, admin.ModelAdmin[NewsPost]):
    form = PostForm
    list_display = ("title", "category", "status", "publish_at", "visibility")
    list_filter = (
        "status",
        "category",
        ("publish_at", admin.DateFieldListFilter),
        SpanishVersionFilter,
    )
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title_en",)}
    date_hierarchy = "publish_at"
    autocomplete_fields = ("author",)
    readonly_fields = ("preview_link",)
    actions = ("publish_now",)

    def get_fields(self, request: HttpRequest, obj: NewsPost | None = None) -> Any:
        fields = list(PostForm.Meta.fields)
        return [*fields, "preview_link"] if obj else fields

    def get_changeform_initial_data(self, request: HttpRequest) -> Any:
        return {"author": request.user.pk, "publish_at": timezone.now()}

    @admin.display(description=_("on the site"))
    def visibility(self, obj: NewsPost) -> str:
        if obj.status != NewsPost.Status.PUBLISHED:
            return str(_("Draft: hidden"))
        if obj.publish_at > timezone.now():
            return str(_("Scheduled"))
        return str(_("Live"))

    @admin.display(description=_("preview"))
    def preview_link(self, obj: NewsPost) -> str:
        """The post as readers see it, in each language (a language without
        its version shows the English, marked, as the site does)."""
        url = reverse("admin:news_post_preview", args=[obj.pk])
        return format_html_join(
            " · ",
            '<a href="{}?{}" target="_blank" rel="noopener">{}</a>',
            (
                (url, urlencode({"language": code}), label)
                for code, label in (
                    ("en", _("Preview in English")),
                    ("es", _("Preview in Spanish")),
                )
            ),
        )

    def get_urls(self) -> list[URLPattern]:
        preview = path(
            "<int:pk>/preview/",
            self.admin_site.admin_view(self.preview),
            name="news_post_preview",
        )
        return [preview, *super().get_urls()]

    def preview(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The post as the public will see it, drafts and scheduled posts included."""
        post = get_object_or_404(NewsPost, pk=pk)
        if not self.has_view_permission(request, post):
            return HttpResponse(status=403)
        language = request.GET.get("language", DEFAULT)
        if language not in LANGUAGE_NAMES:
            return HttpResponse(status=400)
        with translation.override(language):
            response = TemplateResponse(
                request,
                "news/post_detail.html",
                {"post": post, "related": [], "preview": True},
            )
            response.render()
        response["Content-Language"] = language
        return response

    @admin.action(description=_("Publish now"))
    def publish_now(self, request: HttpRequest, queryset: QuerySet[NewsPost]) -> None:
        count = queryset.update(status=NewsPost.Status.PUBLISHED, publish_at=timezone.now())
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
