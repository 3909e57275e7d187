from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CircleConfig(AppConfig):
    name = "circle"
    verbose_name = _("Circle")

    def ready(self) -> None:
        from circle.digests import STREAM, turn_off_digest
        from justop.registry import MailStream, register_mail_stream

        register_mail_stream(
            MailStream(STREAM, _("the member digest"), on_unsubscribe=turn_off_digest)
        )
