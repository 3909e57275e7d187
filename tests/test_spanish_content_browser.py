"""A Spanish speaker in a real browser: they switch the site to Spanish and
read a news post, a forum and a research resource in Spanish; a post with
no Spanish version shows its English text marked lang="en" and says it is
only in English. axe finds nothing on these pages, whatever its impact, and
the module's pages go to the HTML checker (tests/conftest.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browsing import page_context
from tests.forums.factories import ForumFactory
from tests.news.factories import NewsPostFactory
from tests.research.factories import ResourceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def violations(axe, page) -> list[str]:
    return [
        f"{page.url}: {violation['id']} ({violation['impact']})"
        for violation in axe.run(page).response["violations"]
    ]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_spanish_speaker_reads_posts_forums_and_research_in_spanish(
    browser, live_server, axe, viewport
):
    post = NewsPostFactory(
        title="Jobs along the BeltLine",
        title_es="Empleos a lo largo del BeltLine",
        summary="Employers meet neighbors.",
        summary_es="Los empleadores conocen a los vecinos.",
        body="A **fair** for everyone.",
        body_es="Una **feria** para todos.",
    )
    english_only = NewsPostFactory(title="Transit board hearing", body="Partners testified.")
    forum = ForumFactory(
        title="Transit and jobs forum",
        title_es="Foro de transporte y empleo",
        summary="How people get to work.",
        summary_es="Cómo llega la gente al trabajo.",
    )
    resource = ResourceFactory(
        title="Wages in Metro Atlanta",
        title_es="Salarios en el área metropolitana de Atlanta",
        abstract="What jobs pay.",
        abstract_es="Lo que pagan los empleos.",
    )
    context = page_context(browser, live_server, "en", viewport)
    page = context.new_page()
    problems: list[str] = []
    try:
        page.goto(live_server.url + "/")
        assert page.get_attribute("html", "lang") == "en"
        if viewport == "phone":
            page.get_by_text("Menu", exact=True).click()
        page.get_by_role("button", name="Language: Español").click()
        expect(page.locator("html")).to_have_attribute("lang", "es")

        page.goto(live_server.url + post.get_absolute_url())
        expect(page.get_by_role("heading", level=1)).to_have_text("Empleos a lo largo del BeltLine")
        expect(page.get_by_text("Una feria para todos.")).to_be_visible()
        expect(page.get_by_text("Disponible solo en inglés.")).to_have_count(0)
        problems += violations(axe, page)

        page.goto(live_server.url + forum.get_absolute_url())
        expect(page.get_by_role("heading", level=1)).to_have_text("Foro de transporte y empleo")
        expect(page.get_by_text("Cómo llega la gente al trabajo.").first).to_be_visible()
        problems += violations(axe, page)

        page.goto(live_server.url + resource.get_absolute_url())
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Salarios en el área metropolitana de Atlanta"
        )
        expect(page.get_by_text("Lo que pagan los empleos.").first).to_be_visible()
        problems += violations(axe, page)

        page.goto(live_server.url + english_only.get_absolute_url())
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text("Transit board hearing")
        expect(heading.locator('[lang="en"]')).to_have_text("Transit board hearing")
        expect(page.get_by_text("Disponible solo en inglés.")).to_be_visible()
        expect(page.locator('[lang="en"]', has_text="Partners testified.")).to_be_visible()
        problems += violations(axe, page)
        # Nothing reaches past the right edge of a phone.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], width
    finally:
        context.close()
    assert not problems, "\n".join(problems)
