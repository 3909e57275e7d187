"""A signed-in session ends after a period without activity, and after an
absolute lifetime whatever the activity."""

import pytest
from django.urls import reverse

from justop import middleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = 1_800_000_000.0

        def advance(self, seconds: float) -> None:
            self.now += seconds

    clock = Clock()
    monkeypatch.setattr(middleware.time, "time", lambda: clock.now)
    return clock


@pytest.fixture
def timeouts(settings):
    settings.SESSION_IDLE_TIMEOUT = 3600
    settings.SESSION_ABSOLUTE_TIMEOUT = 8 * 3600


def signed_in(client) -> bool:
    return client.get(reverse("mfa_index")).status_code == 200


def test_an_active_session_stays_open(client, user, clock, timeouts):
    client.force_login(user)
    for _ in range(5):
        clock.advance(50 * 60)
        assert signed_in(client)


def test_an_idle_session_ends_and_says_so(client, user, clock, timeouts):
    client.force_login(user)
    assert signed_in(client)
    clock.advance(3601)
    response = client.get(reverse("home"))
    assert response.context["user"].is_anonymous
    assert "Your session has expired" in response.content.decode()


def test_a_session_ends_after_its_absolute_lifetime_even_when_active(client, user, clock, timeouts):
    client.force_login(user)
    for _ in range(8):
        clock.advance(59 * 60)
        assert signed_in(client)
    clock.advance(59 * 60)  # 8 h 52 min after sign-in
    assert not signed_in(client)


def test_reading_does_not_write_the_session_on_every_request(client, user, clock, timeouts):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    client.get(reverse("home"))
    clock.advance(5)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert writes == [], "the session was saved within the touch interval"


def test_the_idle_clock_is_written_once_a_minute_has_passed(client, user, clock, timeouts):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    client.get(reverse("home"))
    clock.advance(61)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert any(
        "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith("UPDATE")
        for q in queries.captured_queries
    )
