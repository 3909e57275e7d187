"""Fifty people pressing "Register" at the same moment, over HTTP, for a
forum of ten places: the places hold, nobody is lost, the waitlist keeps
the order they were let in, and a cancellation promotes the first waiting
person, who is told by email."""

from __future__ import annotations

import dataclasses
import re
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from django.urls import reverse
from django.utils import timezone

from forums import registration
from forums.models import Registration
from forums.views import registration as views_registration
from justop import ratelimit
from tests.forums.factories import ForumFactory
from tests.smtp import text_of

PEOPLE = 50
PLACES = 10
Status = Registration.Status
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LINK = re.compile(r"https?://[^\s]*?(/forums/registrations/[^/\s]+/)")


class Browser:
    """One person's browser: its own cookies, like a separate visitor."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect()
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, data: dict[str, str]) -> int:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(  # noqa: S310 (the test's own http:// server)
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class RoomyServer(ThreadedWSGIServer):
    # The default listen backlog (10) resets connections beyond it: fifty
    # people arriving at once must all reach the view.
    request_queue_size = 128


class RoomyServerThread(LiveServerThread):
    server_class = RoomyServer


@pytest.fixture
def server(transactional_db):
    thread = RoomyServerThread("127.0.0.1", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_registrations_over_http_fill_ten_places_and_wait_in_order(
    server, smtp_sink, monkeypatch, settings
):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    # Every request comes from 127.0.0.1: let them all through the limiter.
    limit = ratelimit.Limit("forum-register", 1000, 3600)
    register = dataclasses.replace(views_registration.REGISTER, per_address=limit)
    monkeypatch.setattr(views_registration, "REGISTER", register)
    forum = ForumFactory(capacity=PLACES, starts_at=timezone.now() + timedelta(days=5))
    path = reverse("forums:register", args=[forum.slug])
    browsers = [Browser(server) for _ in range(PEOPLE)]
    tokens = [TOKEN.search(b.get(path)).group(1) for b in browsers]
    start = threading.Barrier(PEOPLE)
    statuses: list[int | None] = [None] * PEOPLE
    errors: list[BaseException] = []

    def register(i: int) -> None:
        try:
            start.wait()
            statuses[i] = browsers[i].post(
                path,
                {
                    "csrfmiddlewaretoken": tokens[i],
                    "name": f"Person {i}",
                    "email": f"person{i}@example.org",
                    "organization": "",
                    "website": "",
                },
            )
        except BaseException as error:  # reported below
            errors.append(error)

    began = time.monotonic()
    threads = [threading.Thread(target=register, args=(i,)) for i in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - began
    assert errors == []
    assert statuses == [302] * PEOPLE

    # None lost: one registration per person.
    rows = list(Registration.objects.filter(forum=forum).order_by("queued_at", "pk"))
    assert sorted(r.email for r in rows) == sorted(f"person{i}@example.org" for i in range(PEOPLE))
    held = [r for r in rows if r.status == Status.HELD]
    waiting = [r for r in rows if r.status == Status.WAITLISTED]
    assert len(held) == PLACES
    assert len(waiting) == PEOPLE - PLACES
    # First come, first served: everyone holding a place was let in before
    # anyone waiting.
    assert max(r.queued_at for r in held) <= min(r.queued_at for r in waiting)

    # Everyone confirms by the link in their email.
    smtp_sink.wait_for(PEOPLE)
    confirm = Browser(server)
    for row in rows:
        [message] = smtp_sink.to(row.email)
        link = LINK.search(text_of(message)).group(1)
        page = confirm.get(link)
        csrf = TOKEN.search(page).group(1)
        assert confirm.post(link, {"csrfmiddlewaretoken": csrf, "action": "confirm"}) == 302
    statuses_now = dict(Registration.objects.filter(forum=forum).values_list("email", "status"))
    assert sum(s == Status.CONFIRMED for s in statuses_now.values()) == PLACES
    assert sum(s == Status.WAITLISTED for s in statuses_now.values()) == PEOPLE - PLACES

    # One cancels through their link: the first waiting person gets the place.
    leaving, first_waiting = held[0], waiting[0]
    link = reverse("forums:registration", args=[registration.token(leaving)])
    csrf = TOKEN.search(confirm.get(link)).group(1)
    assert (
        confirm.post(link, {"csrfmiddlewaretoken": csrf, "action": "cancel", "confirmed": "yes"})
        == 302
    )
    first_waiting.refresh_from_db()
    assert first_waiting.status == Status.CONFIRMED
    assert Registration.objects.filter(forum=forum, status=Status.CONFIRMED).count() == PLACES
    assert all(Registration.objects.get(pk=r.pk).status == Status.WAITLISTED for r in waiting[1:])
    subjects = [str(m["Subject"]) for m in smtp_sink.to(first_waiting.email)]
    assert any("A place opened for you" in s for s in subjects), subjects
    # The promotion email carries the calendar file, with the online link.
    [promoted] = [m for m in smtp_sink.to(first_waiting.email) if "A place" in str(m["Subject"])]
    [ics] = [p for p in promoted.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert "meet.example.org" in ics.get_content()
    print(f"\n{PEOPLE} simultaneous HTTP registrations for {PLACES} places in {took:.2f}s")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixty_members_answering_going_at_once_never_overfill_ten_places():
    from django.db import connection

    from tests.factories import MemberFactory

    forum = ForumFactory(capacity=PLACES)
    members = [MemberFactory() for _ in range(60)]
    start = threading.Barrier(len(members))
    errors: list[BaseException] = []

    def going(member) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait()
            registration.rsvp(forum, member, going=True)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=going, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    rows = Registration.objects.filter(forum=forum)
    assert rows.count() == len(members)
    assert rows.filter(status=Status.CONFIRMED).count() == PLACES
    assert rows.filter(status=Status.WAITLISTED).count() == len(members) - PLACES
