"""Fixtures shared by the whole suite.

Tests that need a real service carry a marker (postgres, redis, worker). They
are skipped with the reason when the service is absent, unless
REQUIRE_SERVICES=1 (as in .ci/run), where an absent service fails them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from celery._state import _set_task_join_will_block
from django.conf import settings
from django.test import Client

from circle.models import Membership
from tests.factories import (
    StaffFactory,
    UserFactory,
    build_org_a,
    build_org_b,
    member_of,
    sign_in,
)
from tests.reference import ensure_reference_data

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _redis_up() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _service_problems(item: pytest.Item) -> list[str]:
    problems = []
    # A worker is another process: it shares the test database only on PostgreSQL.
    needs_postgres = item.get_closest_marker("postgres") or item.get_closest_marker("worker")
    if needs_postgres and not settings.USING_POSTGRES:
        problems.append("needs PostgreSQL: set DATABASE_URL=postgres://...")
    needs_redis = item.get_closest_marker("redis") or item.get_closest_marker("worker")
    if needs_redis and not _redis_up():
        problems.append("needs Redis: set REDIS_URL=redis://... to a running server")
    if item.get_closest_marker("browser") and not Path(CHROMIUM).exists():
        problems.append(f"needs Chromium at {CHROMIUM}: apt-get install chromium")
    return problems


def pytest_runtest_setup(item: pytest.Item) -> None:
    problems = _service_problems(item)
    if problems:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but this test " + "; ".join(problems))
        pytest.skip("; ".join(problems))


@pytest.fixture(autouse=True)
def _test_defaults(request, settings):
    """Fast password hashing, a clean cache, the default language and time
    zone whatever an earlier test left active, and Celery tasks run
    in-process unless the test asks for a real worker."""
    from django.core.cache import cache
    from django.utils import timezone, translation

    from justop import pagecache
    from justop.celery import app

    # A request or a rendered email activates a language and a time zone for
    # the thread; a test that ends without deactivating them would make the
    # next one run in Spanish or in another zone.
    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every test client builds its own middleware; without autorefresh
    # WhiteNoise would list every static file of the finders each time (about
    # 75 ms a test). With it, a static file is looked up when asked for.
    settings.WHITENOISE_AUTOREFRESH = True
    cache.clear()
    pagecache.forget_local()
    eager = request.node.get_closest_marker("worker") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous
    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()
    # Eager task.apply() sets a process-wide "inside a task" flag and restores
    # the value it saw; threads running eager tasks at once (the race tests)
    # can leave it set, and a later result.get() would then refuse to block.
    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Reference data (ensure_reference_data) for whichever database test
    comes next, whatever ran before it."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
    } & set(request.fixturenames)
    if not uses_db:
        return
    request.getfixturevalue(
        "transactional_db" if "transactional_db" in request.fixturenames else "db"
    )
    ensure_reference_data()


@pytest.fixture
def smtp_sink(settings, transactional_db):
    """A real SMTP server on 127.0.0.1; the site sends its mail there.

    Tests that read mail run with real commits (transactional_db), because
    the outbox sends only what a committed transaction queued."""
    from justop import outbox
    from tests.smtp import SMTPSink

    sink = SMTPSink().start()
    settings.MAILERS = sink.mailer_settings
    try:
        yield sink
    finally:
        outbox.delivery._close_connection()
        sink.stop()


# The roles of the access matrix (tests/test_access_matrix.py), built by the
# same factories: a visitor, a signed-in user without organization, a member
# and an admin of organization A, a member of organization B, and staff with
# their second factor. A role's *_client is a client of its own, signed in as
# the role would be (staff with the second factor), so one test can hold
# several roles at once.


@pytest.fixture
def user(db):
    """Signed in, in no organization."""
    return UserFactory()


@pytest.fixture
def org_a(db):
    return build_org_a()


@pytest.fixture
def org_b(db):
    return build_org_b()


@pytest.fixture
def member_a(org_a):
    return member_of(org_a)


@pytest.fixture
def admin_a(org_a):
    return member_of(org_a, Membership.Role.ADMIN)


@pytest.fixture
def member_b(org_b):
    return member_of(org_b)


@pytest.fixture
def staff(db):
    """Staff with an authenticator app (StaffFactory): staff power once
    signed in with it (staff_client)."""
    return StaffFactory()


@pytest.fixture
def visitor():
    """A client nobody signed in to."""
    return Client()


def _client_of(person) -> Client:
    client = Client()
    sign_in(client, person)
    return client


@pytest.fixture
def user_client(user):
    return _client_of(user)


@pytest.fixture
def member_a_client(member_a):
    return _client_of(member_a)


@pytest.fixture
def admin_a_client(admin_a):
    return _client_of(admin_a)


@pytest.fixture
def member_b_client(member_b):
    return _client_of(member_b)


@pytest.fixture
def staff_client(staff):
    """Signed in with the password and the second factor: staff power."""
    return _client_of(staff)


@pytest.fixture(scope="module", autouse=True)
def _browser_pages(request):
    """The HTML pages a module's browser tests were served, checked at the
    end of the module by the Nu HTML Checker in one run (tests/html_checker.py)."""
    documents: dict[str, str] = {}
    yield documents
    if not documents:
        return
    from tests import html_checker

    if why := html_checker.unavailable():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but the HTML check of browser pages " + why)
        return
    errors = [problem for problem in html_checker.check(documents) if problem.error]
    assert not errors, (
        f"{len(errors)} HTML errors in {len(documents)} pages the browser tests were served:\n"
        + "\n".join(str(error) for error in errors)
    )


@pytest.fixture(autouse=True)
def _browser_pages_are_spanish_and_valid(request, _browser_pages):
    """In browser tests: every Spanish page asks only for interface strings a
    catalogue translates (tests/untranslated.py), and every HTML page served
    goes to the module's HTML check."""
    if not request.node.get_closest_marker("browser"):
        yield
        return
    from tests import served_pages, untranslated

    with untranslated.recording() as found, served_pages.capturing() as served:
        yield
    _browser_pages.update(served.documents)
    assert not found.messages, "Left in English on Spanish pages:\n" + "\n".join(
        sorted(found.messages)
    )


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls
    # the tests make between browser steps are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    """axe-core, from the copy packed in axe-playwright-python."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe()
