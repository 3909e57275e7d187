"""A news post as a schema.org NewsArticle, with its breadcrumbs. The post's
OpenGraph and Twitter tags are in templates/news/post_detail.html."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from justop import structured_data as sd
from justop.templatetags.images import share_image_url
from news.models import NewsPost


def article(post: NewsPost) -> dict[str, Any]:
    image = share_image_url(post.hero_image)
    author = (
        {"@type": "Person", "name": post.author.get_full_name()}
        if post.author and post.author.get_full_name()
        else sd.publisher()
    )
    return {
        "@context": sd.CONTEXT,
        "@type": "NewsArticle",
        "headline": post.title,
        "description": post.summary,
        "url": sd.url(post.get_absolute_url()),
        "mainEntityOfPage": sd.url(post.get_absolute_url()),
        "datePublished": sd.when(post.publish_at),
        # A post scheduled ahead was last saved before it went out.
        "dateModified": sd.when(max(post.updated_at, post.publish_at)),
        "articleSection": post.get_category_display(),
        "image": [image] if image else [],
        "author": author,
        "publisher": sd.publisher(),
    }


def breadcrumbs(post: NewsPost) -> dict[str, Any]:
    return sd.breadcrumbs(
        [
            (gettext("News"), reverse("news:list")),
            (post.get_category_display(), reverse("news:category", args=[post.category])),
            (post.title, post.get_absolute_url()),
        ]
    )


def head(post: NewsPost) -> SafeString:
    return sd.json_ld(article(post), breadcrumbs(post))
