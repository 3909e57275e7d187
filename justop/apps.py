from django.apps import AppConfig


class JustopConfig(AppConfig):
    name = "justop"
    verbose_name = "JUST Opportunity Portal"
