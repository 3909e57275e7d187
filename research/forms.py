"""The form organizations' admins publish research with (staff use the admin)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from justop import images
from justop.translated import SideBySideLanguages
from research import files
from research.models import Resource, Topic
from research.publishing import parse_tags


def clean_resource_file(form: forms.ModelForm[Resource]) -> Any:
    upload = form.cleaned_data.get("file")
    if upload and hasattr(upload, "content_type"):
        file_type = files.check_upload(upload)
        form.instance.file_type = file_type
        form.instance.file_size = upload.size or 0
        upload.name = f"upload.{file_type}"
    return upload


def clean_cover(form: forms.ModelForm[Resource]) -> Any:
    # The model's form field has already checked and re-encoded a new upload.
    return images.processed(form.cleaned_data.get("cover"))


def textarea() -> forms.Textarea:
    return forms.Textarea(attrs={"rows": 6})


class ResourceForm(SideBySideLanguages, forms.ModelForm[Resource]):
    tag_names = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas, e.g. “transit, wages”."),
    )

    class Meta:
        model = Resource
        fields: ClassVar[list[str]] = [
            "title_en",
            "title_es",
            "kind",
            "abstract_en",
            "abstract_es",
            "authors",
            "published_on",
            "language",
            "topics",
            "file",
            "external_url",
            "cover",
            "cover_alt",
            "visibility",
            "status",
        ]
        widgets: ClassVar[dict[str, Any]] = {
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "topics": forms.CheckboxSelectMultiple,
            "abstract_en": textarea(),
            "abstract_es": textarea(),
            "visibility": forms.RadioSelect,
            "status": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name_languages()
        self.fields["topics"].queryset = Topic.objects.all()  # type: ignore[attr-defined]
        self.fields["file"].help_text = _(
            "PDF, CSV, XLSX, DOCX or PPTX, up to %(limit)s MB. Its text becomes searchable."
        ) % {"limit": files.max_bytes() // (1024 * 1024)}
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())

    def clean_file(self) -> Any:
        return clean_resource_file(self)

    def clean_cover(self) -> Any:
        return clean_cover(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        missing = not cleaned.get("file") and not cleaned.get("external_url")
        if missing and "file" not in self.errors:
            raise forms.ValidationError(_("Upload a file or give a link to the resource."))
        return cleaned

    def tags(self) -> list[str]:
        return parse_tags(self.cleaned_data.get("tag_names", ""))
