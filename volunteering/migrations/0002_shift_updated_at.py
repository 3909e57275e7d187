import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("volunteering", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="shift",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="updated"
            ),
            preserve_default=False,
        ),
    ]
