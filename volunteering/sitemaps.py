"""Published volunteer opportunities, for search engines."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from volunteering.models import Opportunity


class OpportunitySitemap(Sitemap[Opportunity]):
    changefreq = "weekly"
    priority = 0.5

    def items(self) -> QuerySet[Opportunity]:
        return Opportunity.objects.published()
