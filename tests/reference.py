"""Rows every test may rely on, whatever ran before it."""

from __future__ import annotations

import importlib


def ensure_reference_data() -> None:
    """The rows every test may rely on, as migrations leave them: the
    continuum's stages and counties and the library's topics (data
    migrations) and a content type
    for every model. A transactional test empties every table when it ends,
    and Django's in-memory content types would then name rows that are gone
    (or, missing, be created by two threads at once)."""
    from django.apps import apps
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType

    from circle.models import Stage
    from research.models import Topic

    if not Stage.objects.exists():
        seed = importlib.import_module("circle.migrations.0004_stages_and_counties").seed
        seed(apps, None)
    if not Topic.objects.exists():
        add_topics = importlib.import_module("research.migrations.0002_topics").add_topics
        add_topics(apps, None)
    if ContentType.objects.count() < len(apps.get_models()):
        ContentType.objects.clear_cache()
        for app_config in apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0)
