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

        from celery.schedules import crontab

        from justop.celery import register_beat

        # Volunteer sign-ups not confirmed within 24 hours free their places.
        register_beat("expire-signups", "volunteering.tasks.expire_signups", crontab(minute="*/15"))
        # The day-before reminder of volunteer shifts (each person once).
        register_beat(
            "shift-reminders", "volunteering.tasks.send_shift_reminders", crontab(minute=10)
        )

        from justop import pagecache
        from volunteering.models import Opportunity, Shift, Signup

        # A sign-up changes the places left that volunteering pages show.
        for model in (Opportunity, Shift, Signup):
            pagecache.watch(model, "volunteering")

        from justop.registry import PersonPanel, register_person_panel
        from volunteering import staff_pages

        register_person_panel(
            PersonPanel(
                "volunteer-signups",
                _("Volunteer sign-ups"),
                staff_pages.person_signups,
                order=30,
            )
        )

        from justop.registry import PersonalData, register_personal_data
        from volunteering import personal_data

        register_personal_data(
            PersonalData("volunteer_signups", _("Volunteer sign-ups"), personal_data.signups, 30)
        )
