"""What a visitor's request may change in a cached page is what its key
holds: no header or query parameter can store one page under another's key
(cache poisoning), a query string a page does not read adds no entry (cache
flooding), and a change renews only the pages that show that kind of content
(a sign-in flushes nothing)."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from forums import registration
from justop import pagecache
from news import newsletter
from tests.factories import MemberFactory
from tests.forums.factories import ForumFactory
from tests.reference import ensure_reference_data
from tests.research.factories import ResourceFactory
from tests.test_access_matrix import ALL_ROWS, build_world, resolve_path

pytestmark = pytest.mark.django_db

# What differs between two responses of one stored page: the nonce and the
# CSRF tokens each response gets.
_PER_RESPONSE = [
    (re.compile(r'nonce="[^"]+"'), 'nonce="N"'),
    (re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])"), "TOKEN"),
    # When a calendar was written (to the second).
    (re.compile(r"DTSTAMP:[0-9TZ]+"), "DTSTAMP:T"),
]

# Headers htmx sends, alone and together: each must get the page the view
# builds for it, whatever was asked before it.
VARIANTS: list[dict[str, str]] = [
    {},
    {"HX-Request": "true"},
    {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "https://elsewhere.example/"},
    {"HX-Request": "true", "HX-History-Restore-Request": "true"},
    {"HX-Request": "true", "HX-Trigger": "research-page-2"},
    {"HX-Request": "true", "HX-Trigger": "forums-page-2"},
    {"HX-Request": "true", "HX-Trigger": "x" * 200},
    {"HX-Request": "true", "HX-Boosted": "true"},
    {"HX-Request": "false"},
    # The language, asked by the browser or kept in the switcher's cookie.
    {"Accept-Language": "es"},
    {"Accept-Language": "es", "HX-Request": "true", "HX-Trigger": "research-page-2"},
    {"Accept-Language": "en", "Cookie": "django_language=es"},
]


def _same_for_everyone(response: Any) -> str:
    text = response.content.decode()
    for pattern, replacement in _PER_RESPONSE:
        text = pattern.sub(replacement, text)
    return f"{response.status_code}\n{response.get('Content-Type')}\n{text}"


@pytest.fixture(scope="module")
def cached_pages(django_db_setup, django_db_blocker):
    """Every URL of the project whose view the page cache serves, with the
    objects of the access matrix behind it (found from the URL resolver, so
    a newly cached page is tried without being listed here)."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_reference_data()
        world = build_world()
        forum = ForumFactory(title="Jobs and transit forum")
        pages = {}
        for key, row in ALL_ROWS.items():
            if key.startswith(("admin:", "/admin")):
                continue
            path = resolve_path(key, row, world)
            if hasattr(resolve(path.split("?")[0]).func, "page_cache"):
                pages[key] = path
        pages["forums:detail (a public forum)"] = forum.get_absolute_url()
        pages["forums:list (filtered)"] = (
            reverse("forums:list") + "?audience=public&host=organization-a&page=1"
        )
        pages["research:search (a query)"] = reverse("research:search") + "?kind=report&q=wage"
        yield pages
        transaction.set_rollback(True)


# The cached pages, with a few of them asked with a query. A test below holds
# this list to the pages the URL resolver finds behind the page cache.
CACHED = [
    "about",
    "circle:organization",
    "forums:detail",
    "forums:detail (a public forum)",
    "forums:feed",
    "forums:list",
    "forums:list (filtered)",
    "forums:past",
    "home",
    "news:category",
    "news:list",
    "news:post",
    "research:library",
    "research:resource",
    "research:search",
    "research:search (a query)",
    "research:topic",
    "volunteer:list",
    "volunteer:opportunity",
]


@pytest.mark.parametrize("key", CACHED)
def test_no_request_stores_a_page_another_request_is_then_served(db, settings, cached_pages, key):
    path = cached_pages[key]
    settings.PAGE_CACHE_SECONDS = 0
    built = {i: _same_for_everyone(Client().get(path, headers=h)) for i, h in enumerate(VARIANTS)}
    settings.PAGE_CACHE_SECONDS = 60
    order = list(enumerate(VARIANTS))
    # In both orders, so that each of two variants sharing a key is once the
    # one stored and once the one served.
    for sequence in (order, order[::-1]):
        pagecache.forget_local()
        cache.clear()
        for _, headers in sequence:  # the poison, or the first visitor
            Client().get(path, headers=headers)
        for i, headers in sequence:  # the next visitors
            served = _same_for_everyone(Client().get(path, headers=headers))
            assert served == built[i], f"{path} with {headers} after {sequence}"


@pytest.mark.parametrize("key", CACHED)
def test_the_language_an_address_names_is_the_language_served(db, settings, cached_pages, key):
    path = cached_pages[key]
    joined = "&" if "?" in path else "?"
    settings.PAGE_CACHE_SECONDS = 0
    built = {
        language: _same_for_everyone(Client().get(path, headers={"Accept-Language": language}))
        for language in ("en", "es")
    }
    if built["en"].startswith("200"):  # (a members' page sends a visitor to sign in)
        assert built["en"] != built["es"], path
    settings.PAGE_CACHE_SECONDS = 60
    for first in ("en", "es"):  # whichever was stored first
        pagecache.forget_local()
        cache.clear()
        Client().get(path, headers={"Accept-Language": first})
        for language, other in (("es", "en"), ("en", "es")):
            served = Client().get(
                f"{path}{joined}lang={language}", headers={"Accept-Language": other}
            )
            assert _same_for_everyone(served) == built[language], f"{path} lang={language}"


def test_every_cached_page_is_tried(cached_pages):
    assert sorted(cached_pages) == CACHED


def _queries(path: str, **headers: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(path, headers=headers)
    return len(queries), response


def test_query_parameters_a_page_does_not_read_share_its_one_entry():
    Client().get("/")
    for _ in range(20):
        queries, response = _queries(f"/?utm_source={secrets.token_hex(8)}&fbclid=x")
        assert response.status_code == 200
        assert queries == 0
    assert len(pagecache._local.pages) == 1


def test_a_tracking_parameter_never_reaches_the_page():
    response = Client().get("/?utm_campaign=%22%3E%3Cb%3Einjected")

    assert "injected" not in response.content.decode()
    assert _queries("/")[0] == 0  # the page stored is the home page's own


def test_a_search_is_one_entry_whatever_the_order_and_the_extras():
    ResourceFactory(title="Transit access to jobs")
    first = Client().get(reverse("research:search") + "?q=transit&kind=&utm=1")
    queries, again = _queries(reverse("research:search") + "?utm=2&q=transit&topic=")

    assert "Transit access to jobs" in first.content.decode()
    assert queries == 0
    assert "Transit access to jobs" in again.content.decode()


def test_pages_read_the_parameters_they_declare():
    ResourceFactory(title="Transit access to jobs")
    ResourceFactory(title="Childcare near work")

    found = Client().get(reverse("research:search") + "?q=childcare").content.decode()

    assert "Childcare near work" in found
    assert "Transit access to jobs" not in found


def _kept(path: str) -> bool:
    queries, response = _queries(path)
    return response.status_code == 200 and queries == 0


def test_a_sign_in_keeps_every_page_cached():
    ResourceFactory(title="Transit access to jobs")
    member = MemberFactory()
    pages = ["/", reverse("news:list"), reverse("research:library"), reverse("forums:list")]
    for path in pages:
        Client().get(path)

    Client().force_login(member)  # writes last_login

    assert [path for path in pages if not _kept(path)] == []


def test_a_subscription_or_a_registration_keeps_news_and_research_cached():
    forum = ForumFactory(title="Transit and jobs", capacity=5)
    pages = [reverse("news:list"), reverse("research:library"), reverse("research:search")]
    for path in [*pages, forum.get_absolute_url()]:
        Client().get(path)

    newsletter.subscribe("reader@example.org", "en")
    registration.register_guest(
        forum, name="Ana Lima", email_address="ana@example.org", language="en"
    )

    assert [path for path in pages if not _kept(path)] == []
    # The forum's page shows the places left: it is built again.
    assert "4 places left of 5" in Client().get(forum.get_absolute_url()).content.decode()


def test_a_new_resource_renews_the_library_but_not_the_news():
    Client().get(reverse("news:list"))
    Client().get(reverse("research:library"))

    ResourceFactory(title="Second-chance hiring guide")

    assert _kept(reverse("news:list"))
    assert (
        "Second-chance hiring guide" in Client().get(reverse("research:library")).content.decode()
    )


def test_every_model_is_watched_or_ignored_by_the_page_cache():
    from django.apps import apps

    decided = pagecache.watched()
    ours = [
        model
        for label in ("circle", "forums", "research", "news", "justop")
        for model in apps.get_app_config(label).get_models()
    ]
    assert [m._meta.label for m in ours if m not in decided] == []


def test_every_cached_page_shows_kinds_that_exist(cached_pages):
    for key, path in cached_pages.items():
        policy = resolve(path.split("?")[0]).func.page_cache
        assert policy.shows <= pagecache.kinds(), key
