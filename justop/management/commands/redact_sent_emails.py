from typing import Any

from django.core.management.base import BaseCommand

from justop import redaction
from justop.models import OutboxEmail


class Command(BaseCommand):
    help = (
        "Removes the links that act as their recipient (password resets, invitations, "
        "manage and confirmation links) from emails already sent. Idempotent; run it "
        "after restoring a database backup made before sent emails were redacted."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = redaction.redact_sent(OutboxEmail)
        self.stdout.write(self.style.SUCCESS(f"{count} sent email(s) redacted."))
