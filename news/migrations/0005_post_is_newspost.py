"""The news post model is named NewsPost, apart from asks.Post. State only:
the table keeps its name (news_post); its content type and permissions are
renamed with it, so admin history and staff permissions stay attached."""

from django.db import migrations


def _rename(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type = ContentType.objects.filter(app_label="news", model=old).first()
    if content_type is None:
        return
    content_type.model = new
    content_type.save(update_fields=["model"])
    for permission in Permission.objects.filter(content_type=content_type):
        action = permission.codename.split("_", 1)[0]
        permission.codename = f"{action}_{new}"
        permission.save(update_fields=["codename"])


def forwards(apps, schema_editor):
    _rename(apps, "post", "newspost")


def backwards(apps, schema_editor):
    _rename(apps, "newspost", "post")


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0004_volunteering_moves_to_its_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RenameModel("Post", "NewsPost"),
                migrations.AlterModelTable("newspost", "news_post"),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
