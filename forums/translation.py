"""Forums in English and Spanish: each field below gets a column per
language; `title` reads the active language's and falls back to English
(justop/translated.py marks such text lang="en")."""

from modeltranslation.translator import TranslationOptions, register

from forums.models import AgendaItem, Forum, Material


@register(Forum)
class ForumTranslation(TranslationOptions):
    fields = ("title", "summary", "description", "notes", "venue_directions")
    required_languages = ("en",)


@register(AgendaItem)
class AgendaItemTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("en",)


@register(Material)
class MaterialTranslation(TranslationOptions):
    fields = ("title",)
    required_languages = ("en",)
