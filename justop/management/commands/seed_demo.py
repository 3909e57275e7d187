from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from justop.registry import demo_seeders


class Command(BaseCommand):
    help = "Loads demo data (idempotent: running it again updates the same records)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even when DJANGO_ENV=production (no passwords are set or printed).",
        )

    def handle(self, *args: Any, allow_production: bool = False, **options: Any) -> None:
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                "Refusing to load demo data in production without --allow-production."
            )
        lines: list[str] = []
        for seeder in demo_seeders():
            with transaction.atomic():
                lines.extend(seeder.seed())
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        for line in lines:
            self.stdout.write(line)
