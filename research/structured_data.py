"""A research resource as schema.org data (Report, ScholarlyArticle, Dataset,
...) with breadcrumbs, share tags and Highwire ``citation_*`` tags, which
Zotero and Google Scholar read.

The file's address (contentUrl, citation_pdf_url) and the cover are named
only for a public resource: those of members-only resources answer a
visitor with the sign-in page, and no index should keep them.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext

from justop import documents
from justop import structured_data as sd
from research.citations import people
from research.models import Resource

KIND_TYPES = {
    Resource.Kind.REPORT: "Report",
    Resource.Kind.BRIEF: "Report",
    Resource.Kind.DATASET: "Dataset",
    Resource.Kind.ARTICLE: "ScholarlyArticle",
    Resource.Kind.PRESENTATION: "PresentationDigitalDocument",
    Resource.Kind.TOOLKIT: "CreativeWork",
}


def schema_type(resource: Resource) -> str:
    return KIND_TYPES.get(Resource.Kind(resource.kind), "CreativeWork")


def file_url(resource: Resource) -> str:
    """The file's absolute address, for a public resource with a file only."""
    if not (resource.file and resource.is_public):
        return ""
    return sd.url(reverse("research:download", args=[resource.slug]))


def cover_url(resource: Resource) -> str:
    if not (resource.cover and resource.is_public):
        return ""
    return sd.url(reverse("research:cover", args=[resource.slug]))


def _publishers(resource: Resource) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [sd.convener()] if resource.by_pse else []
    found += [
        {"@type": "Organization", "name": org.name, "url": sd.url(org.get_absolute_url())}
        for org in resource.organizations.all()
        if org.status == org.Status.ACTIVE
    ]
    return found


def creative_work(resource: Resource) -> dict[str, Any]:
    kind = schema_type(resource)
    publishers = _publishers(resource)
    authors = [{"@type": "Person", "name": name} for name in people(resource.authors)]
    data: dict[str, Any] = {
        "@context": sd.CONTEXT,
        "@type": kind,
        "name": resource.title,
        "headline": "" if kind == "Dataset" else resource.title[:110],
        "description": resource.abstract,
        "url": sd.url(resource.get_absolute_url()),
        "author": authors or publishers,
        "publisher": publishers,
        "datePublished": sd.when(resource.published_on),
        "inLanguage": resource.language,
        "keywords": [tag.name for tag in resource.tags.all()],
        "about": [topic.name for topic in resource.topics.all()],
        "image": cover_url(resource),
        "isAccessibleForFree": True,
        "sameAs": resource.external_url,
    }
    content = file_url(resource)
    if content:
        media = documents.content_type(resource.file_type)
        if kind == "Dataset":
            data["distribution"] = [
                {"@type": "DataDownload", "contentUrl": content, "encodingFormat": media}
            ]
        else:
            data["encodingFormat"] = media
            data["contentUrl"] = content
    return data


def citation_tags(resource: Resource) -> SafeString:
    """Highwire Press tags, one citation_author per person."""
    tags = [("name", "citation_title", resource.own_title)]
    tags += [("name", "citation_author", name) for name in people(resource.authors)]
    tags += [
        ("name", "citation_publication_date", resource.published_on.strftime("%Y/%m/%d")),
        ("name", "citation_publisher", "; ".join(p["name"] for p in _publishers(resource))),
        ("name", "citation_language", resource.language),
        ("name", "citation_abstract_html_url", sd.url(resource.get_absolute_url())),
    ]
    if resource.file_type == Resource.FileType.PDF:
        tags.append(("name", "citation_pdf_url", file_url(resource)))
    return sd.meta_tags(tags)


def breadcrumbs(resource: Resource) -> dict[str, Any]:
    return sd.breadcrumbs(
        [
            (gettext("Research library"), reverse("research:library")),
            (resource.title, resource.get_absolute_url()),
        ]
    )


def head(resource: Resource) -> SafeString:
    path = resource.get_absolute_url()
    return SafeString(
        sd.canonical(path)
        + "\n"
        + sd.share_tags(
            kind="article",
            title=resource.title,
            description=Truncator(resource.abstract).words(30),
            path=path,
            image=cover_url(resource),
            image_alt=resource.cover_alt,
        )
        + "\n"
        + citation_tags(resource)
        + "\n"
        + sd.json_ld(creative_work(resource), breadcrumbs(resource))
    )
