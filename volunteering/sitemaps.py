"""Published volunteer opportunities, for search engines."""

from __future__ import annotations

from django.db.models import QuerySet

from justop.sitemaps import SiteSitemap
from volunteering.models import Opportunity


class OpportunitySitemap(SiteSitemap[Opportunity]):
    changefreq = "weekly"
    priority = 0.5

    def items(self) -> QuerySet[Opportunity]:
        return Opportunity.objects.published().order_by("pk")
