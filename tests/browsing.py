"""Helpers for tests that drive Chromium: a signed-in browser and the axe
check of a list of pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client

from tests.factories import sign_in

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# Each page is audited in English on a desktop and in Spanish on a phone:
# both languages and both widths, at half the cost of every pairing.
LANGUAGE_WIDTHS = [("en", "desktop"), ("es", "phone")]


def signed_in_context(browser: Any, live_server: Any, person: Any = None, **options: Any) -> Any:
    """A browser context (Playwright options as given), signed in as person
    when there is one (staff with their second factor)."""
    context = browser.new_context(**options)
    if person is not None:
        client = Client()
        sign_in(client, person)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
    return context


def page_context(
    browser: Any, live_server: Any, language: str, viewport: str, person: Any = None
) -> Any:
    """A context with a language and a named viewport (desktop or phone)."""
    return signed_in_context(
        browser,
        live_server,
        person,
        viewport=VIEWPORTS[viewport],
        extra_http_headers={"Accept-Language": language},
    )


def serious_violations(axe: Any, page: Any, where: str) -> list[str]:
    problems = []
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [node["target"] for node in violation["nodes"]][:3]
            problems.append(f"{where}: {violation['id']} ({violation['impact']}) {targets}")
    return problems


def audit(
    context: Any,
    live_server: Any,
    axe: Any,
    paths: list[str],
    language: str,
    statuses: dict[str, int] | None = None,
) -> list[str]:
    """Open each path (each must answer 200, or its status in statuses, in the
    language, without a redirect) and return the serious or critical
    violations axe finds; the context is closed afterwards."""
    page = context.new_page()
    problems = []
    try:
        for path in paths:
            response = page.goto(live_server.url + path)
            expected = (statuses or {}).get(path, 200)
            assert response is not None and response.status == expected, (
                f"{path}: {response.status}"
            )
            assert page.url == live_server.url + path, f"{path} redirected to {page.url}"
            assert page.get_attribute("html", "lang") == language, path
            problems += serious_violations(axe, page, path)
    finally:
        context.close()
    return problems
