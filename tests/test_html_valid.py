"""Every page validates: the Nu HTML Checker (tests/html_checker.py) finds no
error in what the site sends.

The documents are the pages of the access matrix (tests/test_access_matrix.py)
that answer 200 with HTML to a GET, as a visitor, a signed-in person without
organization, a member and an admin of organization A and staff with their
second factor, in English and in Spanish; the public forms sent back after an
empty submit, with their errors; and the HTML of the emails the portal sends
(an invitation, a forum registration's confirmation, a digest). All of them
go to one run of the checker: one Java start for the whole batch. The pages
the browser tests are served (htmx fragments included) go to the checker at
the end of each browser module (tests/conftest.py, tests/served_pages.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from justop import outbox
from justop.models import OutboxEmail
from tests import html_checker
from tests.access import World
from tests.factories import sign_in_with_second_factor
from tests.reference import ensure_reference_data
from tests.test_access_matrix import ALL_ROWS, build_world, resolve_path

ROLES = ("anonymous", "user", "member_a", "admin_a", "staff")
LANGUAGES = ("en", "es")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_reference_data()
        yield build_world()
        transaction.set_rollback(True)


def _client(world: World, role: str, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if role == "staff":
        sign_in_with_second_factor(client, world.staff)
    elif role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def _is_html(response: Any) -> bool:
    return response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")


def matrix_pages(world: World) -> dict[str, str]:
    """The matrix's pages that answer 200 with HTML, by role and language."""
    documents = {}
    for language in LANGUAGES:
        for role in ROLES:
            client = _client(world, role, language)
            for key in sorted(ALL_ROWS):
                row = ALL_ROWS[key]
                if row.expected(role) != 200:
                    continue
                path = resolve_path(key, row, world)
                response = client.get(path)
                if _is_html(response):
                    documents[f"{language} {role} {path}"] = response.content.decode()
    return documents


def failed_forms(world: World) -> dict[str, str]:
    """Forms sent back with their errors after an empty submit."""
    forum = world.more["public_forum"]
    shift = world.shift
    forms = [
        ("anonymous", reverse("account_login")),
        ("anonymous", reverse("circle:join")),
        ("anonymous", reverse("news:newsletter")),
        ("anonymous", reverse("forums:register", args=[forum.slug])),
        ("anonymous", reverse("volunteer:sign_up", args=[shift.opportunity.slug, shift.pk])),
        ("member_a", reverse("asks:post_create")),
    ]
    documents = {}
    for language in LANGUAGES:
        for role, path in forms:
            response = _client(world, role, language).post(path, {})
            assert _is_html(response), f"an empty POST to {path} answered {response.status_code}"
            documents[f"{language} {role} POST {path}"] = response.content.decode()
    return documents


def _html_of(row: OutboxEmail) -> str:
    message = outbox.render(row)
    return next(content for content, mime in message.alternatives if mime == "text/html")


def emails(world: World) -> dict[str, str]:
    """One of every kind of email the world queued (invitations, a guest's
    forum registration to confirm...), and a digest in both languages."""
    forum = world.more["public_forum"]
    response = Client().post(
        reverse("forums:register", args=[forum.slug]),
        {"name": "Ana Lima", "email": "ana.guest@example.org", "organization": "", "website": ""},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    documents = {}
    kinds = set(OutboxEmail.objects.values_list("kind", flat=True))
    assert "circle.invitation" in kinds and len(kinds) > 1, kinds
    # One email of every kind the world queued, each in its recipient's language.
    for kind in sorted(kinds):
        row = OutboxEmail.objects.filter(kind=kind).order_by("pk").first()
        assert row is not None
        documents[f"email {kind}"] = _html_of(row)
    for language in LANGUAGES:
        digest = outbox.Email(
            kind="test.digest",
            to="ana@example.org",
            stream="digest",
            language=language,
            template="emails/digest",
            context={
                "frequency": "weekly",
                "first_day": "2026-11-16",
                "last_day": "2026-11-22",
                "name": "Ana",
                "sections": [
                    {
                        "key": "forums",
                        "title": "Upcoming forums",
                        "items": [
                            {
                                "title": "Workforce pathways forum",
                                "url": "https://portal.example.org/forums/1/",
                                "summary": "Employers and training programs compare notes.",
                                "meta": "December 3, 9:00",
                            }
                        ],
                    }
                ],
            },
        ).row()
        documents[f"email digest {language}"] = _html_of(digest)
    return documents


def test_every_page_form_and_email_is_valid_html(db, world):
    why = html_checker.unavailable()
    if why:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but this test " + why)
        pytest.skip(why)
    documents = matrix_pages(world) | failed_forms(world) | emails(world)
    spanish = [name for name in documents if name.startswith("es ")]
    assert spanish and all('lang="es"' in documents[name] for name in spanish), (
        "a Spanish page is not in Spanish"
    )

    problems = html_checker.check(documents)

    errors = [problem for problem in problems if problem.error]
    assert not errors, f"{len(errors)} HTML errors in {len(documents)} documents:\n" + "\n".join(
        str(error) for error in errors
    )
