"""Asks and offers, moved from the circle app: the models enter this app's
state over the tables circle created (db_table keeps their names), and their
content types follow them, so admin permissions and history stay attached."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MODELS = ["post", "match", "conversation", "postresponse", "outcome"]


def _move_content_types(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=old, model__in=MODELS).update(app_label=new)


def forwards(apps, schema_editor):
    _move_content_types(apps, "circle", "asks")


def backwards(apps, schema_editor):
    _move_content_types(apps, "asks", "circle")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('circle', '0007_asks_move_to_their_app'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Post',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('ask', 'Ask'), ('offer', 'Offer')], max_length=5, verbose_name='kind')),
                        ('title', models.CharField(max_length=150, verbose_name='title')),
                        ('description', models.TextField(help_text='Markdown: **bold**, lists, links.', verbose_name='description')),
                        ('side', models.CharField(choices=[('supply', 'Talent supply'), ('demand', 'Employer demand'), ('both', 'Both')], help_text='Talent supply (people, training, coaching) or employer demand (jobs).', max_length=10, verbose_name='side')),
                        ('quantity', models.PositiveIntegerField(blank=True, null=True, verbose_name='how many')),
                        ('unit', models.CharField(blank=True, choices=[('people', 'people'), ('places', 'places'), ('jobs', 'jobs')], max_length=10, verbose_name='of what')),
                        ('deadline', models.DateField(blank=True, help_text='Leave empty for an ongoing post.', null=True, verbose_name='deadline')),
                        ('audience', models.CharField(choices=[('members', 'All members of the Circle'), ('chosen', 'Chosen organizations only')], default='members', max_length=10, verbose_name='who sees it')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('matched', 'Matched'), ('closed', 'Closed')], default='open', max_length=10, verbose_name='status')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='posted')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed')),
                        ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='posts', to=settings.AUTH_USER_MODEL, verbose_name='posted by')),
                        ('counties', models.ManyToManyField(blank=True, help_text='Leave empty for the whole region.', to='circle.county', verbose_name='counties')),
                        ('expertise', models.ManyToManyField(blank=True, to='circle.expertise', verbose_name='areas of expertise')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='posts', to='circle.organization', verbose_name='organization')),
                        ('shared_with', models.ManyToManyField(blank=True, related_name='posts_shared_with', to='circle.organization', verbose_name='chosen organizations')),
                        ('stages', models.ManyToManyField(blank=True, to='circle.stage', verbose_name='continuum stages')),
                    ],
                    options={
                        'verbose_name': 'ask or offer',
                        'verbose_name_plural': 'asks and offers',
                        'db_table': 'circle_post',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Outcome',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('people_placed', models.PositiveIntegerField(default=0, verbose_name='people placed')),
                        ('partnership_started', models.BooleanField(default=False, verbose_name='a partnership started')),
                        ('notes', models.TextField(blank=True, verbose_name='what came of it')),
                        ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded')),
                        ('partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='circle.organization', verbose_name='with')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                        ('post', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='outcome', to='asks.post', verbose_name='post')),
                    ],
                    options={
                        'verbose_name': 'outcome',
                        'verbose_name_plural': 'outcomes',
                        'db_table': 'circle_outcome',
                        'ordering': ['-recorded_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Match',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('state', models.CharField(choices=[('conversation', 'In conversation'), ('done', 'Done')], max_length=12, verbose_name='state')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='first marked')),
                        ('updated_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='last marked')),
                        ('marked_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='marked by')),
                        ('ask', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='matches_as_ask', to='asks.post', verbose_name='ask')),
                        ('offer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='matches_as_offer', to='asks.post', verbose_name='offer')),
                    ],
                    options={
                        'verbose_name': 'match',
                        'verbose_name_plural': 'matches',
                        'db_table': 'circle_match',
                        'ordering': ['-updated_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Conversation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='started')),
                        ('last_message_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='last message')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='post_conversations', to='circle.organization', verbose_name='responding organization')),
                        ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='conversations', to='asks.post', verbose_name='post')),
                    ],
                    options={
                        'verbose_name': 'conversation',
                        'verbose_name_plural': 'conversations',
                        'db_table': 'circle_conversation',
                        'ordering': ['-last_message_at'],
                    },
                ),
                migrations.CreateModel(
                    name='PostResponse',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('body', models.TextField(verbose_name='message')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent')),
                        ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='written by')),
                        ('conversation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='asks.conversation', verbose_name='conversation')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='circle.organization', verbose_name='on behalf of')),
                    ],
                    options={
                        'verbose_name': 'response',
                        'verbose_name_plural': 'responses',
                        'db_table': 'circle_postresponse',
                        'ordering': ['created_at', 'pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='post',
                    index=models.Index(fields=['status', 'deadline'], name='post_status_deadline'),
                ),
                migrations.AddConstraint(
                    model_name='post',
                    constraint=models.CheckConstraint(condition=models.Q(('quantity__isnull', True), ('quantity__gt', 0), _connector='OR'), name='post_quantity_positive'),
                ),
                migrations.AddConstraint(
                    model_name='match',
                    constraint=models.UniqueConstraint(fields=('ask', 'offer'), name='match_unique'),
                ),
                migrations.AddConstraint(
                    model_name='conversation',
                    constraint=models.UniqueConstraint(fields=('post', 'organization'), name='conversation_unique'),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
