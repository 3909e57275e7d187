"""The library in English and Spanish: each field below gets a column per
language (title_en, title_es...); `title` reads the active language's and
falls back to English (justop/translated.py marks such text lang="en").

A resource's title and abstract are what the library says about it; the
file itself stays in its language, which Resource.language records (and
the search reads: research/search/vectors.py)."""

from modeltranslation.translator import TranslationOptions, register

from research.models import Resource, Tag, Topic


@register(Resource)
class ResourceTranslation(TranslationOptions):
    fields = ("title", "abstract")
    # English is written first; Spanish may follow (or never come).
    required_languages = ("en",)


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("name", "principle")
    required_languages = ("en",)


@register(Tag)
class TagTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)
