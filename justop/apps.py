from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JustopConfig(AppConfig):
    name = "justop"
    verbose_name = "JUST Opportunity Portal"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from justop import demo
        from justop.middleware import start_session_clock
        from justop.registry import DemoSeeder, register_demo_seeder

        register_demo_seeder(DemoSeeder("people", demo.seed_people, order=0))
        user_logged_in.connect(start_session_clock, dispatch_uid="justop.session_clock")

        from celery.schedules import crontab

        from justop.celery import register_beat

        register_beat(
            "clear-expired-sessions",
            "justop.tasks.clear_expired_sessions",
            crontab(hour=3, minute=17),
        )
        # Re-enqueues email whose send task was lost (broker restart, dead worker).
        register_beat("sweep-outbox", "justop.tasks.sweep_outbox", 60.0)
        register_beat("purge-outbox", "justop.tasks.purge_outbox", crontab(hour=3, minute=37))

        from justop import pagecache
        from justop.models import OutboxEmail, Suppression

        pagecache.ignore(OutboxEmail, Suppression)

        from justop import files

        # Every model's file fields, found by type: justop imports no feature app.
        files.watch()

        from justop import staff_pages
        from justop.registry import (
            PersonPanel,
            StaffDashboardPanel,
            register_person_panel,
            register_staff_dashboard_panel,
        )

        register_staff_dashboard_panel(
            StaffDashboardPanel("email", _("Email"), staff_pages.outbox_figures, order=90)
        )
        register_staff_dashboard_panel(
            StaffDashboardPanel(
                "spanish", _("Spanish versions"), staff_pages.spanish_figures, order=85
            )
        )
        register_person_panel(
            PersonPanel("email", _("Emails sent to them"), staff_pages.person_emails, order=90)
        )
