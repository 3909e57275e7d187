"""The public news pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from justop.pagecache import visitor_cache
from news.access import get_post_for_reader
from news.models import NewsPost

PER_PAGE = 10


def _category(slug: str | None) -> tuple[str, str] | None:
    if slug is None:
        return None
    for value, label in NewsPost.Category.choices:
        if value == slug:
            return value, str(label)
    raise Http404


@visitor_cache(shows=("news", "people"), query=("page",))
def post_list(request: HttpRequest, category: str | None = None) -> HttpResponse:
    chosen = _category(category)
    posts = NewsPost.objects.published()
    if chosen:
        posts = posts.filter(category=chosen[0])
    page = Paginator(posts, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "news/post_list.html",
        {
            "page": page,
            "category": chosen,
            "categories": NewsPost.Category.choices,
        },
    )


@visitor_cache(shows=("news", "people"))
def post_detail(request: HttpRequest, slug: str) -> HttpResponse:
    post = get_post_for_reader(request, slug)
    related = list(
        NewsPost.objects.published().filter(category=post.category).exclude(pk=post.pk)[:3]
    )
    return render(request, "news/post_detail.html", {"post": post, "related": related})
