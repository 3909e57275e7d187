"""The library's pages: landing, search, topics, a resource, its file."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_safe

from circle.viewers import viewer_of
from justop import documents, images
from justop.listing import render_results
from justop.outbox import absolute
from justop.pagecache import visitor_cache
from research import access, citations, files
from research import search as library
from research.models import Resource, Topic

NEWEST = 6
PER_TOPIC = 3
RELATED = 4


# Publishers are organizations.
LIBRARY_CACHE = visitor_cache(shows=("research", "organizations"))
SEARCH_CACHE = visitor_cache(
    shows=("research", "organizations"), query=(*library.SearchForm.base_fields, "page")
)


@LIBRARY_CACHE
@require_GET
def library_home(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request.user)
    visible = Resource.objects.visible_to(viewer)
    topics = list(Topic.objects.all())
    newest = list(library.listed(visible.order_by("-published_on", "-pk"))[:NEWEST])
    by_topic = {topic.pk: [] for topic in topics}  # type: dict[int, list[Resource]]
    # One query for every topic's newest few: a window over the link table.
    for resource in library.listed(
        visible.filter(topics__isnull=False)
        .annotate(topic_id=F("topics__id"))
        .order_by("-published_on", "-pk")
    )[:200]:
        shelf = by_topic.get(resource.topic_id, [])  # type: ignore[attr-defined]
        if len(shelf) < PER_TOPIC:
            shelf.append(resource)
    return render(
        request,
        "research/library.html",
        {
            "newest": newest,
            "shelves": [(topic, by_topic[topic.pk]) for topic in topics],
            "form": library.SearchForm({}),
        },
    )


@SEARCH_CACHE
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    results = library.search(viewer_of(request.user), request.GET)
    return render_results(
        request,
        "research/search.html",
        page=results.page,
        prefix="research",
        context={"results": results, "form": results.form},
    )


@SEARCH_CACHE
@require_GET
def topic(request: HttpRequest, slug: str) -> HttpResponse:
    chosen = get_object_or_404(Topic, key=slug)
    # The topic is the page's own: a topic in the query string cannot replace it.
    results = library.search(viewer_of(request.user), {**request.GET.dict(), "topic": chosen.key})
    return render(
        request,
        "research/topic.html",
        {"topic": chosen, "page": results.page, "results": results},
    )


@LIBRARY_CACHE
@require_GET
def resource_detail(request: HttpRequest, slug: str) -> HttpResponse:
    resource = access.get_resource_for_viewer(request, slug)
    viewer = viewer_of(request.user)
    topics = list(resource.topics.all())
    # Typed loosely: the type checker loses the link table of a translated
    # model (typeddjango/django-stubs#1023).
    topic_links: Any = Resource.topics.through
    related = list(
        library.listed(
            Resource.objects.visible_to(viewer)
            .filter(pk__in=topic_links.objects.filter(topic__in=topics).values("resource_id"))
            .exclude(pk=resource.pk)
            .order_by("-published_on", "-pk")
        )[:RELATED]
    )
    url = absolute(resource.get_absolute_url())
    response = render(
        request,
        "research/resource.html",
        {
            "resource": resource,
            "topics": topics,
            "tags": list(resource.tags.all()),
            "related": related,
            "apa": citations.apa(resource, url),
            "bibtex": citations.bibtex(resource, url),
        },
    )
    if not resource.is_public:
        patch_cache_control(response, private=True)
    return response


@require_safe
def download(request: HttpRequest, slug: str) -> HttpResponseBase:
    resource = access.get_resource_for_viewer(request, slug)
    if not resource.file:
        raise Http404
    response = files.serve(
        request,
        resource,
        "file",
        documents.download_name(resource.title, resource.file_type, fallback="research"),
        documents.content_type(resource.file_type),
    )
    # A cache's revalidation (304), a HEAD or a resumed download (a range
    # from further on) is no new download. Counted in the database, not
    # read-modify-write: parallel downloads all count.
    if request.method == "GET" and documents.starts_download(request, response):
        Resource.objects.filter(pk=resource.pk).update(download_count=F("download_count") + 1)
    return response


COVER_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}


@require_safe
def cover(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The cover, or with ?size=<width>&format=<ext> one of its renditions:
    only ever a name derived from the resource's own cover, never one taken
    from the request."""
    resource = access.get_resource_for_viewer(request, slug)
    if not resource.cover:
        raise Http404
    name = resource.cover.name or ""
    if "size" in request.GET or "format" in request.GET:
        offered = {
            (str(r.width), n.rsplit(".", 1)[-1]): n
            for r in images.renditions(name)
            for n in (r.webp, r.fallback)
        }
        name = offered.get((request.GET.get("size", ""), request.GET.get("format", ""))) or ""
        if not name:
            raise Http404
        # In memory only, so the rendition goes out the way the cover does.
        resource.cover = name
    extension = name.rsplit(".", 1)[-1]
    if extension not in COVER_TYPES:
        raise Http404
    return files.serve(request, resource, "cover", f"cover.{extension}", COVER_TYPES[extension])
