"""Public pages served to visitors from the page cache: fresh nonces and
CSRF tokens on every response, a new page as soon as content changes,
conditional GET, and never a visitor's page for someone signed in."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from asks.models import Outcome
from forums import registration
from forums.models import Forum
from justop import pagecache
from news.models import NewsPost
from research.models import Tag
from tests.asks.factories import PostFactory
from tests.factories import (
    MemberFactory,
    OrganizationFactory,
    StaffFactory,
    sign_in_with_second_factor,
)
from tests.forums.factories import ForumFactory
from tests.news.factories import NewsPostFactory
from tests.volunteering.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

NONCE = re.compile(r'nonce="([^"]+)"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def publish(title: str, **kwargs) -> NewsPost:
    return NewsPost.objects.create(
        title=title,
        slug=re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
        summary=f"About {title}.",
        body="Some **news**.",
        status=NewsPost.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(minutes=5),
        **kwargs,
    )


def queries_for(client: Client, path: str, **headers) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    return len(queries), response


def test_a_visitor_gets_the_page_from_the_cache_the_second_time():
    publish("Transit is a jobs issue")
    first_queries, first = queries_for(Client(), reverse("news:list"))
    again_queries, again = queries_for(Client(), reverse("news:list"))

    assert first.status_code == again.status_code == 200
    assert first_queries > 0
    assert again_queries == 0
    assert "Transit is a jobs issue" in again.content.decode()


def test_every_response_has_its_own_nonce_matching_its_policy():
    responses = [Client().get("/") for _ in range(3)]
    nonces = []
    for response in responses:
        found = set(NONCE.findall(response.content.decode()))
        assert len(found) == 1
        (nonce,) = found
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.append(nonce)
    assert len(set(nonces)) == 3


def test_a_form_on_a_cached_page_works_with_the_visitors_own_csrf_cookie():
    Client().get("/")  # someone else's visit fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/")
    token = TOKEN.search(page.content.decode()).group(1)

    response = visitor.post(
        reverse("set_language"), {"language": "es", "next": "/", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert visitor.get("/").headers["Content-Language"] == "es"


def test_two_visitors_never_share_a_csrf_token():
    pages = [Client().get("/").content.decode() for _ in range(2)]
    tokens = [set(TOKEN.findall(page)) for page in pages]
    assert tokens[0] and tokens[1]
    assert not tokens[0] & tokens[1]


def test_a_published_post_shows_on_the_cached_home_and_list_at_once():
    publish("First post")
    for path in ("/", reverse("news:list")):
        assert "Second post" not in Client().get(path).content.decode()

    publish("Second post")

    for path in ("/", reverse("news:list")):
        assert "Second post" in Client().get(path).content.decode(), path


def test_publishing_from_the_admin_list_shows_the_post_to_visitors(client):
    post = publish("Draft news")
    NewsPost.objects.filter(pk=post.pk).update(status=NewsPost.Status.DRAFT)
    pagecache.content_changed("news")
    assert "Draft news" not in Client().get(reverse("news:list")).content.decode()
    sign_in_with_second_factor(client, StaffFactory())

    response = client.post(
        reverse("admin:news_newspost_changelist"),
        {"action": "publish_now", "_selected_action": [post.pk]},
    )

    assert response.status_code == 302
    assert "Draft news" in Client().get(reverse("news:list")).content.decode()


def test_a_registration_updates_the_places_left_on_the_cached_forum_page():
    forum = ForumFactory(title="Transit and jobs", capacity=2)
    assert "2 places left of 2" in Client().get(forum.get_absolute_url()).content.decode()

    registration.register_guest(
        forum, name="Ana Lima", email_address="ana@example.org", language="en"
    )

    assert "1 place left of 2" in Client().get(forum.get_absolute_url()).content.decode()


# A row of a model each app watches (in its AppConfig.ready()), and the kind
# of content its pages show.
WATCHED_ROWS = {
    "asks": ("outcomes", lambda: Outcome.objects.create(post=PostFactory(), people_placed=2)),
    "circle": ("organizations", OrganizationFactory),
    "forums": ("forums", ForumFactory),
    "news": ("news", NewsPostFactory),
    "research": ("research", lambda: Tag.objects.create(name="Transit", slug="transit")),
    "volunteering": ("volunteering", OpportunityFactory),
}


def test_every_app_that_watches_models_is_tried_below():
    watching = {m._meta.app_label for m, w in pagecache.watched().items() if w.kind is not None}
    assert watching == set(WATCHED_ROWS)


@pytest.mark.parametrize("app_label", sorted(WATCHED_ROWS))
def test_saving_or_deleting_a_watched_row_renews_the_pages_of_its_kind(app_label):
    kind, create = WATCHED_ROWS[app_label]
    before = pagecache.current_version([kind])
    row = create()
    saved = pagecache.current_version([kind])
    row.delete()

    assert saved != before
    assert pagecache.current_version([kind]) != saved


def test_a_signed_in_member_never_gets_the_visitors_page(client):
    ForumFactory(title="Members convening", audience=Forum.Audience.MEMBERS)
    ForumFactory(title="Open forum")
    visitor_page = Client().get(reverse("forums:list")).content.decode()
    assert "Open forum" in visitor_page
    assert "Members convening" not in visitor_page

    client.force_login(MemberFactory())
    member_page = client.get(reverse("forums:list")).content.decode()

    assert "Members convening" in member_page


def test_an_unchanged_page_answers_304_to_a_browser_that_has_it():
    visitor = Client()
    first = visitor.get(reverse("news:list"))
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert "no-cache" in first["Cache-Control"]

    again = visitor.get(reverse("news:list"), headers={"if-none-match": etag})

    assert again.status_code == 304
    assert again.content == b""
    # The browser keeps its page and that page's nonce: no new policy.
    assert "Content-Security-Policy" not in again


def test_a_changed_page_answers_200_to_the_same_etag():
    visitor = Client()
    etag = visitor.get(reverse("news:list"))["ETag"]

    publish("Something new")
    again = visitor.get(reverse("news:list"), headers={"if-none-match": etag})

    assert again.status_code == 200
    assert "Something new" in again.content.decode()


def test_a_copy_whose_csrf_tokens_belong_to_an_older_cookie_is_sent_again():
    visitor = Client()
    etag = visitor.get("/")["ETag"]
    visitor.cookies.pop("csrftoken")  # a new cookie, as after signing in and out

    again = visitor.get("/", headers={"if-none-match": etag})

    assert again.status_code == 200


def test_each_language_has_its_own_copy():
    english = Client().get("/", headers={"accept-language": "en"})
    spanish = Client().get("/", headers={"accept-language": "es"})
    english_again = Client().get("/", headers={"accept-language": "en"})

    assert spanish["Content-Language"] == "es"
    assert english_again["Content-Language"] == "en"
    assert '<html lang="en">' in english_again.content.decode()
    assert '<html lang="es">' in spanish.content.decode()
    assert english["ETag"] != spanish["ETag"]


def test_htmx_fragments_and_full_pages_are_kept_apart():
    full = Client().get(reverse("forums:list"))
    fragment = Client().get(reverse("forums:list"), headers={"hx-request": "true"})
    full_again = Client().get(reverse("forums:list"))

    assert b"<html" in full.content
    assert b"<html" not in fragment.content
    assert b"<html" in full_again.content


def test_a_visitor_with_a_session_is_not_served_from_the_cache():
    Client().get(reverse("news:list"))
    visitor = Client()
    visitor.cookies["sessionid"] = "anything"

    queries, response = queries_for(visitor, reverse("news:list"))

    assert response.status_code == 200
    assert queries > 0


def test_the_page_is_built_when_the_cache_is_down(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", broken)
    publish("Still here")

    response = Client().get(reverse("news:list"))

    assert response.status_code == 200
    assert "Still here" in response.content.decode()


def test_a_lost_version_never_brings_back_an_old_page():
    publish("Old post")
    Client().get(reverse("news:list"))
    cache.delete(pagecache.VERSION_KEY + "news")
    pagecache.forget_local()  # as a process that never read the version
    NewsPost.objects.update(title="Renamed post")  # a bulk change with no signal

    # With no version stored a new one is drawn: the old entry cannot match.
    assert "Renamed post" in Client().get(reverse("news:list")).content.decode()


def test_a_change_made_by_another_process_shows_within_a_second(monkeypatch):
    publish("Old post")
    Client().get(reverse("news:list"))
    NewsPost.objects.update(title="Renamed post")  # no signal in this process...
    cache.set(
        pagecache.VERSION_KEY + "news", "drawn-by-a-worker", None
    )  # ...its bump came from elsewhere

    assert "Renamed post" not in Client().get(reverse("news:list")).content.decode()

    later = time.monotonic() + pagecache.LOCAL_SECONDS + 0.1
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: later)
    assert "Renamed post" in Client().get(reverse("news:list")).content.decode()


def test_the_cache_can_be_turned_off(settings):
    settings.PAGE_CACHE_SECONDS = 0
    Client().get(reverse("news:list"))

    queries, response = queries_for(Client(), reverse("news:list"))

    assert queries > 0
    assert "ETag" not in response
