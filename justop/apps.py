from django.apps import AppConfig


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

        from justop import pagecache
        from justop.models import OutboxEmail, Suppression

        pagecache.ignore(OutboxEmail, Suppression)

        from justop import files

        # Every model's file fields, found by type: justop imports no feature app.
        files.watch()
