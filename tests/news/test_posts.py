"""News posts: safe Markdown, who sees what and when, pages, feeds, the hero
image upload in the admin, scheduling, the home page, the digest and demo data."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import feedparser
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from justop.digests import Period, items_for
from justop.markdown import render
from justop.registry import digest_sections
from news import sections
from news.models import NewsPost
from tests.factories import StaffFactory, sign_in_with_second_factor
from tests.forms import news_post_data

pytestmark = pytest.mark.django_db

C = NewsPost.Category

DANGEROUS_BODY = (
    "Hello **world**.\n\n"
    '<script>alert("xss-script")</script>\n\n'
    '<img src="x.png" onerror="alert(\'xss-onerror\')">\n\n'
    "<p onclick=\"alert('xss-onclick')\">Click me</p>\n\n"
    "[bad link](javascript:alert(document.cookie))\n\n"
    '<a href="javascript:alert(document.domain)">raw bad link</a>\n\n'
    '<iframe src="https://evil.example/xss-iframe"></iframe>\n\n'
    '<p style="color: red; background: url(xss-style)">Styled</p>\n'
)


def make_post(
    title: str = "A post",
    *,
    category: str = C.HAPPENINGS,
    status: str = NewsPost.Status.PUBLISHED,
    publish_at=None,
    body: str = "Some **news**.",
    summary: str | None = None,
    slug: str | None = None,
) -> NewsPost:
    return NewsPost.objects.create(
        title=title,
        slug=slug or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
        summary=summary if summary is not None else f"Summary of {title}.",
        body=body,
        category=category,
        status=status,
        publish_at=publish_at or timezone.now() - timedelta(hours=1),
    )


def png_bytes(size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def assert_no_dangerous_parts(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "xss-script" not in lowered
    assert "onerror" not in lowered
    assert "onclick" not in lowered
    assert "javascript:" not in lowered
    assert "<iframe" not in lowered
    assert "xss-iframe" not in lowered
    assert "xss-style" not in lowered
    assert "style=" not in lowered


@pytest.fixture
def hidden_posts():
    """A draft and a scheduled post, each with a unique marker title."""
    draft = make_post(
        "Secret draft zebra", status=NewsPost.Status.DRAFT, category=C.ADVOCACY, slug="secret-draft"
    )
    scheduled = make_post(
        "Scheduled future walrus",
        category=C.ADVOCACY,
        publish_at=timezone.now() + timedelta(days=2),
        slug="scheduled-future",
    )
    return draft, scheduled


# --- Sanitising -----------------------------------------------------------


def test_rendering_strips_scripts_event_handlers_javascript_links_iframes_and_styles():
    html = str(render(DANGEROUS_BODY))
    assert_no_dangerous_parts(html)
    assert "<strong>world</strong>" in html


def test_rendering_drops_links_to_data_and_mixed_case_javascript_urls():
    html = str(
        render(
            '<a href="JaVaScRiPt:alert(1)">one</a> '
            '<a href="data:text/html;base64,PHNjcmlwdD4=">two</a> '
            "[three](vbscript:msgbox(1))"
        )
    )
    lowered = html.lower()
    assert "javascript:" not in lowered
    assert "data:" not in lowered
    assert "vbscript:" not in lowered


def test_rendering_keeps_normal_markdown():
    body = (
        "## Section\n\n### Subsection\n\n"
        "Some **bold** and *italic* text.\n\n"
        "- one\n- two\n\n"
        "1. first\n2. second\n\n"
        "[a link](https://example.org/page)\n"
    )
    html = str(render(body))
    assert "<h2>Section</h2>" in html
    assert "<h3>Subsection</h3>" in html
    assert "<strong>bold</strong>" in html
    assert "<em>italic</em>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<ol>" in html and "<li>first</li>" in html
    assert 'href="https://example.org/page"' in html


def test_rendered_links_get_noopener_noreferrer_nofollow():
    html = str(render("[site](https://example.org/) and <mailto:someone@example.org>"))
    links = re.findall(r"<a [^>]*>", html)
    assert len(links) == 2
    for link in links:
        assert 'rel="noopener noreferrer nofollow"' in link


def test_the_detail_page_shows_no_dangerous_part_of_the_body(client):
    post = make_post("Dangerous body", body=DANGEROUS_BODY)
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>world</strong>" in html
    assert "xss-script" not in html
    assert "xss-onerror" not in html
    assert "xss-onclick" not in html
    assert "javascript:" not in html.lower()
    assert "document.cookie" not in html
    assert "document.domain" not in html
    assert "xss-iframe" not in html
    assert "xss-style" not in html
    assert "<iframe" not in html.lower()


def test_html_in_a_title_is_escaped_on_the_detail_page(client):
    post = make_post("<script>alert('xss-title')</script>", slug="script-title")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<script>alert('xss-title')" not in html
    assert "&lt;script&gt;" in html


# --- Visibility -----------------------------------------------------------


def test_drafts_and_scheduled_posts_are_absent_from_the_list(client, hidden_posts):
    make_post("Visible otter", category=C.ADVOCACY)
    html = client.get(reverse("news:list")).content.decode()
    assert "Visible otter" in html
    assert "zebra" not in html
    assert "walrus" not in html


def test_drafts_and_scheduled_posts_are_absent_from_the_category_page(client, hidden_posts):
    make_post("Visible otter", category=C.ADVOCACY)
    html = client.get(reverse("news:category", args=[C.ADVOCACY])).content.decode()
    assert "Visible otter" in html
    assert "zebra" not in html
    assert "walrus" not in html


def test_drafts_and_scheduled_posts_have_no_detail_page(client, hidden_posts):
    for post in hidden_posts:
        assert client.get(post.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        reverse("news:feed_rss"),
        reverse("news:feed_atom"),
        reverse("news:category_feed_rss", args=[C.ADVOCACY]),
        reverse("news:category_feed_atom", args=[C.ADVOCACY]),
    ],
)
def test_drafts_and_scheduled_posts_are_absent_from_the_feeds(client, hidden_posts, url):
    make_post("Visible otter", category=C.ADVOCACY)
    content = client.get(url).content.decode()
    assert "Visible otter" in content
    assert "zebra" not in content
    assert "walrus" not in content
    assert "secret-draft" not in content
    assert "scheduled-future" not in content


def test_drafts_and_scheduled_posts_are_absent_from_the_home_page(client, hidden_posts):
    make_post("Visible otter")
    html = client.get(reverse("home")).content.decode()
    assert "Visible otter" in html
    assert "zebra" not in html
    assert "walrus" not in html


def test_a_scheduled_post_appears_everywhere_once_its_time_has_passed(client, hidden_posts):
    _, scheduled = hidden_posts
    NewsPost.objects.filter(pk=scheduled.pk).update(
        publish_at=timezone.now() - timedelta(minutes=1)
    )
    assert client.get(scheduled.get_absolute_url()).status_code == 200
    assert "walrus" in client.get(reverse("news:list")).content.decode()
    assert "walrus" in client.get(reverse("news:category", args=[C.ADVOCACY])).content.decode()
    assert "walrus" in client.get(reverse("news:feed_rss")).content.decode()
    assert "walrus" in client.get(reverse("news:feed_atom")).content.decode()
    assert "walrus" in client.get(reverse("home")).content.decode()
    # The draft stays hidden whatever its time.
    assert "zebra" not in client.get(reverse("news:list")).content.decode()


def test_staff_see_a_draft_through_the_admin_preview(client, hidden_posts):
    sign_in_with_second_factor(client, StaffFactory())
    for post in hidden_posts:
        response = client.get(reverse("admin:news_post_preview", args=[post.pk]))
        assert response.status_code == 200
        assert post.title in response.content.decode()
        assert "Preview" in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_admin_login_from_the_preview(client, hidden_posts):
    draft, _ = hidden_posts
    response = client.get(reverse("admin:news_post_preview", args=[draft.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_permission_on_posts_cannot_preview_a_draft(client, hidden_posts):
    sign_in_with_second_factor(client, StaffFactory(is_superuser=False))
    draft, _ = hidden_posts
    response = client.get(reverse("admin:news_post_preview", args=[draft.pk]))
    assert response.status_code == 403
    assert "zebra" not in response.content.decode()


def test_a_member_without_staff_rights_cannot_preview_a_draft(client, user, hidden_posts):
    draft, _ = hidden_posts
    client.force_login(user)
    response = client.get(reverse("admin:news_post_preview", args=[draft.pk]))
    assert response.status_code == 302
    assert "zebra" not in response.content.decode()


# --- List -------------------------------------------------------------------


def test_the_category_page_shows_only_that_category(client):
    make_post("Advocacy badger", category=C.ADVOCACY)
    make_post("Volunteer heron", category=C.VOLUNTEER)
    make_post("Involved lynx", category=C.GET_INVOLVED)
    response = client.get(reverse("news:category", args=[C.VOLUNTEER]))
    assert response.status_code == 200
    assert [p.title for p in response.context["page"].object_list] == ["Volunteer heron"]
    html = response.content.decode()
    assert "badger" not in html
    assert "lynx" not in html


def test_an_unknown_category_is_404(client):
    assert client.get(reverse("news:category", args=["gossip"])).status_code == 404


def test_the_list_shows_10_posts_a_page_newest_first(client):
    now = timezone.now()
    for i in range(23):
        make_post(f"Post number {i:02d}", publish_at=now - timedelta(days=i + 1))
    first = client.get(reverse("news:list"))
    titles = [p.title for p in first.context["page"].object_list]
    assert titles == [f"Post number {i:02d}" for i in range(10)]
    assert 'rel="next"' in first.content.decode()
    third = client.get(reverse("news:list"), {"page": 3})
    assert [p.title for p in third.context["page"].object_list] == [
        f"Post number {i:02d}" for i in range(20, 23)
    ]
    assert 'rel="next"' not in third.content.decode()
    # A page beyond the end or nonsense shows a real page, not an error.
    assert client.get(reverse("news:list"), {"page": 99}).status_code == 200
    assert client.get(reverse("news:list"), {"page": "abc"}).status_code == 200


def test_the_list_page_makes_the_same_number_of_queries_with_5_and_30_posts(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the page as built, not as the page cache serves it
    now = timezone.now()
    for i in range(5):
        make_post(f"Early {i}", publish_at=now - timedelta(days=i + 1), category=C.ADVOCACY)
    client.get(reverse("news:list"))  # warm up whatever is cached once
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("news:list")).status_code == 200
    for i in range(25):
        make_post(f"Late {i}", publish_at=now - timedelta(days=i + 10), category=C.VOLUNTEER)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("news:list")).status_code == 200
    assert len(many) == len(few)


# --- Detail -----------------------------------------------------------------


def test_the_detail_page_has_opengraph_and_twitter_tags(client, settings):
    settings.SITE_URL = "https://portal.example.org"
    post = make_post("Transit is a jobs issue", summary="Buses to job centers.")
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Transit is a jobs issue">' in html
    assert '<meta property="og:description" content="Buses to job centers.">' in html
    assert (
        f'<meta property="og:url" content="https://portal.example.org{post.get_absolute_url()}">'
        in html
    )
    assert '<meta name="twitter:card" content="summary">' in html


def test_the_detail_page_lists_related_published_posts_of_the_same_category(client):
    post = make_post("Main heron", category=C.VOLUNTEER)
    sibling = make_post("Sibling crane", category=C.VOLUNTEER)
    make_post("Other category owl", category=C.ADVOCACY)
    make_post("Draft sibling stork", category=C.VOLUNTEER, status=NewsPost.Status.DRAFT)
    make_post(
        "Future sibling ibis",
        category=C.VOLUNTEER,
        publish_at=timezone.now() + timedelta(days=1),
    )
    response = client.get(post.get_absolute_url())
    assert [p.pk for p in response.context["related"]] == [sibling.pk]
    html = response.content.decode()
    assert "Sibling crane" in html
    assert "owl" not in html
    assert "stork" not in html
    assert "ibis" not in html


# --- Feeds ------------------------------------------------------------------


@pytest.fixture
def feed_posts():
    now = timezone.now()
    return [
        make_post("Oldest advocacy", category=C.ADVOCACY, publish_at=now - timedelta(days=3)),
        make_post("Middle volunteer", category=C.VOLUNTEER, publish_at=now - timedelta(days=2)),
        make_post("Newest advocacy", category=C.ADVOCACY, publish_at=now - timedelta(days=1)),
        make_post("Draft advocacy", category=C.ADVOCACY, status=NewsPost.Status.DRAFT),
        make_post("Future advocacy", category=C.ADVOCACY, publish_at=now + timedelta(days=1)),
    ]


@pytest.mark.parametrize("name", ["news:feed_rss", "news:feed_atom"])
def test_the_feeds_are_valid_and_list_published_posts_newest_first(client, feed_posts, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert [e.title for e in feed.entries] == [
        "Newest advocacy",
        "Middle volunteer",
        "Oldest advocacy",
    ]
    for entry in feed.entries:
        assert entry.link.startswith(("http://", "https://"))
    assert feed.entries[0].link.endswith(reverse("news:post", args=["newest-advocacy"]))


@pytest.mark.parametrize("name", ["news:category_feed_rss", "news:category_feed_atom"])
def test_a_category_feed_lists_only_that_category(client, feed_posts, name):
    response = client.get(reverse(name, args=[C.ADVOCACY]))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert [e.title for e in feed.entries] == ["Newest advocacy", "Oldest advocacy"]
    assert "Advocacy" in feed.feed.title
    for entry in feed.entries:
        assert entry.link.startswith(("http://", "https://"))


@pytest.mark.parametrize("name", ["news:category_feed_rss", "news:category_feed_atom"])
def test_an_unknown_category_feed_is_404(client, name):
    assert client.get(reverse(name, args=["gossip"])).status_code == 404


# --- Hero image in the admin -------------------------------------------------


def form_errors(response) -> dict:
    if response.status_code == 302:
        return {}
    return dict(response.context["adminform"].form.errors)


@pytest.fixture
def staff_client(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sign_in_with_second_factor(client, StaffFactory())
    return client


def test_the_admin_accepts_a_real_png_with_a_description_and_names_it_itself(
    staff_client, tmp_path
):
    image = io.BytesIO(png_bytes())
    image.name = "../../my holiday photo.PNG"
    response = staff_client.post(
        reverse("admin:news_newspost_add"),
        news_post_data(hero_image=image, hero_alt="Volunteers at a table"),
    )
    assert response.status_code == 302, form_errors(response)
    post = NewsPost.objects.get(slug="spring-career-fair")
    name = post.hero_image.name
    assert re.fullmatch(r"news/[0-9a-f]{24}-\d+x\d+\.(jpg|png)", name), name
    assert (tmp_path / "public" / name).exists()
    assert "holiday" not in name
    assert post.hero_alt == "Volunteers at a table"


def test_the_admin_refuses_an_image_without_a_description(staff_client):
    image = io.BytesIO(png_bytes())
    image.name = "photo.png"
    response = staff_client.post(
        reverse("admin:news_newspost_add"), news_post_data(hero_image=image, hero_alt="  ")
    )
    assert response.status_code == 200
    assert "hero_alt_en" in form_errors(response)
    assert not NewsPost.objects.exists()


def test_the_admin_refuses_a_text_file_named_png(staff_client):
    fake = io.BytesIO(b"<script>alert(1)</script> not an image at all")
    fake.name = "photo.png"
    response = staff_client.post(
        reverse("admin:news_newspost_add"), news_post_data(hero_image=fake, hero_alt="A photo")
    )
    assert response.status_code == 200
    assert "hero_image" in form_errors(response)
    assert not NewsPost.objects.exists()


def test_the_detail_page_shows_the_hero_image_with_its_description(staff_client, client, settings):
    settings.SITE_URL = "https://portal.example.org"
    image = io.BytesIO(png_bytes())
    image.name = "photo.png"
    response = staff_client.post(
        reverse("admin:news_newspost_add"),
        news_post_data(hero_image=image, hero_alt="Volunteers at a table"),
    )
    assert response.status_code == 302, form_errors(response)
    post = NewsPost.objects.get()
    staff_client.logout()
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'alt="Volunteers at a table"' in html
    assert 'width="40"' in html and 'height="20"' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'content="https://portal.example.org{post.hero_image.url}"' in html


# --- Scheduling --------------------------------------------------------------


def test_the_publish_now_action_puts_a_draft_on_the_site(client):
    draft = make_post("Draft to publish gecko", status=NewsPost.Status.DRAFT)
    scheduled = make_post(
        "Scheduled to publish newt", publish_at=timezone.now() + timedelta(days=5)
    )
    assert client.get(draft.get_absolute_url()).status_code == 404
    sign_in_with_second_factor(client, StaffFactory())
    response = client.post(
        reverse("admin:news_newspost_changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk, scheduled.pk]},
    )
    assert response.status_code == 302
    client.logout()
    draft.refresh_from_db()
    assert draft.status == NewsPost.Status.PUBLISHED
    assert draft.publish_at <= timezone.now()
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(scheduled.get_absolute_url()).status_code == 200
    html = client.get(reverse("news:list")).content.decode()
    assert "gecko" in html and "newt" in html


# --- Home page and digest ----------------------------------------------------


def test_the_home_page_shows_the_latest_3_published_posts(client):
    now = timezone.now()
    for i, name in enumerate(["alpha", "bravo", "charlie", "delta", "echo"]):
        make_post(f"Home {name}", publish_at=now - timedelta(days=i + 1))
    make_post("Home draft", status=NewsPost.Status.DRAFT)
    response = client.get(reverse("home"))
    html = response.content.decode()
    for name in ["alpha", "bravo", "charlie"]:
        assert f"Home {name}" in html
    for name in ["delta", "echo", "draft"]:
        assert f"Home {name}" not in html
    assert html.index("Home alpha") < html.index("Home bravo") < html.index("Home charlie")


def test_the_home_section_is_left_out_without_published_posts(rf):
    make_post("Only a draft", status=NewsPost.Status.DRAFT)
    assert sections.latest_on_home(rf.get("/")) is None


def test_the_digest_lists_only_posts_published_inside_the_period():
    now = timezone.now()
    period = Period.last_complete("weekly", now)
    make_post("Before the week", publish_at=period.start - timedelta(seconds=1))
    make_post("At the start", publish_at=period.start)
    make_post("In the middle", publish_at=period.start + timedelta(days=3))
    make_post("Draft in the week", status=NewsPost.Status.DRAFT, publish_at=period.start)
    make_post("At the end", publish_at=period.end)
    make_post("This week", publish_at=now - timedelta(seconds=1))
    items = sections.published_in(period)
    assert [item["title"] for item in items] == ["At the start", "In the middle"]
    assert items[0]["url"] == reverse("news:post", args=["at-the-start"])
    assert items[0]["meta"] == str(C.HAPPENINGS.label)


def digest_section(key: str):
    return next(s for s in digest_sections() if s.key == key)


def test_the_digest_gives_every_member_the_same_posts_or_nothing(user):
    period = Period.last_complete("weekly", timezone.now())
    news = digest_section("news")
    assert items_for(news, [user], period) == {}
    make_post("In the week", publish_at=period.start + timedelta(hours=1))
    assert [i["title"] for i in items_for(news, [user], period)[user.pk]] == ["In the week"]


# --- Demo data ---------------------------------------------------------------


def test_seed_demo_creates_a_year_of_posts_in_the_four_categories_and_one_scheduled(client):
    call_command("seed_demo")
    now = timezone.now()
    posts = NewsPost.objects.all()
    assert posts.count() >= 8
    assert set(posts.values_list("category", flat=True)) == set(C.values)
    published = NewsPost.objects.published()
    oldest = published.order_by("publish_at").first().publish_at
    assert now - oldest > timedelta(days=300)
    assert now - oldest < timedelta(days=400)
    scheduled = posts.filter(status=NewsPost.Status.PUBLISHED, publish_at__gt=now)
    assert scheduled.count() == 1
    assert client.get(scheduled.get().get_absolute_url()).status_code == 404
    assert scheduled.get().title not in client.get(reverse("news:list")).content.decode()
    assert scheduled.get().title not in client.get(reverse("news:feed_rss")).content.decode()


def test_seed_demo_twice_creates_no_duplicate_posts():
    call_command("seed_demo")
    first = sorted(NewsPost.objects.values_list("slug", flat=True))
    call_command("seed_demo")
    assert sorted(NewsPost.objects.values_list("slug", flat=True)) == first
