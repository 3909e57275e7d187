"""What organizations write, in English and Spanish: each field below gets a
column per language; `mission` reads the active language's and falls back
to English (justop/translated.py marks such text lang="en")."""

from modeltranslation.translator import TranslationOptions, register

from circle.models import Expertise, Organization


@register(Organization)
class OrganizationTranslation(TranslationOptions):
    fields = ("mission", "description")
    required_languages = ("en",)


@register(Expertise)
class ExpertiseTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)
    # A tag without a Spanish name stores NULL there, not "" (the Spanish
    # names are unique among those written: circle/models.py).
    empty_values = None
