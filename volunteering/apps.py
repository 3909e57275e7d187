from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "volunteering"
    verbose_name = _("Volunteering")

    def ready(self) -> None:
        from justop.registry import DemoSeeder, register_demo_seeder, register_sitemap
        from volunteering import demo, sitemaps

        register_sitemap("volunteer", sitemaps.OpportunitySitemap)
        register_demo_seeder(DemoSeeder("volunteering", demo.seed_volunteering, order=31))

        from justop import pagecache
        from volunteering.models import Opportunity, Shift, Signup

        # A sign-up changes the places left that volunteering pages show.
        for model in (Opportunity, Shift, Signup):
            pagecache.watch(model, "volunteering")
