"""The public pages checked by axe-core in a real browser, in English and
Spanish, on a desktop and a phone: no serious or critical violation."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/about/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/no-such-page/",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("language", ["en", "es"])
def test_public_pages_have_no_serious_accessibility_violation(
    browser, live_server, axe, language, viewport
):
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language}
    )
    page = context.new_page()
    problems = []
    try:
        for path in PAGES:
            page.goto(live_server.url + path)
            assert page.get_attribute("html", "lang") == language
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    problems.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_the_first_tab_reaches_a_visible_skip_link(page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box and box["y"] >= 0 and box["width"] > 1, "the skip link stays off screen on focus"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_the_menu_opens_on_a_phone(browser, live_server):
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        about = page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="About the Circle"
        )
        assert not about.is_visible()
        page.get_by_text("Menu", exact=True).click()
        assert about.is_visible()
    finally:
        context.close()


def test_the_menu_is_always_shown_on_a_wide_screen(page, live_server):
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(live_server.url + "/")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="About the Circle").is_visible()
