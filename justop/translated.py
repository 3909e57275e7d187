"""Content in the reader's language, and saying so when it is not.

Models with translatable fields (each app's translation.py, through
django-modeltranslation) keep one column per language; `post.title` reads
the active language's and falls back to English. On a Spanish page, text
that fell back is marked `lang="en"` so screen readers and browsers read
it as English, and the page says "Disponible solo en inglés"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from modeltranslation.translator import NotRegistered, translator

LANGUAGE_NAMES = {"en": gettext_lazy("English"), "es": gettext_lazy("Spanish")}

DEFAULT = settings.MODELTRANSLATION_DEFAULT_LANGUAGE

# PostgreSQL's text search configuration of each language content is in
# (its stemming: "empleos" and "empleo" are one word in Spanish).
TEXT_SEARCH_CONFIGS = {"en": "english", "es": "spanish"}


def reading() -> str:
    """The language content is read in: the active one, if content has it."""
    language = (get_language() or DEFAULT).split("-")[0]
    return language if language in settings.MODELTRANSLATION_LANGUAGES else DEFAULT


@dataclass(frozen=True)
class Shown:
    text: str
    # The language the text is in, when it is not the page's ("" otherwise).
    fallback: str


def shown(obj: Model, field: str) -> Shown:
    """The field as the page shows it, and whether it fell back."""
    language = reading()
    own = getattr(obj, f"{field}_{language}", None)
    if own or language == DEFAULT:
        return Shown(str(own or getattr(obj, field) or ""), "")
    text = str(getattr(obj, f"{field}_{DEFAULT}", "") or "")
    return Shown(text, DEFAULT if text else "")


def missing(obj: Model, *fields: str) -> bool:
    """Whether any of the fields shows English on a page in another language."""
    return any(shown(obj, field).fallback for field in fields)


def language_label(verbose_name: object, language: str) -> str:
    """A translated field's label: its model field's name and the language."""
    return f"{capfirst(str(verbose_name))} ({LANGUAGE_NAMES[language]})"


def _language_of(name: str) -> str:
    """The language of a translated field's form field ("title_es": "es")."""
    language = name.rpartition("_")[2]
    return language if "_" in name and language in LANGUAGE_NAMES else ""


def _base_of(name: str) -> str:
    return name.rpartition("_")[0] if _language_of(name) else ""


def label_languages(form: forms.BaseForm) -> None:
    """Each translated field of a hand-made model form named with its
    language ("Title (Spanish)"); which are required comes from the model
    (English, by the apps' required_languages)."""
    for name, field in form.fields.items():
        if language := _language_of(name):
            model = form._meta.model  # type: ignore[attr-defined]
            label = model._meta.get_field(_base_of(name)).verbose_name
            field.label = language_label(label, language)


class BilingualFields:
    """A mixin for modeltranslation's admin classes: each field per language
    is named with its language, as label_languages does for a form, and the
    list can be filtered to the rows without their Spanish version."""

    def get_list_filter(self, request: Any) -> Any:
        filters = tuple(super().get_list_filter(request))  # type: ignore[misc]
        return filters if SpanishVersionFilter in filters else (*filters, SpanishVersionFilter)

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        language = getattr(db_field, "language", None)
        original = getattr(db_field, "translated_field", None)
        if field is not None and original is not None and language in LANGUAGE_NAMES:
            field.label = language_label(original.verbose_name, language)
        return field


def translated_fields(model: type[Model]) -> tuple[str, ...]:
    """The fields of a model that have a version per language ("" if none)."""
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return ()
    return tuple(sorted(options.all_fields))


def missing_spanish(model: type[Model]) -> Q:
    """Rows with English in a translated field and no Spanish beside it."""
    condition = Q(pk__in=[])
    for field in translated_fields(model):
        english, spanish = f"{field}_{DEFAULT}", f"{field}_es"
        condition |= Q(**{f"{english}__gt": ""}) & (
            Q(**{spanish: ""}) | Q(**{f"{spanish}__isnull": True})
        )
    return condition


class SpanishVersionFilter(admin.SimpleListFilter):
    """The admin lists' "Spanish version" filter: rows a Spanish reader
    still reads partly in English, or those translated all through."""

    title = gettext_lazy("Spanish version")
    parameter_name = "spanish"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("missing", gettext_lazy("Missing")),
            ("complete", gettext_lazy("Complete")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "missing":
            return queryset.filter(missing_spanish(queryset.model))
        if self.value() == "complete":
            return queryset.exclude(missing_spanish(queryset.model))
        return queryset


def item_texts(obj: Model, **fields: str) -> dict[str, str]:
    """The text fields of an email or digest item in the reader's language:
    each key holds its field's text, and `<key>_lang` the language the text
    fell back to when it did (the email marks it, as pages do)."""
    texts = {}
    for key, field in fields.items():
        text = shown(obj, field)
        texts[key] = text.text
        if text.fallback:
            texts[f"{key}_lang"] = text.fallback
    return texts


# Said under every Spanish field of a form.
SPANISH_IS_OPTIONAL = gettext_lazy(
    "Optional. Until it is written, Spanish readers see the English."
)


class SideBySideLanguages(forms.BaseForm):
    """A model form whose translated fields (mission_en, mission_es...) stand
    in pairs, English then Spanish, side by side where the screen is wide
    enough and one above the other on a phone: the page includes
    templates/includes/two_languages_form.html, which lays out `rows`
    (static/css/languages.css). Each is named with its language and marked
    lang for spell checkers and screen readers; the English is required
    where the model requires the field, the Spanish never. The form calls
    name_languages() at the end of its __init__."""

    def name_languages(self) -> None:
        label_languages(self)
        for name, field in self.fields.items():
            language = _language_of(name)
            if not language:
                continue
            field.widget.attrs["lang"] = language
            if language != DEFAULT:
                field.help_text = f"{field.help_text} {SPANISH_IS_OPTIONAL}".strip()

    def rows(self) -> list[list[forms.BoundField]]:
        """The visible fields in order, a translated field's versions together."""
        rows: list[list[forms.BoundField]] = []
        for bound in self.visible_fields():
            previous = rows[-1][-1].name if rows else ""
            if _language_of(bound.name) and _base_of(bound.name) == _base_of(previous):
                rows[-1].append(bound)
            else:
                rows.append([bound])
        return rows
