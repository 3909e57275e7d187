"""RSS 2.0 and Atom feeds of the news, all of it or one category."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _

from justop.images import renditions
from justop.languages import of_this_language
from justop.outbox import absolute
from justop.syndication import FEED_CACHE_CONTROL, conditional
from news.models import NewsPost

ITEMS = 20


class NewsFeed(Feed):  # type: ignore[type-arg]
    """Every address in a feed (links, GUIDs, the feed's own) is built on
    SITE_URL: Django's Feed would use the request's Host, so a feed fetched
    through another name would give posts other GUIDs (readers show them
    again as new).

    The feed is in the language of the request (`?lang=es`: justop/languages.py),
    posts' titles and summaries included where they have a Spanish version,
    and a Spanish feed's links keep ?lang=es."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def __call__(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = FEED_CACHE_CONTROL
        return conditional(request, response)

    def get_object(self, request: HttpRequest, category: str | None = None) -> str | None:
        if category is not None and category not in NewsPost.Category.values:
            raise Http404
        return category

    def title(self, category: str | None) -> str:
        if category:
            label = NewsPost.Category(category).label
            return _("%(category)s · PSE news") % {"category": label}
        return _("PSE news")

    def link(self, category: str | None) -> str:
        if category:
            return of_this_language(absolute(reverse("news:category", args=[category])))
        return of_this_language(absolute(reverse("news:list")))

    def feed_url(self, category: str | None) -> str:
        name = "news:category_feed_" if category else "news:feed_"
        name += "atom" if self.feed_type is Atom1Feed else "rss"
        return of_this_language(absolute(reverse(name, args=[category] if category else [])))

    def description(self, category: str | None) -> str:
        return _(
            "The latest news on PSE happenings, volunteer opportunities, advocacy and other "
            "ways to get involved."
        )

    def items(self, category: str | None) -> QuerySet[NewsPost]:
        posts = NewsPost.objects.published().select_related("author")
        if category:
            posts = posts.filter(category=category)
        return posts[:ITEMS]

    def item_link(self, item: NewsPost) -> str:
        return of_this_language(absolute(item.get_absolute_url()))

    def item_enclosures(self, item: NewsPost) -> list[Enclosure]:
        """The hero image's largest JPEG or PNG rendition (RSS allows one)."""
        image = item.hero_image
        if not image:
            return []
        found = renditions(image.name or "")
        name = found[-1].fallback if found else (image.name or "")
        try:
            length = image.storage.size(name)
        except OSError:  # a missing file: no enclosure rather than a broken one
            return []
        kind = "image/png" if name.lower().endswith(".png") else "image/jpeg"
        return [Enclosure(absolute(str(image.storage.url(name))), str(length), kind)]

    def item_title(self, item: NewsPost) -> str:
        return item.title

    def item_description(self, item: NewsPost) -> str:
        return item.summary

    def item_pubdate(self, item: NewsPost) -> datetime:
        return item.publish_at

    def item_updateddate(self, item: NewsPost) -> datetime:
        return max(item.updated_at, item.publish_at)

    def item_categories(self, item: NewsPost) -> list[str]:
        return [str(item.get_category_display())]

    def item_author_name(self, item: NewsPost) -> str:
        return item.author.get_full_name() if item.author else settings.SITE_NAME


class AtomNewsFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description
