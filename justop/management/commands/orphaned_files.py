from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.template.defaultfilters import filesizeformat

from justop import files


class Command(BaseCommand):
    help = (
        "Lists the objects of the public and the private store that no row names "
        "(renditions of an image count as named with it), with counts and bytes; with "
        "--delete, removes them. Objects younger than an hour are never touched: an "
        "upload is stored before its row is committed. Works with local folders and an "
        "object store alike; safe to run at any time (docs/files.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--delete", action="store_true", help="Remove the orphans listed.")
        parser.add_argument(
            "--store",
            choices=sorted(files.STORES.values()),
            help="Only this store (default: both).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for alias, label in files.STORES.items():
            if options["store"] and options["store"] != label:
                continue
            found = files.orphans(alias)
            for orphan in found.found:
                when = orphan.modified.isoformat(timespec="seconds") if orphan.modified else "?"
                self.stdout.write(f"  {label}: {orphan.name}  {orphan.size} bytes  {when}")
            self.stdout.write(
                f"{label} store: {len(found.found)} orphaned object(s), "
                f"{found.bytes} bytes ({filesizeformat(found.bytes)})"
                + (f"; {len(found.young)} younger than an hour kept" if found.young else "")
            )
            if options["delete"] and found.found:
                deleted = files.delete_orphans(found)
                self.stdout.write(self.style.SUCCESS(f"{label} store: {deleted} deleted"))
