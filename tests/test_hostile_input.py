"""Hostile input never gets a server error: every GET parameter of every
page and every path parameter (the Host header: tests/test_error_pages.py).

The pages come from the access matrix (tests/test_access_matrix.py), which
holds a row for every URL pattern, so a new page is covered without being
listed here. Each page is opened as a visitor and as a member, and the
admin's lists as staff with a second factor. The parameters a page reads are
discovered from what it offers: the fields of its bound forms (a filter form
is bound to the query string), the fields of its GET forms and the query
strings of its own links, the parameters its page cache keeps
(`@visitor_cache(query=...)`), plus EXTRA_PARAMETERS that a view may read without
offering them. Every parameter then gets every HOSTILE value, alone, and all
of them at once in the page and in its htmx fragment.

A bad value is ignored or refused (400 or 404), whichever the page decided,
never answered with a 5xx. NUL bytes matter on PostgreSQL in particular,
which refuses them in text where SQLite takes them.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django import forms
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse

from justop.pagecache import Policy
from research.models import Resource
from tests.access import Row, World
from tests.factories import sign_in_with_second_factor
from tests.reference import ensure_reference_data
from tests.research.factories import ResourceFactory
from tests.test_access_matrix import ALL_ROWS, build_world, resolve_path, url_patterns

ROLES = ("anonymous", "member_a", "staff")

HOSTILE: dict[str, str | bytes] = {
    "NUL": "\x00",
    "NUL inside a word": "wages\x00",
    "thirty nines": "9" * 30,
    "zero": "0",
    "minus one": "-1",
    "year 10000": "10000",
    "superscript two": "\u00b2",
    "full-width digits": "\uff12\uff10\uff12\uff16",
    "a month past the calendar": "9999-12",
    "overlong": "a" * 5000,
    "SQL": "1' OR '1'='1'; DROP TABLE research_resource; --",
    "tsquery syntax": "a & | !(b <-> :* c) ''\\ %_",
    "not UTF-8": b"\xff\xfe",
}
# Sent to every parameter at once, and in paths (slugs, tokens, ids): a
# request per page (or route and parameter) and role for each.
SHORT_LIST = ("NUL", "thirty nines", "superscript two", "overlong", "SQL", "not UTF-8")
# Parameters a view may read without offering them in a form or a link.
EXTRA_PARAMETERS = frozenset({"page", "q", "sort", "o", "p", "e", "next", "format", "year"})


def encoded(value: str | bytes) -> str:
    return quote(value, safe="")


def query_string(values: dict[str, str | bytes]) -> str:
    return "&".join(f"{encoded(name)}={encoded(value)}" for name, value in sorted(values.items()))


class GetParameters(HTMLParser):
    """The names a page's GET forms and its own links send back to it."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.names: set[str] = set()
        self.in_get_form = False

    def _same_page(self, url: str) -> bool:
        return urlsplit(url).path in ("", self.path)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            method = found.get("method", "get").lower()
            self.in_get_form = method == "get" and self._same_page(found.get("action", ""))
        elif tag in ("input", "select", "textarea", "button") and self.in_get_form:
            if found.get("name"):
                self.names.add(found["name"])
        elif tag == "a" and "?" in found.get("href", "") and self._same_page(found["href"]):
            query = urlsplit(found["href"]).query
            self.names.update(name for name, _ in parse_qsl(query, keep_blank_values=True))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_get_form = False


def bound_forms(context: Any) -> Iterator[forms.BaseForm]:
    """The forms of a GET page bound to data: the query string's filters."""
    if context is None:
        return
    # A ContextList (several templates) or one Context (a feed, a catalog).
    values = (
        context.flatten().values()
        if hasattr(context, "flatten")
        # A ContextList is a list of contexts: its keys are not what it iterates.
        else [context[name] for name in context.keys()]  # noqa: SIM118
    )
    for value in values:
        for candidate in (value, getattr(value, "form", None)):
            if isinstance(candidate, forms.BaseForm) and candidate.is_bound:
                yield candidate


def declared_parameters(path: str) -> set[str]:
    """The query parameters the view's page cache hands it
    (`@visitor_cache(query=...)`), read from the cache's wrapper."""
    view: Any = resolve(path).func
    # A feed is a callable object, not a function: no cache wraps it.
    while inspect.isfunction(view):
        for value in inspect.getclosurevars(view).nonlocals.values():
            if isinstance(value, Policy):
                return set(value.query)
        view = getattr(view, "__wrapped__", None)
    return set()


def parameters_of(response: Any, path: str) -> set[str]:
    names = declared_parameters(path) | {
        form.add_prefix(field) for form in bound_forms(response.context) for field in form.fields
    }
    if response.get("Content-Type", "").startswith("text/html"):
        parser = GetParameters(path)
        parser.feed(response.content.decode(errors="replace"))
        names |= parser.names
    # Django's own csrf field is no parameter of the page.
    return names - {"csrfmiddlewaretoken"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The access matrix's world, with a resource the research filters can
    find; built once, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_reference_data()
        built = build_world()
        ResourceFactory(
            title="Transit and jobs",
            topics=["place-based"],
            published_on="2025-02-01",
            visibility=Resource.Visibility.PUBLIC,
        )
        yield built
        transaction.set_rollback(True)


def client_as(role: str, world: World) -> Client:
    client = Client(raise_request_exception=False)
    if role == "staff":
        sign_in_with_second_factor(client, world.staff)
    elif role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def is_admin(key: str) -> bool:
    return key.startswith(("admin:", "/admin"))


def pages_opened_by(role: str) -> list[str]:
    """Every URL pattern the role may GET (200 in the access matrix). Of the
    admin's pages, the lists: its pages of one object read no query string
    but the admin's own (`_changelist_filters`, `_popup`), and sending the
    whole sweep to each of the ~160 of them tripled the time of this file."""

    def tried(key: str) -> bool:
        if not is_admin(key):
            # Staff see the same pages through the same code as a member
            # (with more rows): the admin is what only staff open.
            return role != "staff"
        return key.endswith(("_changelist", ":index"))

    return sorted(key for key, row in ALL_ROWS.items() if row.expected(role) == 200 and tried(key))


def server_errors(client: Client, path: str, query: str, *, htmx: bool = False) -> list[str]:
    response = client.get(f"{path}?{query}", headers={"HX-Request": "true"} if htmx else {})
    return [f"{response.status_code}"] if response.status_code >= 500 else []


@pytest.mark.parametrize(
    ("role", "key"), [(role, key) for role in ROLES for key in pages_opened_by(role)]
)
def test_hostile_query_values_never_get_a_server_error(db, world, role, key):
    client = client_as(role, world)
    path = resolve_path(key, ALL_ROWS[key], world)
    bare = client.get(path)
    assert bare.status_code == 200, f"{path} as {role}: {bare.status_code}"
    offered = parameters_of(bare, path)

    failures = []
    # The admin's lists refuse what their filters cannot take before any
    # query (justop/admin_queries.py): the short list is enough there.
    values = {label: HOSTILE[label] for label in SHORT_LIST} if is_admin(key) else HOSTILE
    for name in sorted(offered):
        for label, value in values.items():
            for status in server_errors(client, path, query_string({name: value})):
                failures.append(f"?{name}= {label}: {status}")
        # The same parameter twice, a good value then a hostile one.
        for status in server_errors(client, path, f"{encoded(name)}=1&{encoded(name)}=%00"):
            failures.append(f"?{name}= twice: {status}")
    for label in SHORT_LIST:
        everything = query_string(dict.fromkeys(offered | EXTRA_PARAMETERS, HOSTILE[label]))
        for status in server_errors(client, path, everything):
            failures.append(f"every parameter {label}: {status}")
        # A list page answers htmx with its results fragment.
        if offered:
            for status in server_errors(client, path, everything, htmx=True):
                failures.append(f"every parameter {label}, htmx: {status}")

    assert not failures, f"{path} as {role} ({sorted(offered)}): " + "; ".join(failures)


def path_parameters() -> list[tuple[str, str, str]]:
    """(key, route, parameter) for every converter of every named route."""
    found = []
    for key, route in url_patterns():
        row = ALL_ROWS.get(key)
        if row is None or row.path is not None or "(?P<" in route:
            continue
        for name in re.findall(r"<(?:\w+:)?(\w+)>", route):
            found.append((key, route, name))
    return found


def path_with(route: str, values: dict[str, Any], hostile: str, value: str | bytes) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return encoded(value) if name == hostile else encoded(str(values[name]))

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", replace, route)


@pytest.mark.parametrize(("key", "route", "name"), path_parameters())
def test_hostile_path_values_never_get_a_server_error(db, world, key, route, name):
    row: Row = ALL_ROWS[key]
    values = row.kwargs(world) if callable(row.kwargs) else row.kwargs
    failures = []
    for role in ROLES:
        client = client_as(role, world)
        for label in SHORT_LIST:
            path = path_with(route, values, name, HOSTILE[label])
            status = client.get(path).status_code
            if status >= 500:
                failures.append(f"{label} as {role}: {status}")
    assert not failures, f"{route} <{name}>: " + "; ".join(failures)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("year", "0"),
        ("year", "10000"),
        ("year", "²"),
        ("year", "٢٠٢٥"),
        ("year", "9" * 30),
        ("kind", "\x00"),
        ("language", "\x00"),
        ("topic", "\x00"),
        ("tag", "wages\x00"),
        ("organization", "\x00"),
    ],
)
@pytest.mark.parametrize("url", ["/research/search/", "/research/topics/place-based/"])
def test_a_research_filter_with_an_impossible_value_is_left_out_and_said_so(db, url, name, value):
    ResourceFactory(title="Transit and jobs", topics=["place-based"], published_on="2025-02-01")
    client = Client(raise_request_exception=False)

    response = client.get(url, {name: value})

    assert response.status_code == 200
    body = response.content.decode()
    # The filter is dropped, so the library's resources are still listed.
    assert "Transit and jobs" in body
    if url == "/research/search/":
        # The form marks the field it could not use.
        assert re.search(rf'<select name="{name}"[^>]*aria-invalid="true"', body), body


def test_a_year_of_the_library_still_filters(db):
    ResourceFactory(title="Transit and jobs", published_on="2025-02-01")
    ResourceFactory(title="Housing near work", published_on="2024-02-01")
    client = Client()

    body = client.get("/research/search/", {"year": "2024"}).content.decode()

    assert "Housing near work" in body
    assert "Transit and jobs" not in body


@pytest.mark.parametrize("token", ["\x00", "9" * 30, "a" * 5000, "' OR 1=1 --"])
def test_a_calendar_address_that_is_no_token_is_not_found(db, token):
    client = Client(raise_request_exception=False)

    response = client.get("/forums/calendar/" + encoded(token) + ".ics")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"status__exact": "\x00"},
        {"category__exact": "advocacy\x00"},
        {"publish_at__year": "9999"},
        {"publish_at__year": "9" * 30},
        {"publish_at__year": "2026", "publish_at__month": "\uff11"},
    ],
)
def test_an_admin_filter_that_cannot_be_a_value_gets_the_bad_request_page(db, staff, query):
    client = Client(raise_request_exception=False)
    sign_in_with_second_factor(client, staff)

    response = client.get(reverse("admin:news_newspost_changelist"), query)

    assert response.status_code == 400
    assert 'class="container narrow error-page"' in response.content.decode()


def test_an_admin_filter_with_a_real_value_still_filters(db, staff):
    client = Client()
    sign_in_with_second_factor(client, staff)
    url = reverse("admin:news_newspost_changelist")

    assert (
        client.get(url, {"status__exact": "published", "publish_at__year": "2026"}).status_code
        == 200
    )
    # Anonymous people are sent to sign in first, whatever the query.
    assert Client().get(url, {"status__exact": "\x00"}).status_code == 302


def test_it_reads_the_parameters_a_cached_page_declares():
    """The sweep sends what the page cache hands a view, not only what the
    page offers in its forms and links."""
    assert "page" in declared_parameters(reverse("news:list"))
    assert {"q", "year"} <= declared_parameters(reverse("research:search"))
