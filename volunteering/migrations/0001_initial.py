"""Volunteering, moved from the news app: the models enter this app's state
over the tables news created (db_table keeps their names), and their content
types follow them, so admin permissions and history stay attached."""

from django.db import migrations, models
import django.db.models.deletion
import django.utils.timezone

MODELS = ["opportunity", "shift", "signup"]


def _move_content_types(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=old, model__in=MODELS).update(app_label=new)


def forwards(apps, schema_editor):
    _move_content_types(apps, "news", "volunteering")


def backwards(apps, schema_editor):
    _move_content_types(apps, "volunteering", "news")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("news", "0004_volunteering_moves_to_its_app"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Opportunity',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=160, verbose_name='title')),
                        ('slug', models.SlugField(max_length=90, unique=True, verbose_name='slug')),
                        ('summary', models.TextField(max_length=300, verbose_name='summary')),
                        ('description', models.TextField(help_text='Markdown.', verbose_name='description')),
                        ('location', models.CharField(blank=True, max_length=200, verbose_name='location')),
                        ('remote', models.BooleanField(default=False, verbose_name='remote')),
                        ('contact_name', models.CharField(blank=True, max_length=150, verbose_name='contact name')),
                        ('contact_email', models.EmailField(blank=True, max_length=254, verbose_name='contact email')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', max_length=10, verbose_name='status')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ],
                    options={
                        'verbose_name': 'volunteer opportunity',
                        'verbose_name_plural': 'volunteer opportunities',
                        'db_table': 'news_opportunity',
                        'ordering': ['title'],
                    },
                ),
                migrations.CreateModel(
                    name='Shift',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(max_length=120, verbose_name='role')),
                        ('starts_at', models.DateTimeField(verbose_name='starts')),
                        ('ends_at', models.DateTimeField(verbose_name='ends')),
                        ('capacity', models.PositiveSmallIntegerField(help_text='People, counting everyone in a party.', verbose_name='places')),
                        ('opportunity', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shifts', to='volunteering.opportunity', verbose_name='opportunity')),
                    ],
                    options={
                        'verbose_name': 'shift',
                        'verbose_name_plural': 'shifts',
                        'db_table': 'news_shift',
                        'ordering': ['starts_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Signup',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=150, verbose_name='name')),
                        ('email', models.EmailField(max_length=254, verbose_name='email address')),
                        ('phone', models.CharField(blank=True, max_length=40, verbose_name='phone')),
                        ('party_size', models.PositiveSmallIntegerField(default=1, verbose_name='people')),
                        ('status', models.CharField(choices=[('held', 'Waiting for email confirmation'), ('confirmed', 'Confirmed'), ('waitlisted', 'On the waitlist'), ('cancelled', 'Cancelled'), ('expired', 'Expired (not confirmed in time)')], max_length=10, verbose_name='status')),
                        ('language', models.CharField(default='en', max_length=8)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='signed up')),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='email confirmed')),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='cancelled')),
                        ('reminded_at', models.DateTimeField(blank=True, null=True, verbose_name='reminded')),
                        ('attended', models.BooleanField(blank=True, null=True, verbose_name='attended')),
                        ('shift', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='signups', to='volunteering.shift', verbose_name='shift')),
                    ],
                    options={
                        'verbose_name': 'sign-up',
                        'verbose_name_plural': 'sign-ups',
                        'db_table': 'news_signup',
                        'ordering': ['created_at', 'pk'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='shift',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='shift_ends_after_start'),
                ),
                migrations.AddConstraint(
                    model_name='shift',
                    constraint=models.CheckConstraint(condition=models.Q(('capacity__gte', 1)), name='shift_has_places'),
                ),
                migrations.AddIndex(
                    model_name='signup',
                    index=models.Index(fields=['shift', 'status'], name='signup_shift_status_idx'),
                ),
                migrations.AddConstraint(
                    model_name='signup',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['held', 'confirmed', 'waitlisted'])), fields=('shift', 'email'), name='signup_one_active_per_email'),
                ),
                migrations.AddConstraint(
                    model_name='signup',
                    constraint=models.CheckConstraint(condition=models.Q(('party_size__gte', 1), ('party_size__lte', 10)), name='signup_party_size'),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
