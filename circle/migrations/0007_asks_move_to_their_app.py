"""Asks and offers move to their own app (asks/migrations/0001_initial.py).
State only: the tables stay, with their names and their rows."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("circle", "0006_logo_renditions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name='conversation',
                    name='conversation_unique',
                ),
                migrations.RemoveField(
                    model_name='postresponse',
                    name='conversation',
                ),
                migrations.RemoveConstraint(
                    model_name='match',
                    name='match_unique',
                ),
                migrations.RemoveField(
                    model_name='outcome',
                    name='partner',
                ),
                migrations.RemoveField(
                    model_name='outcome',
                    name='post',
                ),
                migrations.RemoveField(
                    model_name='outcome',
                    name='recorded_by',
                ),
                migrations.RemoveIndex(
                    model_name='post',
                    name='post_status_deadline',
                ),
                migrations.RemoveConstraint(
                    model_name='post',
                    name='post_quantity_positive',
                ),
                migrations.RemoveField(
                    model_name='postresponse',
                    name='author',
                ),
                migrations.RemoveField(
                    model_name='postresponse',
                    name='organization',
                ),
                migrations.RemoveField(
                    model_name='conversation',
                    name='organization',
                ),
                migrations.RemoveField(
                    model_name='conversation',
                    name='post',
                ),
                migrations.RemoveField(
                    model_name='match',
                    name='ask',
                ),
                migrations.RemoveField(
                    model_name='match',
                    name='marked_by',
                ),
                migrations.RemoveField(
                    model_name='match',
                    name='offer',
                ),
                migrations.DeleteModel(
                    name='Outcome',
                ),
                migrations.RemoveField(
                    model_name='post',
                    name='author',
                ),
                migrations.RemoveField(
                    model_name='post',
                    name='counties',
                ),
                migrations.RemoveField(
                    model_name='post',
                    name='expertise',
                ),
                migrations.RemoveField(
                    model_name='post',
                    name='organization',
                ),
                migrations.RemoveField(
                    model_name='post',
                    name='shared_with',
                ),
                migrations.RemoveField(
                    model_name='post',
                    name='stages',
                ),
                migrations.DeleteModel(
                    name='PostResponse',
                ),
                migrations.DeleteModel(
                    name='Conversation',
                ),
                migrations.DeleteModel(
                    name='Match',
                ),
                migrations.DeleteModel(
                    name='Post',
                ),
            ],
        ),
    ]
