from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from justop.admin_widgets import FILE_FIELDS, ValidAutocompleteAdmin
from justop.translated import BilingualFields, label_languages
from research.forms import ResourceForm, clean_cover, clean_resource_file
from research.models import Resource, Tag, Topic
from research.publishing import file_changed, reextract


class ResourceAdminForm(forms.ModelForm[Resource]):
    class Meta:
        model = Resource
        # The management page's fields, and what only staff set.
        fields = (
            *ResourceForm.Meta.fields,
            "slug",
            "organizations",
            "by_pse",
            "tags",
            "created_by",
        )
        widgets = ResourceForm.Meta.widgets

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label_languages(self)

    def clean_file(self) -> Any:
        return clean_resource_file(self)

    def clean_cover(self) -> Any:
        return clean_cover(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("visibility") == Resource.Visibility.ORGANIZATION and not cleaned.get(
            "organizations"
        ):
            self.add_error(
                "organizations",
                _("A resource for one organization only needs its publishing organization."),
            )
        return cleaned


@admin.register(Resource)
class ResourceAdmin(BilingualFields, ValidAutocompleteAdmin, TranslationAdmin[Resource]):
    formfield_overrides = FILE_FIELDS
    form = ResourceAdminForm
    list_display = (
        "title",
        "kind",
        "visibility",
        "status",
        "published_on",
        "extraction",
        "download_count",
    )
    list_filter = ("status", "visibility", "kind", "language", "extraction", "topics", "by_pse")
    # Each language's columns by name: `title` would search the page's only.
    search_fields = ("title_en", "title_es", "abstract_en", "abstract_es", "authors", "slug")
    prepopulated_fields = {"slug": ("title_en",)}
    date_hierarchy = "published_on"
    autocomplete_fields = ("organizations", "tags", "created_by")
    filter_horizontal = ("topics",)
    readonly_fields = (
        "file_type",
        "file_size",
        "extraction",
        "download_count",
        "published_at",
        "extracted_preview",
    )
    actions = ("extract_again",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Resource]:
        return super().get_queryset(request).defer("extracted_text", "search_vector", "rank_vector")

    @admin.display(description=_("beginning of the extracted text"))
    def extracted_preview(self, obj: Resource) -> str:
        text = Resource.objects.filter(pk=obj.pk).values_list("extracted_text", flat=True).first()
        return (text or "")[:1000]

    def save_model(self, request: HttpRequest, obj: Resource, form: Any, change: bool) -> None:
        if not change and obj.created_by_id is None:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        file_changed(obj, list(form.changed_data))

    @admin.action(description=_("Extract the text of the files again"))
    def extract_again(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        count = reextract(queryset)
        self.message_user(
            request,
            ngettext(
                "The text of %(count)d file will be extracted again.",
                "The text of %(count)d files will be extracted again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Topic)
class TopicAdmin(BilingualFields, TranslationAdmin[Topic]):
    list_display = ("name", "order")
    search_fields = ("name_en", "name_es")


@admin.register(Tag)
class TagAdmin(BilingualFields, TranslationAdmin[Tag]):
    list_display = ("name", "slug")
    # The tag autocomplete of a resource's form searches both languages.
    search_fields = ("name_en", "name_es", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
