"""The home page's look (issue 18): the Circle's figures as large numbers,
the wall of member organizations, and images on news and directory cards."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from asks.models import Outcome, Post
from circle import demo as circle_demo
from circle.home import WALL_SIZE
from circle.models import Organization
from forums.models import Forum
from news import demo as news_demo
from tests.asks.factories import PostFactory
from tests.browsing import VIEWPORTS, page_context
from tests.factories import OrganizationFactory, member_of
from tests.forums.factories import ForumFactory
from tests.news.factories import NewsPostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def with_logo(organization: Organization, colour: str = "#1d4e89") -> Organization:
    logo = circle_demo.demo_logo(organization.name, colour)
    organization.logo.save(logo.main, logo)
    return organization


def with_hero(post, number: int = 0):
    hero = news_demo.demo_hero(number)
    post.hero_alt = "Light circles on a gradient."
    post.hero_image.save(hero.main, hero)
    return post


def home_html(client: Client | None = None, **headers) -> str:
    return (client or Client()).get(reverse("home"), headers=headers).content.decode()


def section(html: str, heading_id: str) -> str:
    """The <section> labelled by heading_id."""
    found = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, flags=re.S
    )
    assert found, f"no section {heading_id}"
    return found.group(0)


def figures(html: str) -> dict[str, tuple[int, str]]:
    """{key: (number, words under it)} of the figures section."""
    return {
        key: (int(number), " ".join(label.split()))
        for key, number, label in re.findall(
            r'id="figure-([\w-]+)">\s*<span class="home-figure-number">(\d+)</span>\s*'
            r'<span class="home-figure-label">([^<]*)</span>',
            section(html, "figures-title"),
        )
    }


def past_forum(**kwargs) -> Forum:
    starts = timezone.now() - timedelta(days=30)
    return ForumFactory(starts_at=starts, ends_at=starts + timedelta(hours=2), **kwargs)


def placed(organization: Organization, people: int, **post) -> Outcome:
    return Outcome.objects.create(
        post=PostFactory(organization=organization, status=Post.Status.MATCHED, **post),
        people_placed=people,
    )


# --- The logo wall -----------------------------------------------------------------


def test_the_wall_shows_active_organizations_logos_named_and_linked(media):
    logo_co = with_logo(OrganizationFactory(name="Logo Works"))
    plain = OrganizationFactory(name="Plain Name Co")

    wall = section(home_html(), "logo-wall-title")

    logo_link = re.search(
        rf'<a class="logo-tile" href="{logo_co.get_absolute_url()}">(.*?)</a>', wall
    )
    assert logo_link, wall
    assert 'alt="Logo Works"' in logo_link.group(1)
    assert re.search(r'<img [^>]*width="120" height="120"', logo_link.group(1))
    assert 'loading="lazy"' in logo_link.group(1)
    # Without a logo: the name itself, in a tile, linking to the page.
    assert (
        f'<a class="logo-tile logo-tile-name" href="{plain.get_absolute_url()}">Plain Name Co</a>'
        in wall
    )


def test_inactive_organizations_never_show_on_the_wall(media):
    OrganizationFactory(name="Active Member")
    with_logo(OrganizationFactory(name="Applicant Logo Co", status=Organization.Status.APPLICANT))
    with_logo(OrganizationFactory(name="Gone Logo Co", status=Organization.Status.INACTIVE))
    OrganizationFactory(name="Gone Plain Co", status=Organization.Status.INACTIVE)

    html = home_html()

    assert "Active Member" in section(html, "logo-wall-title")
    for name in ("Applicant Logo Co", "Gone Logo Co", "Gone Plain Co"):
        assert name not in html


def test_the_wall_shows_at_most_its_size_and_waits_for_a_first_member():
    assert 'id="logo-wall-title"' not in home_html()

    for number in range(WALL_SIZE + 3):
        OrganizationFactory(name=f"Member {number:02d}")

    assert section(home_html(), "logo-wall-title").count('class="logo-tile') == WALL_SIZE


# --- The figures -------------------------------------------------------------------


def test_the_figures_count_members_forums_held_and_people_placed():
    org = OrganizationFactory()
    OrganizationFactory()
    gone = OrganizationFactory(status=Organization.Status.INACTIVE)
    OrganizationFactory(status=Organization.Status.APPLICANT)
    past_forum()
    past_forum()
    past_forum(status=Forum.Status.CANCELLED)  # not held
    past_forum(status=Forum.Status.DRAFT)  # nobody but staff knows of it
    ForumFactory()  # upcoming
    placed(org, 3)
    placed(org, 4)
    placed(org, 0)
    placed(org, 50, shared_with=[gone])  # for chosen organizations: told to nobody
    placed(gone, 20)  # an inactive organization's post is hidden everywhere

    shown = figures(home_html())

    assert shown == {
        "organizations": (2, "member organizations"),
        "forums-held": (2, "forums held"),
        "people-placed": (7, "people hired, trained or enrolled through asks and offers"),
    }


def test_one_of_each_is_said_in_the_singular():
    org = OrganizationFactory()
    past_forum()
    placed(org, 1)

    assert figures(home_html()) == {
        "organizations": (1, "member organization"),
        "forums-held": (1, "forum held"),
        "people-placed": (1, "person hired, trained or enrolled through asks and offers"),
    }


def test_the_figures_wait_for_something_to_count():
    assert 'id="figures-title"' not in home_html()


def test_the_cached_home_page_renews_its_figures_when_they_change():
    org = OrganizationFactory()
    assert figures(home_html())["people-placed"][0] == 0
    assert figures(home_html())["organizations"][0] == 1  # from the cache

    placed(org, 5)
    past_forum()
    OrganizationFactory()

    assert figures(home_html()) == {
        "organizations": (2, "member organizations"),
        "forums-held": (1, "forum held"),
        "people-placed": (5, "people hired, trained or enrolled through asks and offers"),
    }


# --- Images on cards ----------------------------------------------------------------


def test_news_cards_show_the_hero_image_decoratively_with_its_size(media):
    with_hero(NewsPostFactory(title="With a picture"))
    NewsPostFactory(title="Without a picture")

    for html in (
        section(home_html(), "news-title"),
        Client().get(reverse("news:list")).content.decode(),
    ):
        cards = re.findall(r'<(?:li|article) class="card[^"]*".*?</(?:li|article)>', html, re.S)
        with_picture = next(card for card in cards if "With a picture" in card)
        without = next(card for card in cards if "Without a picture" in card)
        # The card's title names the post: the image adds nothing to hear.
        assert re.search(
            r'<img [^>]*width="480" height="270" alt=""[^>]*loading="lazy"', with_picture
        ), with_picture
        assert "<img" not in without and "<picture" not in without
        assert "card-with-image" not in without


def test_directory_cards_show_the_logo_beside_the_name_decoratively(media, client):
    org = with_logo(OrganizationFactory(name="Logo Works"))
    client.force_login(member_of(org))

    html = client.get(reverse("circle:directory")).content.decode()

    logo = re.search(r'<img [^>]*class="directory-logo"[^>]*>', html)
    assert logo, html
    assert 'alt=""' in logo.group(0) and 'width="56"' in logo.group(0)
    assert 'loading="lazy"' in logo.group(0)


# --- A fixed number of queries -------------------------------------------------------


def queries_on_home() -> int:
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(reverse("home"))
    assert response.status_code == 200
    return len(queries)


def add_content(count: int) -> None:
    for _ in range(count):
        org = with_logo(OrganizationFactory())
        OrganizationFactory()
        with_hero(NewsPostFactory())
        past_forum()
        ForumFactory()
        placed(org, 2)


def test_the_home_page_takes_the_same_queries_small_or_large(media, settings):
    settings.PAGE_CACHE_SECONDS = 0  # count the page being built, not a cache hit
    add_content(2)
    small = queries_on_home()
    add_content(20)
    assert queries_on_home() == small


# --- In a browser --------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_home_page_with_images_has_no_accessibility_violation_nor_sideways_scroll(
    browser, live_server, axe, media
):
    for number in range(6):
        org = OrganizationFactory(name=f"Member organization with a long name {number}")
        if number % 2:
            with_logo(org, circle_demo.LOGO_COLOURS[number % len(circle_demo.LOGO_COLOURS)])
        placed(org, number)
    for number in range(3):
        with_hero(NewsPostFactory(title=f"News with a picture {number}"), number)
    NewsPostFactory(title="News without a picture")
    past_forum()

    problems = []
    for language, viewport in (("en", "desktop"), ("es", "phone")):
        context = page_context(browser, live_server, language, viewport)
        page = context.new_page()
        try:
            page.goto(live_server.url + reverse("home"))
            for image in page.locator("img").all():
                image.scroll_into_view_if_needed()
            where = f"home ({language}, {VIEWPORTS[viewport]['width']} px)"
            violations = axe.run(page).response["violations"]
            problems += [f"{where}: {v['id']} ({v['impact']})" for v in violations]
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > VIEWPORTS[viewport]["width"]:
                problems.append(f"{where}: scrolls sideways ({wide} px)")
            broken = page.evaluate(
                "[...document.images].filter(i => i.complete && !i.naturalWidth).length"
            )
            if broken:
                problems.append(f"{where}: {broken} broken images")
        finally:
            context.close()
    assert not problems, "\n".join(problems)
