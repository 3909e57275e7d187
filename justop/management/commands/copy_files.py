from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from justop import files
from justop import storage as stores


class Command(BaseCommand):
    help = (
        "Copies every file of the local folders (MEDIA_ROOT/public and MEDIA_ROOT/private) "
        "into the stores configured now (STORAGES default and private, for example two "
        "buckets of an object store), under the same names. An object already there with "
        "the same size is skipped, so it can be run again (after the switch, to catch "
        "uploads made meanwhile). Deletes nothing from the folders (docs/files.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--media-root",
            type=Path,
            help="The folder holding public/ and private/ (default: MEDIA_ROOT).",
        )
        parser.add_argument(
            "--store",
            choices=sorted(files.STORES.values()),
            help="Only this store (default: both).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be copied; copy nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(options["media_root"] or settings.MEDIA_ROOT)
        folders = {stores.PUBLIC: stores.PUBLIC_FOLDER, stores.PRIVATE: stores.PRIVATE_FOLDER}
        for alias, label in files.STORES.items():
            if options["store"] and options["store"] != label:
                continue
            source = FileSystemStorage(location=root / folders[alias])
            target = storages[alias]
            if stores.is_local(target) and Path(target.path("")) == Path(source.path("")):
                raise CommandError(
                    f"The {label} store is the folder {source.location} itself: configure the "
                    "object store (S3_* variables) first, or give --media-root."
                )
            result = files.copy(source, target, dry_run=options["dry_run"])
            verb = "would copy" if options["dry_run"] else "copied"
            self.stdout.write(
                f"{label} store: {verb} {result.copied} new and {result.replaced} changed "
                f"object(s), {result.bytes} bytes ({filesizeformat(result.bytes)}); "
                f"{result.skipped} already there"
            )
