"""What the end-to-end journeys share: the portal served by a live test
server on PostgreSQL, a real Celery worker on Redis sending mail to an SMTP
sink, and a browser tab that runs axe on every page it reaches.

A journey test takes the `portal` fixture (one worker and sink per module)
and opens a `Journey`:

    journey = Journey(browser, portal, axe, language="en", viewport="desktop")
    journey.goto("/news/")              # axe runs on every page reached
    journey.page.get_by_role("link", name="...").click()
    journey.settle()                    # after a click that navigates
    message = portal.email_to("ana@example.org", "Confirm")
    journey.goto(link_in(message, "/volunteer/"))
    journey.finish()                    # fails on any serious violation

Variants run each journey with JavaScript on (English, desktop) and off
(Spanish, phone), so every page a journey visits is checked by axe in both
languages, at both widths, and works without JavaScript.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test.utils import override_settings

from tests.browsing import VIEWPORTS, serious_violations
from tests.smtp import SMTPSink, html_of, text_of
from tests.workers import running_worker

# (language, viewport, JavaScript): every journey runs in both.
VARIANTS = [
    pytest.param("en", "desktop", True, id="en-desktop-js"),
    pytest.param("es", "phone", False, id="es-phone-nojs"),
]


@dataclass
class Portal:
    url: str
    sink: SMTPSink

    def email_to(self, address: str, subject: str = "", timeout: float = 60) -> EmailMessage:
        """The latest message to address whose subject contains subject
        (case-insensitive), waiting for the worker to send it."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                m for m in self.sink.to(address) if subject.lower() in str(m["Subject"]).lower()
            ]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                seen = [str(m["Subject"]) for m in self.sink.to(address)]
                raise TimeoutError(f"no email to {address} about {subject!r} (saw {seen})")
            time.sleep(0.1)


def links_in(message: EmailMessage) -> list[str]:
    """Every http(s) link of the message, text and HTML parts, in order."""
    text = text_of(message) + "\n" + html_of(message)
    return [u.rstrip(".,)>\"'") for u in re.findall(r"https?://[^\s\"'<>]+", text)]


def link_in(message: EmailMessage, contains: str) -> str:
    """The path (and query) of the first link of the message containing contains."""
    for url in links_in(message):
        if contains in url:
            parts = urlsplit(url)
            return parts.path + (f"?{parts.query}" if parts.query else "")
    raise AssertionError(f"no link containing {contains!r} in {links_in(message)}")


@pytest.fixture(scope="module")
def portal(live_server, django_db_setup, django_db_blocker) -> Iterator[Portal]:
    """The live server, plus one Celery worker and one SMTP sink for the
    module. Emailed links point at the live server."""
    sink = SMTPSink().start()
    env = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_USE_TLS": "false",
        "SITE_URL": live_server.url,
    }
    with django_db_blocker.unblock(), override_settings(SITE_URL=live_server.url):
        try:
            with running_worker(extra_env=env):
                yield Portal(url=live_server.url, sink=sink)
        finally:
            sink.stop()


@dataclass
class Journey:
    """A browser tab in a language, at a width, with JavaScript on or off,
    that runs axe on every page it lands on."""

    browser: Any
    portal: Portal
    axe: Any
    language: str = "en"
    viewport: str = "desktop"
    javascript: bool = True
    problems: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.context = self.browser.new_context(
            viewport=VIEWPORTS[self.viewport],
            extra_http_headers={"Accept-Language": self.language},
            java_script_enabled=self.javascript,
            accept_downloads=True,
        )
        self.page = self.context.new_page()
        # axe runs as a script, so with JavaScript off each page's HTML, as
        # the browser received it, is audited in a second, scripted tab of
        # the same size that loads the same address with its styles.
        self.checker = None
        if not self.javascript:
            self.checker = self.browser.new_context(
                viewport=VIEWPORTS[self.viewport],
                extra_http_headers={"Accept-Language": self.language},
            ).new_page()

    def url(self, path: str) -> str:
        return self.portal.url + path

    def goto(self, path: str, status: int = 200) -> Any:
        response = self.page.goto(self.url(path))
        assert response is not None and response.status == status, (
            f"{path}: {response.status if response else None}"
        )
        self.check()
        return response

    def settle(self, again: bool = False) -> None:
        """After a click or a submit that loads a page: wait for it, then check it.
        again: check it even if its address was checked before (the same
        address showing another state, e.g. after a form posts back to it)."""
        self.page.wait_for_load_state("load")
        self.check(again=again)

    @property
    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def check(self, again: bool = False) -> None:
        """axe on the current page, once per address unless again; the page
        must be in the journey's language."""
        javascript = "on" if self.javascript else "off"
        where = f"{self.path} [{self.language}, {self.viewport}, js={javascript}]"
        if self.path in self.visited and not again:
            return
        self.visited.append(self.path)
        lang = self.page.get_attribute("html", "lang")
        assert lang == self.language, f"{where}: lang={lang}"
        if self.checker is None:
            self.problems += serious_violations(self.axe, self.page, where)
            return
        html, url = self.page.content(), self.page.url
        self.checker.route(
            url,
            lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"),
            times=1,
        )
        self.checker.goto(url)
        self.problems += serious_violations(self.axe, self.checker, where)

    def finish(self) -> None:
        self.context.close()
        if self.checker is not None:
            self.checker.context.close()
        assert not self.problems, "\n".join(self.problems)


def journey(browser: Any, portal: Portal, axe: Any, variant: tuple[str, str, bool]) -> Journey:
    language, viewport, javascript = variant
    return Journey(
        browser, portal, axe, language=language, viewport=viewport, javascript=javascript
    )


__all__ = ["VARIANTS", "Journey", "Portal", "journey", "link_in", "links_in", "portal"]
