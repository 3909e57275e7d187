"""The demo's images display in a real browser: after seed_demo, every image
of an organization's page, of the member directory and of a news post has
loaded (naturalWidth > 0), from the WebP rendition Chromium prefers.

Django's live server answers MEDIA_URL itself, from MEDIA_ROOT; that is
turned off here, so the images come from what the portal serves under
/media/, as under `make run`."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from circle.models import Organization, User
from justop.demo import MEMBER_EMAIL
from news.models import NewsPost
from tests.browsing import signed_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every <img> of the page once each has been scrolled to (lazy ones load
# then): where it comes from, the source chosen, its natural width.
IMAGES = """() => [...document.images].map(img => ({
  src: img.getAttribute("src"), chosen: img.currentSrc, complete: img.complete,
  width: img.naturalWidth,
}))"""


def loaded_images(page: Any, url: str) -> list[dict[str, Any]]:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    for image in page.locator("img").all():
        image.scroll_into_view_if_needed()
        image.evaluate(
            "img => img.complete || new Promise(done => {"
            " img.addEventListener('load', done); img.addEventListener('error', done); })"
        )
    return list(page.evaluate(IMAGES))


@pytest.fixture
def portal_serves_media(monkeypatch):
    from django.test import testcases

    monkeypatch.setattr(testcases._MediaFilesHandler, "_should_handle", lambda self, path: False)


@pytest.fixture
def demo(settings, tmp_path, portal_serves_media):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo")


def test_the_demo_logos_and_hero_images_display(demo, browser, live_server):
    member = User.objects.get(email=MEMBER_EMAIL)
    organization = Organization.objects.active().first()
    post = NewsPost.objects.published().exclude(hero_image="").first()
    assert organization is not None and post is not None
    context = signed_in_context(browser, live_server, member)
    page = context.new_page()
    try:
        pages = {
            "organization": (organization.get_absolute_url(), 1),
            "directory": (reverse("circle:directory"), 12),
            "forums": (reverse("forums:list"), 1),
            "news post": (post.get_absolute_url(), 1),
        }
        for where, (path, at_least) in pages.items():
            found = loaded_images(page, live_server.url + path)
            assert len(found) >= at_least, (where, found)
            broken = [image for image in found if not image["width"]]
            assert not broken, (where, broken)
            # Chromium takes WebP: the <source> of each <picture> was used.
            assert all(image["chosen"].endswith(".webp") for image in found), (where, found)
    finally:
        context.close()
