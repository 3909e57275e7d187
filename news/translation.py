"""News posts in English and Spanish: each field below gets a column per
language (title_en, title_es...); `title` reads the active language's and
falls back to English (justop/translated.py marks such text lang="en")."""

from modeltranslation.translator import TranslationOptions, register

from news.models import NewsPost


@register(NewsPost)
class NewsPostTranslation(TranslationOptions):
    fields = ("title", "summary", "body", "hero_alt")
    # English is written first; Spanish may follow (or never come).
    required_languages = ("en",)
