"""RSS 2.0 and Atom feeds of the news, all of it or one category."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _

from news.models import NewsPost

ITEMS = 20


class NewsFeed(Feed):  # type: ignore[type-arg]
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

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
            return reverse("news:category", args=[category])
        return reverse("news:list")

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
