"""Organizations in English and Spanish (django-modeltranslation): the
mission, the description ("About the organization") and the areas of
expertise are read in the reader's language, the English marked lang="en"
where there is no Spanish; the organization's admins and staff write both
side by side; the directory finds Spanish words in Spanish content."""

from __future__ import annotations

import importlib
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils.text import slugify

from circle import demo
from circle.models import Expertise, Membership, Organization
from tests.factories import OrganizationFactory, member_of, sign_in
from tests.forms import profile_data

pytestmark = pytest.mark.django_db
NOTE = "Disponible solo en inglés."
DIRECTORY = reverse("circle:directory")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Stemming is PostgreSQL's text search."
)


def tag(name: str, spanish: str | None = None) -> Expertise:
    return Expertise.objects.create(name_en=name, name_es=spanish, slug=slugify(name))


def read(client: Client, url: str, language: str, **params: str) -> str:
    return client.get(url, params, headers={"accept-language": language}).content.decode()


def found(client: Client, language: str, q: str) -> list[str]:
    html = read(client, DIRECTORY, language, q=q)
    return re.findall(r'<h3 id="org-\d+"><a href="[^"]+">([^<]+)</a></h3>', html)


@pytest.fixture
def member_client(db):
    client = Client()
    sign_in(client, member_of(OrganizationFactory(name="Reader's organization", mission="")))
    return client


@pytest.fixture
def bilingual():
    organization = OrganizationFactory(
        name="Peachtree Skills Alliance",
        mission="We train adults for jobs in technology.",
        mission_es="Capacitamos a personas adultas para empleos en tecnología.",
        description="Founded by **neighbors**.",
        description_es="Fundada por **vecinos**.",
    )
    organization.expertise.set([tag("Apprenticeships", "Programas de aprendizaje")])
    return organization


def test_a_spanish_reader_reads_the_profile_in_spanish_and_an_english_one_in_english(bilingual):
    es = read(Client(), bilingual.get_absolute_url(), "es")
    en = read(Client(), bilingual.get_absolute_url(), "en")

    assert "<p>Capacitamos a personas adultas para empleos en tecnología.</p>" in es
    assert '<div class="prose"><p>Fundada por <strong>vecinos</strong>.</p></div>' in es
    assert "Programas de aprendizaje" in es
    assert NOTE not in es and '<p lang="en">' not in es and '<span lang="en">Appr' not in es
    assert "<p>We train adults for jobs in technology.</p>" in en
    assert "<p>Founded by <strong>neighbors</strong>.</p>" in en
    assert "Apprenticeships" in en and "Capacitamos" not in en


def test_without_a_spanish_version_the_english_is_marked_and_the_profile_says_so():
    organization = OrganizationFactory(
        mission="We train adults for jobs.", description="Founded in *2012*."
    )
    organization.expertise.set([tag("Logistics")])

    es = read(Client(), organization.get_absolute_url(), "es")

    assert '<p lang="en">We train adults for jobs.</p>' in es
    assert '<div class="prose" lang="en"><p>Founded in <em>2012</em>.</p></div>' in es
    assert '<span lang="en">Logistics</span>' in es
    assert es.count(NOTE) == 1


def test_an_organization_without_a_mission_or_description_has_no_note():
    organization = OrganizationFactory(mission="")
    es = read(Client(), organization.get_absolute_url(), "es")
    assert NOTE not in es and 'id="organization-about"' not in es


def test_the_description_is_markdown_made_safe():
    organization = OrganizationFactory(
        description="**Jobs** <script>alert(1)</script> [site](javascript:alert(1))"
    )
    html = read(Client(), organization.get_absolute_url(), "en")
    assert "<strong>Jobs</strong>" in html
    assert "<script>alert" not in html and "javascript:alert" not in html


def test_the_directory_card_shows_the_readers_language_and_marks_the_english(member_client):
    translated = OrganizationFactory(
        name="Translated", mission="Good jobs.", mission_es="Buenos empleos."
    )
    translated.expertise.set([tag("Logistics", "Logística")])
    english_only = OrganizationFactory(name="English only", mission="Only in English.")
    english_only.expertise.set([tag("Dual enrollment")])

    es = read(member_client, DIRECTORY, "es")

    assert "<p>Buenos empleos.</p>" in es and '<li class="badge">Logística</li>' in es
    assert '<p lang="en">Only in English.</p>' in es
    assert '<li class="badge"><span lang="en">Dual enrollment</span></li>' in es
    expertise_filter = re.search(r'<select name="expertise".*?</select>', es, re.S)
    assert expertise_filter and ">Logística</option>" in expertise_filter[0]


@on_postgresql
def test_a_spanish_search_finds_spanish_words_as_spanish_stems_them(member_client):
    OrganizationFactory(
        name="Westside Works",
        mission="Jobs for our neighbors.",
        mission_es="Empleos para nuestros vecinos.",
        description_es="Ofrecemos capacitaciones nocturnas.",
    )
    OrganizationFactory(name="Elsewhere", mission="Housing.", mission_es="Vivienda.")

    assert found(member_client, "es", "empleo") == ["Westside Works"]
    assert found(member_client, "es", "capacitación") == ["Westside Works"]
    # An English reader searches the English they read.
    assert found(member_client, "en", "empleo") == []
    assert found(member_client, "en", "jobs") == ["Westside Works"]


@on_postgresql
def test_a_spanish_search_finds_spanish_names_of_areas_of_expertise(member_client):
    organization = OrganizationFactory(name="Clayton Careers", mission="")
    organization.expertise.set([tag("Training vouchers", "Vales de capacitación")])

    assert found(member_client, "es", "capacitaciones") == ["Clayton Careers"]
    assert found(member_client, "en", "capacitaciones") == []


def test_a_spanish_reader_also_finds_what_they_read_in_english(member_client):
    OrganizationFactory(name="English only", mission="Apprenticeships in welding.")

    assert found(member_client, "es", "welding") == ["English only"]
    assert found(member_client, "es", "apprentice") == ["English only"]


def test_an_admin_writes_the_mission_and_description_in_both_languages(client):
    organization = OrganizationFactory(mission="Good jobs.")
    sign_in(client, member_of(organization, Membership.Role.ADMIN))
    url = reverse("circle:manage_profile", args=[organization.slug])

    html = read(client, url, "en")

    assert html.count('<div class="language-pair">') == 2
    for field, label, language in [
        ("mission_en", "Mission statement (English)", "en"),
        ("mission_es", "Mission statement (Spanish)", "es"),
        ("description_en", "About the organization (English)", "en"),
        ("description_es", "About the organization (Spanish)", "es"),
    ]:
        assert re.search(rf'<label for="id_{field}">{re.escape(label)}:?</label>', html), field
        assert re.search(rf'<textarea name="{field}"[^>]*lang="{language}"', html), field
    # Each field's two versions together, English first.
    order = [html.index(f'name="{f}"') for f in ("mission_en", "mission_es", "description_en")]
    assert order == sorted(order)
    pair = html.split('<div class="language-pair">')[1]
    assert 'name="mission_en"' in pair and 'name="mission_es"' in pair
    assert 'name="description_en"' not in pair

    response = client.post(
        url,
        profile_data(
            organization,
            mission="Good jobs for neighbors.",
            mission_es="Buenos empleos para los vecinos.",
            description_es="Fundada en **2012**.",
        ),
    )
    assert response.status_code == 302
    saved = Organization.objects.get(pk=organization.pk)
    assert saved.mission_en == "Good jobs for neighbors."
    assert saved.mission_es == "Buenos empleos para los vecinos."
    assert "<strong>2012</strong>" in read(Client(), organization.get_absolute_url(), "es")

    # The Spanish is optional: clearing it shows the English again.
    client.post(url, profile_data(saved, mission_es=""))
    assert '<p lang="en">Good jobs for neighbors.</p>' in read(
        Client(), organization.get_absolute_url(), "es"
    )


def test_a_tag_typed_in_spanish_is_the_same_area_of_expertise(client):
    apprenticeships = tag("Apprenticeships", "Programas de aprendizaje")
    organization = OrganizationFactory()
    sign_in(client, member_of(organization, Membership.Role.ADMIN))
    url = reverse("circle:manage_profile", args=[organization.slug])

    client.post(
        url,
        profile_data(organization, expertise_names="programas de aprendizaje, Welding"),
        headers={"accept-language": "es"},
    )

    assert set(organization.expertise.all()) == {
        apprenticeships,
        Expertise.objects.get(name_en="Welding"),
    }
    # The new one is named in English; it has no Spanish name yet.
    assert Expertise.objects.get(name_en="Welding").name_es is None
    form = read(client, url, "es")
    assert re.search(r'name="expertise_names" value="[^"]*Programas de aprendizaje', form)


def test_areas_of_expertise_without_spanish_names_live_side_by_side(staff_client):
    tag("Logistics")
    tag("Welding")
    tag("Apprenticeships", "Programas de aprendizaje")
    add = reverse("admin:circle_expertise_add")

    html = staff_client.get(add).content.decode()
    for field, label in [("name_en", "Name (English)"), ("name_es", "Name (Spanish)")]:
        assert re.search(rf'<label[^>]*for="id_{field}"[^>]*>{re.escape(label)}', html), field

    taken = staff_client.post(
        add, {"name_en": "Youth jobs", "name_es": "Programas de aprendizaje", "slug": "youth"}
    )
    assert taken.status_code == 200
    assert "An area of expertise has this name already." in taken.content.decode()
    fine = staff_client.post(add, {"name_en": "Youth jobs", "name_es": "", "slug": "youth"})
    assert fine.status_code == 302
    assert Expertise.objects.filter(name_es__isnull=True).count() == 3


def test_staff_write_an_organizations_mission_in_both_languages(staff_client):
    organization = OrganizationFactory()
    html = staff_client.get(
        reverse("admin:circle_organization_change", args=[organization.pk])
    ).content.decode()
    for field, label in [
        ("mission_en", "Mission statement (English)"),
        ("mission_es", "Mission statement (Spanish)"),
        ("description_es", "About the organization (Spanish)"),
    ]:
        assert re.search(rf'<label[^>]*for="id_{field}"[^>]*>{re.escape(label)}', html), field


MIGRATION = "0011_organizations_and_expertise_in_two_languages"


def state_after(migration: str):
    """The models as the migration sees them (without modeltranslation, which
    would read `mission` as `mission_en`)."""
    return MigrationExecutor(connection).loader.project_state([("circle", migration)]).apps


def test_what_was_written_before_is_the_english_version():
    migration = importlib.import_module(f"circle.migrations.{MIGRATION}")
    organization = OrganizationFactory()
    area = tag("Logistics")
    # The columns as they were: the text in the original column only
    # (rewrite(False): `mission` is that column, not the English one).
    Organization.objects.rewrite(False).filter(pk=organization.pk).update(
        mission="Old.", mission_en=None
    )
    Expertise.objects.rewrite(False).filter(pk=area.pk).update(name="Old name", name_en=None)

    migration.english_is_what_was_written(state_after(MIGRATION), None)

    assert Organization.objects.get(pk=organization.pk).mission_en == "Old."
    assert Expertise.objects.get(pk=area.pk).name_en == "Old name"


def test_the_demo_has_spanish_missions_and_spanish_names_for_every_area(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo.seed_organizations()
    organizations = Organization.objects.filter(
        slug__in=[slugify(r[0]) for r in demo.ORGANIZATIONS]
    )
    spanish = organizations.exclude(mission_es__isnull=True).exclude(mission_es="")
    assert 0 < spanish.count() < organizations.count()
    assert not Expertise.objects.filter(organization__in=organizations, name_es__isnull=True)
