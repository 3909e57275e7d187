"""Spanish pages are Spanish all through: no interface string is left in
English (tests/untranslated.py watches every translation a page asks for).

The pages are those of the access matrix, as a visitor, a signed-in person
without organization, a member and an admin of organization A and staff
with their second factor (error pages included); the public forms sent back
with their errors; and one email of every kind the world queued, rendered
in Spanish. The browser tests watch the Spanish pages they visit the same
way (the `_browser_pages_are_spanish_and_valid` fixture of tests/conftest.py)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from justop import outbox
from justop.models import OutboxEmail
from tests import untranslated
from tests.test_access_matrix import ALL_ROWS, resolve_path
from tests.test_html_valid import ROLES, _client, world  # noqa: F401 (the module's fixture)


def test_no_interface_string_is_left_in_english_on_spanish_pages(db, world):  # noqa: F811
    forum = world.more["public_forum"]
    shift = world.shift
    forms = [
        reverse("account_login"),
        reverse("circle:join"),
        reverse("news:newsletter"),
        reverse("forums:register", args=[forum.slug]),
        reverse("volunteer:sign_up", args=[shift.opportunity.slug, shift.pk]),
    ]
    pages = 0
    with untranslated.recording() as found:
        for role in ROLES:
            client = _client(world, role, "es")
            for key in sorted(ALL_ROWS):
                row = ALL_ROWS[key]
                response = client.get(resolve_path(key, row, world))
                pages += response.get("Content-Type", "").startswith("text/html")
        for path in forms:
            assert Client(HTTP_ACCEPT_LANGUAGE="es").post(path, {}).status_code == 200
        emails = 0
        for kind in OutboxEmail.objects.values_list("kind", flat=True).distinct():
            row = OutboxEmail.objects.filter(kind=kind).first()
            assert row is not None
            row.language = "es"
            outbox.render(row)
            emails += 1
    assert pages > 500 and emails > 3, (pages, emails)
    assert not found.messages, "Left in English on Spanish pages:\n" + "\n".join(
        sorted(found.messages)
    )
