from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("research", "0003_search_index")]

    operations = [
        migrations.AddIndex(
            model_name="resource",
            index=models.Index(fields=["-published_on", "-id"], name="resource_newest_idx"),
        ),
    ]
