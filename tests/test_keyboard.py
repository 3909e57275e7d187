"""The public site from the keyboard alone, in a real browser: the skip link
and the main menu (a disclosure on phones that Escape closes), a form
submitted with an error and then corrected, and the filters whose results
htmx swaps in place. At every step the focused element shows a focus ring
that it does not show unfocused, and focus never falls back to <body>."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from circle.models import Membership
from news.models import Subscriber
from tests.asks.factories import PostFactory, offer
from tests.browsing import page_context
from tests.factories import OrganizationFactory, member_of
from tests.forums.factories import ForumFactory
from tests.research.factories import ResourceFactory, research_setup  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the focused element looks like, then the same element unfocused.
# Elements that only scripts focus (tabindex=-1: <main> after the skip link,
# a results heading) are targets, not controls: they need no ring.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const ring = () => {
    const s = getComputedStyle(el);
    const outline = s.outlineStyle === "none" || parseFloat(s.outlineWidth) === 0
      ? "none" : `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`;
    return {outline, shadow: s.boxShadow};
  };
  const focused = ring();
  el.blur();
  const unfocused = ring();
  el.focus();
  const box = el.getBoundingClientRect();
  return {
    focused, unfocused,
    target: el.getAttribute("tabindex") === "-1",
    name: `${el.tagName.toLowerCase()}#${el.id} ${(el.textContent || "").trim().slice(0, 40)}`,
    href: el.getAttribute("href") ?? (el.tagName === "BUTTON" ? `button:${el.value}` : null),
    inMenu: el.closest(".nav-list") !== null,
    inViewport: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < innerHeight && box.left < innerWidth,
  };
}"""


def focus_state(page: Any) -> dict[str, Any]:
    """The focused element, checked: it is not <body>, it is on screen and,
    unless only scripts focus it, it shows a ring (outline or box shadow)
    that it does not show unfocused."""
    state = page.evaluate(FOCUS_STATE)
    assert state is not None, "focus fell back to <body>"
    assert state["inViewport"], f"{state['name']} is focused off screen"
    if not state["target"]:
        focused, unfocused = state["focused"], state["unfocused"]
        ring = focused["outline"] != "none" or focused["shadow"] != "none"
        assert ring and focused != unfocused, f"no visible focus on {state['name']}: {state}"
    return state


def press(page: Any, key: str) -> dict[str, Any]:
    page.keyboard.press(key)
    return focus_state(page)


def tab_to(page: Any, selector: str, limit: int = 40) -> list[dict[str, Any]]:
    """Tab (checking every stop) until the element matching selector has
    focus; the stops on the way."""
    stops = []
    for _ in range(limit):
        stops.append(press(page, "Tab"))
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return stops
    raise AssertionError(f"{limit} Tabs never reached {selector}: {[s['name'] for s in stops]}")


def menu_links(page: Any) -> list[str]:
    """The main menu's links and buttons (the language switch) as they are
    laid out: row by row, left to right; a button by its value."""
    return page.evaluate(
        """() => [...document.querySelectorAll("nav[aria-label] .nav-list :is(a, button)")]
             .map(a => [a.getBoundingClientRect(),
                        a.getAttribute("href") ?? `button:${a.value}`])
             // Boxes that overlap vertically share a row (a taller button sits
             // a little higher than the links beside it).
             .sort(([a], [b]) => (a.top < b.bottom && b.top < a.bottom)
                 ? a.left - b.left : a.top - b.top)
             .map(([, href]) => href)"""
    )


def test_the_skip_link_leads_to_the_content_and_tab_follows_the_menu(browser, live_server):
    context = page_context(browser, live_server, "en", "desktop")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        skip = press(page, "Tab")
        assert skip["href"] == "#main", f"the first Tab stop is {skip['name']}"
        expect(page.locator(".skip-link")).to_be_in_viewport()
        press(page, "Enter")
        expect(page.locator("main")).to_be_focused()
        # The next Tab starts inside the content, past the header.
        press(page, "Tab")
        assert page.evaluate("document.querySelector('main').contains(document.activeElement)")

        page.goto(live_server.url + "/")
        expected = menu_links(page)
        assert reverse("news:list") in expected and reverse("account_login") in expected
        last = expected[-1]
        stops = tab_to(
            page,
            f".nav-list button[value='{last.removeprefix('button:')}']"
            if last.startswith("button:")
            else f".nav-list a[href='{last}']",
        )
        menu = [s["href"] for s in stops if s["inMenu"]]
        assert menu == expected
        # Shift+Tab walks back the same way.
        assert press(page, "Shift+Tab")["href"] == expected[-2]
    finally:
        context.close()


def test_the_phone_menu_opens_and_closes_from_the_keyboard(browser, live_server):
    context = page_context(browser, live_server, "en", "phone")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        menu, toggle = page.locator("details.nav-menu"), page.locator(".nav-menu > summary")
        expect(page.locator(".nav-list")).to_be_hidden()
        tab_to(page, ".nav-menu > summary")
        press(page, "Enter")
        expect(menu).to_have_attribute("open", "")
        links = menu_links(page)
        reached = [press(page, "Tab")["href"] for _ in links]
        assert reached == links
        # Escape closes the menu from inside it and gives focus back to the button.
        press(page, "Escape")
        expect(menu).not_to_have_attribute("open", "")
        expect(toggle).to_be_focused()
        press(page, "Space")
        expect(menu).to_have_attribute("open", "")
        press(page, "Escape")
        expect(menu).not_to_have_attribute("open", "")
        expect(toggle).to_be_focused()
        # Tabbing out of the open menu closes it: the panel would cover the
        # content that now has focus.
        press(page, "Enter")
        for _ in links:
            press(page, "Tab")
        state = press(page, "Tab")
        expect(menu).not_to_have_attribute("open", "")
        assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), (
            state["name"]
        )
    finally:
        context.close()


def test_the_newsletter_form_works_from_the_keyboard(browser, live_server):
    context = page_context(browser, live_server, "en", "phone")
    page = context.new_page()
    try:
        page.goto(live_server.url + reverse("news:newsletter"))
        stops = tab_to(page, "main input[type=email]")
        assert not any("website" in s["name"] for s in stops), "the bot trap takes focus"
        page.keyboard.type("not an address")
        page.keyboard.press("Enter")
        # The page comes back with the error; focus is on the field in
        # error, whose description is the error message.
        field = page.locator("main input[type=email]")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_be_focused()
        expect(field).to_have_accessible_description(re.compile("email address", re.I))
        focus_state(page)
        page.keyboard.press("ControlOrMeta+A")
        page.keyboard.type("keyboard@example.org")
        tab_to(page, "main form button[type=submit]")
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_contain_text(re.compile("email", re.I))
        assert Subscriber.objects.filter(email="keyboard@example.org").exists()
    finally:
        context.close()


def _filter_with_arrow_key(page: Any, control: str, status: str, heading: str) -> None:
    """Tab to a filter, change it with the arrow key and wait for htmx: the
    control keeps focus and the live region says the new count."""
    tab_to(page, control)
    before = page.locator(heading).inner_text()
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.keyboard.press("ArrowDown")
    # A select keeps focus on an arrow key; a radio group moves it.
    control_id = page.evaluate("document.activeElement.id")
    expect(page.locator(heading)).not_to_have_text(before)
    count = page.locator(heading).inner_text().strip()
    expect(page.locator(status)).to_have_text(count)
    expect(page.locator(f"#{control_id}")).to_be_focused()
    focus_state(page)


def test_filters_keep_focus_and_announce_the_count_while_htmx_swaps_results(browser, live_server):
    for kind in ["report", "report", "brief"]:
        ResourceFactory(title=f"Apprenticeship wages, a {kind}", kind=kind)
    ResourceFactory(title="Child care and work")
    ForumFactory(title="Transit and jobs", hosts=[OrganizationFactory(name="Atlanta Works")])
    ForumFactory(title="Wealth in place", hosts=[OrganizationFactory(name="Westside Works")])
    employer = OrganizationFactory(name="Metro Manufacturers", stages=["job-access"])
    admin = member_of(employer, Membership.Role.ADMIN)
    PostFactory(organization=employer, author=admin, title="20 technicians")
    offer(organization=OrganizationFactory(), title="15 graduates ready")

    visitor = page_context(browser, live_server, "en", "desktop")
    member = page_context(browser, live_server, "en", "desktop", admin)
    try:
        page = visitor.new_page()
        page.goto(live_server.url + reverse("research:search"))
        tab_to(page, "#research-q")
        with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
            page.keyboard.type("apprenticeship")
        expect(page.locator("#research-results-heading")).to_have_text("3 resources")
        expect(page.locator("#research-status")).to_have_text("3 resources")
        expect(page.locator("#research-q")).to_be_focused()
        focus_state(page)
        # The search swapped the filters too (their counts follow the
        # results): the new ones still answer.
        _filter_with_arrow_key(
            page, "#research-kind", "#research-status", "#research-results-heading"
        )

        page.goto(live_server.url + reverse("forums:list"))
        _filter_with_arrow_key(page, "#forums-host", "#forum-status", "#forum-results-heading")

        page = member.new_page()
        page.goto(live_server.url + reverse("asks:board"))
        _filter_with_arrow_key(
            page, "#board-kind input[type=radio]", "#board-status", "#board-results-heading"
        )
    finally:
        visitor.close()
        member.close()
