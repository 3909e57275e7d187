"""The public profiles of the Circle's active organizations."""

from __future__ import annotations

from django.db.models import QuerySet

from circle.models import Organization
from justop.sitemaps import SiteSitemap


class OrganizationSitemap(SiteSitemap[Organization]):
    changefreq = "monthly"
    priority = 0.5

    def items(self) -> QuerySet[Organization]:
        return Organization.objects.active().order_by("name", "pk")
