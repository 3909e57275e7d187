"""Volunteer opportunities in English and Spanish: each field below gets a
column per language; `title` reads the active language's and falls back to
English (justop/translated.py marks such text lang="en")."""

from modeltranslation.translator import TranslationOptions, register

from volunteering.models import Opportunity, Shift


@register(Opportunity)
class OpportunityTranslation(TranslationOptions):
    fields = ("title", "summary", "description", "location")
    required_languages = ("en",)


@register(Shift)
class ShiftTranslation(TranslationOptions):
    fields = ("role",)
    required_languages = ("en",)
