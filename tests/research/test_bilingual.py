"""The library in English and Spanish: a Spanish reader reads a resource's
Spanish title and abstract, the topics' and tags' Spanish names, or the
English marked lang="en" with a note where there is no Spanish; the file
keeps its own language; a search reads the words as the reader's language;
organizations and staff write both languages side by side."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from circle.viewers import ANONYMOUS
from justop.digests import Period
from research import demo, publishing, search, sections
from research.models import Resource, Tag, Topic
from research.search import highlighting, query
from tests.factories import OrganizationFactory, StaffFactory, member_of, sign_in_with_second_factor
from tests.forms import resource_data
from tests.research.factories import ResourceFactory, research_setup  # noqa: F401

pytestmark = pytest.mark.django_db
NOTE = "Disponible solo en inglés."
NY = ZoneInfo("America/New_York")
LINK = "https://example.org/report"


def page(url: str, language: str, client: Client | None = None, **params: str) -> str:
    client = client or Client()
    return client.get(url, params, headers={"accept-language": language}).content.decode()


def h1(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found, html
    return found[1].strip()


def found_in(language: str, q: str) -> list[int]:
    with translation.override(language):
        return [r.pk for r in search.search(ANONYMOUS, {"q": q}).page.object_list]


# --- Reading ---------------------------------------------------------------------------


def test_a_spanish_reader_reads_the_spanish_title_abstract_topics_and_tags():
    resource = ResourceFactory(
        title="Jobs along the BeltLine",
        title_es="Empleos a lo largo del BeltLine",
        abstract="Where the new jobs are.",
        abstract_es="Dónde están los nuevos empleos.",
        topics=["workforce-skills"],
    )
    tag = Tag.objects.create(name_en="wages", name_es="sueldos", slug="wages")
    resource.tags.add(tag)

    es = page(resource.get_absolute_url(), "es")
    assert h1(es) == "Empleos a lo largo del BeltLine"
    assert "<title>Empleos a lo largo del BeltLine" in es
    assert "Dónde están los nuevos empleos." in es
    assert "Fuerza laboral y habilidades interpersonales" in es
    assert ">sueldos</a>" in es
    main = es.split("<main", 1)[1].split("</main>", 1)[0]
    assert NOTE not in es and 'lang="en"' not in main
    # The file is still in English, and the page says so.
    assert re.search(r"<dt>Idioma</dt>\s*<dd>Inglés</dd>", es)

    en = page(resource.get_absolute_url(), "en")
    assert h1(en) == "Jobs along the BeltLine"
    assert "Where the new jobs are." in en and ">wages</a>" in en
    assert "Workforce and soft skills" in en


def test_without_a_spanish_version_the_english_is_marked_and_the_page_says_so():
    resource = ResourceFactory(title="Only in English", abstract="An English abstract.")

    es = page(resource.get_absolute_url(), "es")

    assert h1(es) == '<span lang="en">Only in English</span>'
    assert re.search(r'<div class="prose" lang="en">\s*<p>An English abstract.</p>', es)
    assert es.count(NOTE) == 1
    assert NOTE not in page(resource.get_absolute_url(), "en")
    # The library's cards mark it too.
    library = page(reverse("research:library"), "es")
    assert '<span lang="en">Only in English</span>' in library
    assert '<p lang="en">An English abstract.</p>' in library


def test_a_spanish_resource_described_once_in_spanish_is_marked_spanish_on_english_pages():
    """What migration 0007 keeps: the one text of a Spanish resource is its
    English version and its Spanish one."""
    resource = ResourceFactory(
        language="es",
        title="Guía de entrevistas",
        title_es="Guía de entrevistas",
        abstract="Consejos prácticos.",
        abstract_es="Consejos prácticos.",
    )
    en = page(resource.get_absolute_url(), "en")
    assert h1(en) == '<span lang="es">Guía de entrevistas</span>'
    assert '<div class="prose" lang="es">' in en
    es = page(resource.get_absolute_url(), "es")
    assert h1(es) == "Guía de entrevistas" and NOTE not in es


def test_each_language_has_its_own_copy_in_the_visitors_page_cache():
    resource = ResourceFactory(title="Fair wages", title_es="Sueldos justos")
    client = Client()
    for _ in range(2):  # the second round is served from the cache
        assert h1(page(resource.get_absolute_url(), "es", client)) == "Sueldos justos"
        assert h1(page(resource.get_absolute_url(), "en", client)) == "Fair wages"


def test_the_topics_keep_their_spanish_and_their_english_in_the_translated_columns():
    topic = Topic.objects.get(key="family-well-being")
    assert topic.name_en == "Financial well-being of families"
    assert topic.name_es == "Bienestar financiero de las familias"
    assert topic.principle_es.startswith("La inclusión económica")
    assert h1(page(topic.get_absolute_url(), "es")) == "Bienestar financiero de las familias"
    assert h1(page(topic.get_absolute_url(), "en")) == "Financial well-being of families"
    library = page(reverse("research:library"), "es")
    assert "Activos económicos sin aprovechar" in library
    assert "Las comunidades de bajos ingresos" in library


def test_a_topic_without_spanish_is_marked_english_on_a_spanish_page():
    topic = Topic.objects.get(key="place-based")
    topic.name_es = topic.principle_es = ""
    topic.save()
    es = page(topic.get_absolute_url(), "es")
    assert h1(es) == '<span lang="en">Place-based economic inclusion</span>'
    assert NOTE in es


def test_a_spanish_members_digest_shows_the_spanish_titles():
    published = datetime(2026, 11, 18, 12, 0, tzinfo=NY)
    ResourceFactory(
        title="Transit and jobs", title_es="Transporte y empleo", published_at=published
    )
    ResourceFactory(title="Only English brief", published_at=published)
    member = member_of(OrganizationFactory())
    period = Period.last_complete("weekly", datetime(2026, 11, 24, 9, 0, tzinfo=NY))
    with translation.override("es"):
        items = sections.new_for_members([member], period)[member.pk]
    assert {item["title"] for item in items} == {"Transporte y empleo", "Only English brief"}


# --- Searching -------------------------------------------------------------------------


@pytest.fixture
def jobs_in_two_languages():
    """An English report described in Spanish too, and an English one whose
    English text names a program called Empleo."""
    spanish = ResourceFactory(
        title="Regional workforce plan",
        title_es="Plan regional de fuerza laboral",
        abstract="What residents said about the plan.",
        abstract_es="Lo que dijeron los residentes sobre los empleos y las capacitaciones.",
    )
    english = ResourceFactory(
        title="The Empleo program",
        abstract="An evaluation of the Empleo program for young workers.",
    )
    return spanish, english


@pytest.mark.postgres
def test_empleo_in_spanish_finds_the_spanish_abstract_that_says_empleos(jobs_in_two_languages):
    spanish, english = jobs_in_two_languages
    assert found_in("es", "empleo")[0] == spanish.pk
    assert found_in("es", "capacitación") == [spanish.pk]
    # The same search in English reads "empleo" as an English word.
    assert found_in("en", "empleo")[:1] == [english.pk]
    assert spanish.pk not in found_in("en", "capacitación")


@pytest.mark.postgres
def test_a_spanish_search_finds_english_resources_by_their_spanish_title_and_english_words():
    resource = ResourceFactory(
        title="Transit corridors", title_es="Corredores de transporte", abstract="Buses."
    )
    assert found_in("es", "corredor") == [resource.pk]
    # English words still find English resources from a Spanish page.
    assert found_in("es", "buses") == [resource.pk]


@pytest.mark.postgres
def test_an_english_reader_still_finds_a_spanish_resource_by_its_spanish_words():
    resource = ResourceFactory(title="Salarios en la región", language="es", abstract="Familias.")
    assert found_in("en", "salario") == [resource.pk]


@pytest.mark.postgres
@pytest.mark.usefixtures("jobs_in_two_languages")
def test_the_spanish_page_quotes_the_spanish_abstract_with_the_words_marked():
    es = page(reverse("research:search"), "es", q="empleo")
    assert "<mark>empleos</mark>" in es
    assert "Plan regional de fuerza laboral" in es


def test_the_plain_search_without_postgresql_reads_the_spanish_columns_too(monkeypatch):
    """SQLite's search (make run): the same words in each language's columns."""
    for module in (query, highlighting):
        monkeypatch.setattr(module, "on_postgresql", lambda: False)
    resource = ResourceFactory(
        title="Workforce plan", abstract="Residents.", abstract_es="Los empleos del plan."
    )
    ResourceFactory(title="Other", abstract="Nothing.")
    assert found_in("es", "empleos") == [resource.pk]
    assert found_in("en", "empleos") == [resource.pk]
    with translation.override("es"):
        snippets = search.snippets([resource.pk], "empleos")
    assert "<mark>empleos</mark>" in snippets[resource.pk]


def test_the_tag_filter_is_named_in_the_readers_language_and_counted_per_language():
    resource = ResourceFactory(title="Wages")
    resource.tags.add(Tag.objects.create(name_en="wages", name_es="sueldos", slug="wages"))
    url = reverse("research:search")
    for _ in range(2):  # the counts are cached: each language keeps its own
        assert re.search(r'<option value="wages">sueldos \(1\)</option>', page(url, "es"))
        assert re.search(r'<option value="wages">wages \(1\)</option>', page(url, "en"))


# --- Writing ---------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    organization = OrganizationFactory(slug="org-a")
    client.force_login(member_of(organization, "admin"))
    return client


def test_an_organization_writes_the_title_and_abstract_in_both_languages(admin_client):
    add = reverse("research:manage_add", args=["org-a"])
    form = page(add, "en", admin_client)
    labels = re.findall(
        r'<label for="id_(title_en|title_es|abstract_en|abstract_es)"[^>]*>(.*?)</', form
    )
    assert [label for _, label in labels] == [
        "Title (English):",
        "Title (Spanish):",
        "Abstract (English):",
        "Abstract (Spanish):",
    ]
    ids = re.findall(r'\bid="([^"]+)"', form)
    assert len(ids) == len(set(ids))
    # Side by side, each field saying which language it holds.
    assert form.count('<div class="language-pair">') == 2
    pair = form.split('<div class="language-pair">')[2].split("</textarea>")[1]
    assert 'name="abstract_es"' in pair
    assert re.search(r'<textarea[^>]*name="abstract_es"[^>]*lang="es"', form) or re.search(
        r'<textarea[^>]*lang="es"[^>]*name="abstract_es"', form
    )

    response = admin_client.post(
        add,
        resource_data(
            external_url=LINK,
            title_es="Empleos a lo largo del corredor",
            abstract_es="Dónde están los empleos.",
            tag_names="wages",
        ),
        headers={"accept-language": "es"},
    )
    assert response.status_code == 302, response.context["form"].errors
    resource = Resource.objects.get()
    assert (resource.title_en, resource.title_es) == (
        "Jobs along the corridor",
        "Empleos a lo largo del corredor",
    )
    assert resource.abstract_es == "Dónde están los empleos."
    # Written on a Spanish page, the slug and the new tag still come from the English.
    assert resource.slug == "jobs-along-the-corridor"
    assert Tag.objects.get().name_en == "wages"


def test_the_english_is_required_and_the_spanish_may_come_later(admin_client):
    add = reverse("research:manage_add", args=["org-a"])
    missing = admin_client.post(
        add, resource_data(external_url=LINK, title="", title_es="Solo en español")
    )
    assert missing.status_code == 200
    assert "title_en" in missing.context["form"].errors
    assert "title_es" not in missing.context["form"].errors
    only_english = admin_client.post(add, resource_data(external_url=LINK))
    assert only_english.status_code == 302
    assert not Resource.objects.get().title_es


def test_staff_write_both_languages_in_the_admin(client):
    sign_in_with_second_factor(client, StaffFactory())
    form = client.get(reverse("admin:research_resource_add")).content.decode()
    labels = re.findall(r'<label[^>]*for="id_(title_en|title_es)"[^>]*>(.*?)</label>', form)
    assert [label for _, label in labels] == ["Title (English):", "Title (Spanish):"]
    topic = Topic.objects.get(key="community-voice")
    change = client.get(reverse("admin:research_topic_change", args=[topic.pk])).content.decode()
    assert "Comunidades que orientan los mercados" in change
    assert "Communities informing markets" in change


def test_tags_made_on_any_page_are_named_in_english():
    resource = ResourceFactory()
    with translation.override("es"):
        publishing.set_tags(resource, ["transit"])
    tag = Tag.objects.get()
    assert (tag.name_en, tag.name_es) == ("transit", None)


# --- Demo ------------------------------------------------------------------------------


def test_the_demo_describes_about_half_of_the_library_in_spanish(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo.seed_research()
    resources = Resource.objects.all()
    in_spanish = resources.exclude(title_es=None).exclude(title_es="")
    assert 0.4 <= in_spanish.count() / resources.count() <= 0.6
    assert all(r.abstract_es for r in in_spanish)
    assert in_spanish.filter(abstract_es__contains="empleos").filter(
        abstract_es__contains="capacitaciones"
    )
    assert all(t.name_es and t.principle_es for t in Topic.objects.all())
    assert Tag.objects.exclude(name_es=None).exclude(name_es="").count() >= 5


def test_a_citation_names_the_resource_by_the_title_its_file_prints():
    resource = ResourceFactory(title="Jobs along the BeltLine", title_es="Empleos en el BeltLine")
    es = page(resource.get_absolute_url(), "es")
    assert "(2025). Jobs along the BeltLine." in es
    assert '<meta name="citation_title" content="Jobs along the BeltLine">' in es
