"""File inputs and the rows of inlines in the admin's add forms are named by
a label, so a screen reader announces what to enter: Django's file widget and
tabular inlines leave theirs unnamed, so the portal's admin uses a labelled
file widget and stacked inlines. (Django's own many-to-many pickers, named
by a fieldset's legend, are not covered: see docs/quality.md.)"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from circle.models import User
from tests.factories import StaffFactory, sign_in_with_second_factor

pytestmark = pytest.mark.django_db

CONTROL = re.compile(r"<(input|select|textarea)\b([^>]*)>")
ID = re.compile(r'\bid="([^"]+)"')
UNLABELLED_TYPES = ('type="hidden"', 'type="submit"', 'type="button"', 'type="image"')


def _addable(model_admin) -> bool:
    request = RequestFactory().get("/admin/")
    request.user = User(is_staff=True, is_superuser=True, is_active=True)
    return model_admin.has_add_permission(request)


ADD_PAGES = sorted(
    f"admin:{model._meta.app_label}_{model._meta.model_name}_add"
    for model, model_admin in admin.site._registry.items()
    if _addable(model_admin)
)


def unlabelled(html: str) -> list[str]:
    missing = []
    for _tag, attributes in CONTROL.findall(html):
        if any(t in attributes for t in UNLABELLED_TYPES) or "aria-label" in attributes:
            continue
        found = ID.search(attributes)
        if not found or "__prefix__" in found.group(1):
            continue  # the empty form the inlines' script clones
        if 'type="file"' not in attributes and not re.search(r"-\d+-", found.group(1)):
            continue
        if f'for="{found.group(1)}"' not in html:
            missing.append(found.group(1))
    return missing


@pytest.mark.parametrize("url_name", ADD_PAGES)
def test_file_inputs_and_inline_rows_have_labels(client, url_name):
    sign_in_with_second_factor(client, StaffFactory())
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert not unlabelled(response.content.decode())
