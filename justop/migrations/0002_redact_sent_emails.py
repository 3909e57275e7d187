"""Emails sent before secrets were taken out at sending lose them now
(justop.redaction)."""

from typing import Any

from django.db import migrations


def redact(apps: Any, schema_editor: Any) -> None:
    from justop import redaction

    redaction.redact_sent(apps.get_model("justop", "OutboxEmail"))


class Migration(migrations.Migration):
    dependencies = [("justop", "0001_initial")]

    operations = [migrations.RunPython(redact, migrations.RunPython.noop, elidable=True)]
