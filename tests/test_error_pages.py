"""Error pages render for any request, one without a user included.

Django refuses a Host not in ALLOWED_HOSTS while the request is read, before
AuthenticationMiddleware gave it a user, and answers with the 400 page; a
template or a context processor reading `request.user` then made that page a
server error, on every path, /healthz and /livez included.
"""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.http import HttpRequest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils.module_loading import import_string
from django.views import csrf, defaults

from tests.factories import OrganizationFactory, member_of
from tests.research.factories import ResourceFactory

ERROR_PAGE = 'class="container narrow error-page"'


def userless_request() -> HttpRequest:
    request = RequestFactory().get("/anything/")
    assert not hasattr(request, "user")
    return request


@pytest.mark.parametrize(
    ("handler", "status"),
    [
        (defaults.bad_request, 400),
        (defaults.permission_denied, 403),
        (defaults.page_not_found, 404),
        (defaults.server_error, 500),
        (csrf.csrf_failure, 403),
    ],
)
def test_it_renders_every_error_page_for_a_request_without_a_user(db, handler, status):
    request = userless_request()

    if handler is defaults.server_error:
        response = handler(request)
    elif handler is csrf.csrf_failure:
        response = handler(request, reason="hostile")
    else:
        response = handler(request, exception=Exception("hostile"))

    assert response.status_code == status
    body = response.content.decode()
    assert ERROR_PAGE in body
    # Nobody is signed in: no member's links, and the menu offers to sign in
    # (the 500 page is rendered without the request, on purpose, by Django).
    assert reverse("circle:directory") not in body
    if handler is not defaults.server_error:
        assert reverse("account_login") in body


@pytest.mark.parametrize("name", settings.TEMPLATES[0]["OPTIONS"]["context_processors"])
def test_it_runs_every_context_processor_without_a_user(db, name):
    context = import_string(name)(userless_request())

    # Lazy values are what a template would evaluate: evaluate them all.
    for value in context.values():
        bool(value)
        str(value)


PATHS = [
    "/",
    "/healthz",
    "/livez",
    "/research/search/?kind=%00",
    "/research/topics/place-based/",
    "/no-such-page/",
]
BAD_HOSTS = [
    "evil.example",
    "evil.example:8000",
    "portal.example.evil.example",
    "a" * 300,
    "[::1",
    "portal.example\x00",
]


@override_settings(ALLOWED_HOSTS=["portal.example"])
@pytest.mark.parametrize("host", BAD_HOSTS)
@pytest.mark.parametrize("path", PATHS)
def test_it_answers_a_host_not_allowed_with_the_bad_request_page(db, caplog, host, path):
    assert settings.DEBUG is False
    client = Client(HTTP_HOST=host, raise_request_exception=False)

    with caplog.at_level(logging.INFO):
        response = client.get(path)

    assert response.status_code == 400
    body = response.content.decode()
    assert ERROR_PAGE in body
    assert '<p class="error-code">' in body
    # Logged as what it is, a refused Host, by Django's security logger; no
    # server error is logged.
    assert any(r.name == "django.security.DisallowedHost" for r in caplog.records)
    assert not [
        r for r in caplog.records if r.name == "django.request" and r.levelno >= logging.ERROR
    ]


@override_settings(ALLOWED_HOSTS=["portal.example"])
def test_it_answers_a_host_not_allowed_with_the_bad_request_page_when_signed_in(db):
    client = Client(HTTP_HOST="evil.example", raise_request_exception=False)
    client.force_login(member_of(OrganizationFactory()))

    response = client.get(reverse("circle:directory"))

    assert response.status_code == 400
    assert ERROR_PAGE in response.content.decode()


@override_settings(ALLOWED_HOSTS=["portal.example"])
@pytest.mark.parametrize("path", PATHS[:-1])
def test_it_still_serves_the_allowed_host(db, path):
    ResourceFactory(title="Transit and jobs", topics=["place-based"])
    client = Client(HTTP_HOST="portal.example", raise_request_exception=False)

    response = client.get(path, secure=True)

    # /healthz answers 503 when a service it checks is down: not this test's
    # concern, only that the Host is accepted.
    assert response.status_code in (200, 503), path
