"""Volunteering moves to its own app (volunteering/migrations/0001_initial.py).
State only: the tables stay, with their names and their rows."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0003_hero_renditions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name='shift',
                    name='shift_ends_after_start',
                ),
                migrations.RemoveConstraint(
                    model_name='shift',
                    name='shift_has_places',
                ),
                migrations.RemoveIndex(
                    model_name='signup',
                    name='signup_shift_status_idx',
                ),
                migrations.RemoveConstraint(
                    model_name='signup',
                    name='signup_one_active_per_email',
                ),
                migrations.RemoveConstraint(
                    model_name='signup',
                    name='signup_party_size',
                ),
                migrations.RemoveField(
                    model_name='shift',
                    name='opportunity',
                ),
                migrations.RemoveField(
                    model_name='signup',
                    name='shift',
                ),
                migrations.DeleteModel(
                    name='Opportunity',
                ),
                migrations.DeleteModel(
                    name='Shift',
                ),
                migrations.DeleteModel(
                    name='Signup',
                ),
            ],
        ),
    ]
