"""Asks and offers in English and Spanish: the title and the description get
a column per language; `title` reads the active language's and falls back
to English (justop/translated.py marks such text lang="en")."""

from modeltranslation.translator import TranslationOptions, register

from asks.models import Post


@register(Post)
class PostTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("en",)
