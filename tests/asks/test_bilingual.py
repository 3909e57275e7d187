"""Asks and offers in English and Spanish (django-modeltranslation): the
board, a post's page and its matches read the reader's language, the English
marked lang="en" where there is no Spanish; members write both side by side;
emails and digests give each person the version of their language."""

from __future__ import annotations

import importlib
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from asks import demo, services
from asks.models import Post
from circle import digests
from circle.models import Expertise, Membership, Organization
from justop.digests import Period
from justop.models import OutboxEmail
from justop.outbox.rendering import render
from tests.asks.factories import PostFactory, offer
from tests.factories import OrganizationFactory, member_of, sign_in
from tests.forms import post_data

pytestmark = pytest.mark.django_db
NOTE = "Disponible solo en inglés."
Side = Organization.Side


def read(client: Client, url: str, language: str) -> str:
    return client.get(url, headers={"accept-language": language}).content.decode()


@pytest.fixture
def employer():
    return OrganizationFactory(name="Metro Manufacturers", side=Side.DEMAND)


@pytest.fixture
def trainer():
    return OrganizationFactory(name="Peachtree Skills", side=Side.SUPPLY, stages=["job-access"])


@pytest.fixture
def reader(trainer):
    client = Client()
    sign_in(client, member_of(trainer))
    return client


@pytest.fixture
def translated(employer):
    post = PostFactory(
        organization=employer,
        title="20 entry-level technicians",
        title_es="20 técnicos de nivel inicial",
        description="Starting in **March**.",
        description_es="Desde **marzo**.",
        expertise=["Apprenticeships"],
        stages=["job-access"],
    )
    Expertise.objects.filter(slug="apprenticeships").update(name_es="Programas de aprendizaje")
    return post


def test_a_spanish_reader_reads_the_post_in_spanish_and_an_english_one_in_english(
    reader, translated
):
    es = read(reader, translated.get_absolute_url(), "es")
    en = read(reader, translated.get_absolute_url(), "en")

    assert "<h1>20 técnicos de nivel inicial</h1>" in es
    assert '<div class="prose"><p>Desde <strong>marzo</strong>.</p></div>' in es
    assert "Programas de aprendizaje" in es and NOTE not in es
    assert "<h1>20 entry-level technicians</h1>" in en
    assert "<p>Starting in <strong>March</strong>.</p>" in en and "Apprenticeships" in en


def test_without_a_spanish_version_the_post_is_marked_english_and_says_so(reader, employer):
    post = PostFactory(
        organization=employer, title="Forklift drivers", description="Three *shifts*."
    )

    es = read(reader, post.get_absolute_url(), "es")

    assert '<h1><span lang="en">Forklift drivers</span></h1>' in es
    assert '<div class="prose" lang="en"><p>Three <em>shifts</em>.</p></div>' in es
    assert es.count(NOTE) == 1


def test_the_board_and_the_matches_show_the_readers_language(reader, translated, trainer):
    untranslated = PostFactory(organization=translated.organization, title="Forklift drivers")

    board = read(reader, reverse("asks:board"), "es")
    assert f'<a href="{translated.get_absolute_url()}">20 técnicos de nivel inicial</a>' in board
    assert f'<a href="{untranslated.get_absolute_url()}"><span lang="en">Forklift drivers' in board
    assert '<li class="badge">Programas de aprendizaje</li>' in board

    ours = offer(
        organization=trainer, title="15 graduates", title_es="15 graduados", stages=["job-access"]
    )
    matches = read(reader, reverse("asks:post_matches", args=[ours.pk]), "es")
    assert "15 graduados</a></p>" in matches
    assert "20 técnicos de nivel inicial</a></h2>" in matches


def test_members_write_the_title_and_description_in_both_languages(client, employer):
    sign_in(client, member_of(employer))
    html = read(client, reverse("asks:post_create"), "en")

    assert html.count('<div class="language-pair">') == 2
    for field, label in [
        ("title_en", "Title (English)"),
        ("title_es", "Title (Spanish)"),
        ("description_en", "Description (English)"),
        ("description_es", "Description (Spanish)"),
    ]:
        assert re.search(rf'<label for="id_{field}">{re.escape(label)}:?</label>', html), field
    assert re.search(r'<input type="text" name="title_es"[^>]*lang="es"', html)
    assert not re.search(r'<input type="text" name="title_es"[^>]*required', html)

    response = client.post(
        reverse("asks:post_create"),
        post_data(title_es="20 técnicos", description_es="Desde **marzo**."),
    )
    post = Post.objects.get()
    assert response.status_code == 302
    assert (post.title_en, post.title_es) == ("20 entry-level technicians", "20 técnicos")

    # English is required; Spanish alone is not enough.
    refused = client.post(
        reverse("asks:post_create"), post_data(title="", title_es="Solo en español")
    )
    assert refused.status_code == 400
    assert "title_en" in refused.context["form"].errors
    assert "title_es" not in refused.context["form"].errors


def test_a_spanish_poster_is_emailed_the_spanish_title_of_their_post(employer, trainer):
    spanish = member_of(employer, Membership.Role.ADMIN, user__language="es")
    english = member_of(employer, Membership.Role.ADMIN, user__language="en")
    post = PostFactory(organization=employer, title="20 technicians", title_es="20 técnicos")

    services.respond(
        post, organization=trainer, author=member_of(trainer), body="Our graduates are ready."
    )

    to_spanish = render(OutboxEmail.objects.get(recipient=spanish.email))
    to_english = render(OutboxEmail.objects.get(recipient=english.email))
    assert "20 técnicos" in to_spanish.subject and "20 technicians" not in to_spanish.subject
    assert "20 technicians" in to_english.subject


def test_both_sides_of_a_match_read_the_titles_in_their_language(employer, trainer):
    spanish = member_of(trainer, Membership.Role.ADMIN, user__language="es")
    ask = PostFactory(organization=employer, title="20 technicians", title_es="20 técnicos")
    ours = offer(organization=trainer, title="15 graduates", title_es="15 graduados")

    services.mark_match(ask, ours, state="conversation", by=member_of(employer))

    message = render(OutboxEmail.objects.get(recipient=spanish.email))
    assert "20 técnicos" in message.body and "15 graduados" in message.body
    assert "20 technicians" not in message.body


def test_a_spanish_members_digest_shows_the_spanish_titles(employer, trainer):
    ny = ZoneInfo("America/New_York")
    now = datetime(2026, 11, 24, 9, 0, tzinfo=ny)
    during = Period.last_complete("weekly", now).start + timedelta(days=3)
    spanish = member_of(trainer, user__language="es")
    PostFactory(
        organization=employer,
        title="20 technicians",
        title_es="20 técnicos",
        stages=["job-access"],
        created_at=during,
    )
    PostFactory(
        organization=employer, title="Forklift drivers", stages=["job-access"], created_at=during
    )

    digests.send_digests("weekly", now)

    message = render(OutboxEmail.objects.get(recipient=spanish.email))
    assert "20 técnicos" in message.body and "20 technicians" not in message.body
    html = message.alternatives[0].content
    assert re.search(r'<a href="[^"]+" lang="en"[^>]*>Solicitud: Forklift drivers</a>', html)


def test_what_was_written_before_is_the_english_version(employer):
    migration = importlib.import_module("asks.migrations.0002_posts_in_two_languages")
    post = PostFactory(organization=employer)
    Post.objects.rewrite(False).filter(pk=post.pk).update(
        title="Old title", title_en=None, description="Old text.", description_en=None
    )
    state = MigrationExecutor(connection).loader.project_state(
        [("asks", "0002_posts_in_two_languages")]
    )

    migration.english_is_what_was_written(state.apps, None)

    saved = Post.objects.get(pk=post.pk)
    assert (saved.title_en, saved.description_en) == ("Old title", "Old text.")


def test_the_demo_has_some_asks_and_offers_in_spanish_too(settings, tmp_path):
    from circle import demo as circle_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    circle_demo.seed_organizations()
    demo.seed_posts()
    posts = Post.objects.filter(title_en__in=[row[2] for row in demo.POSTS])
    spanish = posts.exclude(title_es__isnull=True)
    assert 0 < spanish.count() < posts.count()
    for post in spanish:
        assert post.description_es
