"""Admin form widgets shared by every app's admin."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.widgets import AdminFileWidget, AutocompleteSelect
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    ReadOnlyPasswordHashWidget,
    SetUnusablePasswordMixin,
)
from django.db import models
from django.db.models.fields import BLANK_CHOICE_DASH
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext


class LabelledFileWidget(AdminFileWidget):
    """The admin's file input, named by the field's own label. Django's puts
    it in a fieldset named by a legend, which leaves the input itself unnamed
    while no file is set: screen readers announce an unlabelled control."""

    use_fieldset = False


# For ModelAdmin.formfield_overrides and inlines with file or image fields.
FILE_FIELDS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.FileField: {"widget": LabelledFileWidget},
    models.ImageField: {"widget": LabelledFileWidget},
}


class ValidAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete select, with a first option HTML allows.

    Django's leaves an optional select's empty option without text (HTML
    requires a label) and gives a required one no empty option at all (a
    required single select must start with one). Every single select here
    starts with the usual "---------" option of value "", which Select2 shows
    as the placeholder."""

    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        groups = super().optgroups(name, value, attr)
        options = groups[0][1]
        if options and options[0]["value"] == "":
            options[0]["label"] = BLANK_CHOICE_DASH[0][1]
        else:
            options.insert(0, self.create_option(name, "", BLANK_CHOICE_DASH[0][1], False, 0))
        return groups


class ValidAutocompleteAdmin:
    """For a ModelAdmin (or inline) with foreign keys in autocomplete_fields."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):  # type: ignore[attr-defined]
            kwargs["widget"] = ValidAutocompleteSelect(
                db_field,
                self.admin_site,  # type: ignore[attr-defined]
                using=kwargs.get("using"),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class PasswordHashWidget(ReadOnlyPasswordHashWidget):
    """The user page's password summary. Django's puts the disabled field's
    ``disabled`` on its ``<div>``, where HTML allows no such attribute."""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("disabled", None)
        return context


class PasswordChangeForm(AdminPasswordChangeForm[Any]):
    """The admin's set-password form. Django's help for 'password-based
    authentication' ends in a list, which its template puts in a ``<p>``
    (invalid HTML); the same words and the same ``id_unusable_warning`` that
    Django's script shows and hides, as phrasing content."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "usable_password" in self.fields:
            self.fields["usable_password"].help_text = format_html(
                '{} <span id="id_unusable_warning" class="warning">{}</span>',
                SetUnusablePasswordMixin.usable_password_help_text,
                gettext("If disabled, the current password for this user will be lost."),
            )
