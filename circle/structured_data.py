"""An organization's page as a schema.org Organization, with breadcrumbs and
share tags. Only what the page shows a visitor: name, mission, website,
logo and counties served (the people and contacts are for members)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.safestring import SafeString
from django.utils.text import Truncator

from circle.models import County, Organization
from justop import structured_data as sd
from justop.templatetags.images import share_image_url


def organization(org: Organization, counties: Iterable[County]) -> dict[str, Any]:
    return {
        "@context": sd.CONTEXT,
        "@type": "Organization",
        "name": org.name,
        "url": sd.url(org.get_absolute_url()),
        "sameAs": [org.website] if org.website else [],
        "logo": share_image_url(org.logo),
        "description": org.mission,
        "areaServed": [
            {"@type": "AdministrativeArea", "name": f"{county.name} County, Georgia"}
            for county in counties
        ],
        "memberOf": {"@type": "Organization", "name": sd.circle()["name"], "url": sd.url("/")},
    }


def head(org: Organization, counties: Iterable[County]) -> SafeString:
    path = org.get_absolute_url()
    return SafeString(
        sd.canonical(path)
        + "\n"
        + sd.share_tags(
            kind="website",
            title=org.name,
            description=Truncator(org.mission).words(30),
            path=path,
            image=share_image_url(org.logo),
            image_alt=org.name,
        )
        + "\n"
        + sd.json_ld(organization(org, counties), sd.breadcrumbs([(org.name, path)]))
    )
