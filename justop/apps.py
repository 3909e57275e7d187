from django.apps import AppConfig


class JustopConfig(AppConfig):
    name = "justop"
    verbose_name = "JUST Opportunity Portal"

    def ready(self) -> None:
        from justop import demo
        from justop.registry import DemoSeeder, register_demo_seeder

        register_demo_seeder(DemoSeeder("people", demo.seed_people, order=0))
