"""News posts in English and Spanish (django-modeltranslation): a Spanish
reader reads the Spanish version where there is one; where there is none,
the English text is marked lang="en" and the page says it is only in
English. Staff write both side by side in the admin."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from news import demo
from news.models import NewsPost
from tests.forms import news_post_data
from tests.news.factories import NewsPostFactory

pytestmark = pytest.mark.django_db
NOTE = "Disponible solo en inglés."


def spanish(client, url: str) -> str:
    return client.get(url, headers={"accept-language": "es"}).content.decode()


def english(client, url: str) -> str:
    return client.get(url, headers={"accept-language": "en"}).content.decode()


def h1(html: str) -> str:
    found = re.search(r'<h1 id="post-title">(.*?)</h1>', html, re.S)
    assert found, html
    return found[1]


def test_a_spanish_reader_reads_the_spanish_version_and_an_english_one_the_english():
    post = NewsPostFactory(
        title="Jobs along the BeltLine",
        title_es="Empleos a lo largo del BeltLine",
        summary="Employers meet neighbors.",
        summary_es="Los empleadores conocen a los vecinos.",
        body="A **fair** for everyone.",
        body_es="Una **feria** para todos.",
    )
    es = spanish(Client(), post.get_absolute_url())
    assert h1(es) == "Empleos a lo largo del BeltLine"
    assert "Los empleadores conocen a los vecinos." in es
    assert "Una <strong>feria</strong> para todos." in es
    article = es.split('<article class="container narrow prose"', 1)[1].split("</article>")[0]
    assert NOTE not in es and 'lang="en"' not in article

    en = english(Client(), post.get_absolute_url())
    assert h1(en) == "Jobs along the BeltLine"
    assert "A <strong>fair</strong> for everyone." in en


def test_without_a_spanish_version_the_english_is_marked_and_the_page_says_so(client):
    post = NewsPostFactory(title="Only in English", summary="An English summary.")

    es = spanish(client, post.get_absolute_url())

    assert h1(es) == '<span lang="en">Only in English</span>'
    assert '<span lang="en">An English summary.</span>' in es
    assert re.search(r'<div lang="en">\s*<p>Partners met', es)
    assert NOTE in es
    assert es.count(NOTE) == 1
    # The list and the home page mark it too.
    assert '<span lang="en">Only in English</span>' in spanish(client, reverse("news:list"))
    assert NOTE not in english(client, post.get_absolute_url())


def test_each_language_has_its_own_copy_in_the_visitors_page_cache(client):
    post = NewsPostFactory(title="Fair", title_es="Feria")
    url = post.get_absolute_url()
    for _ in range(2):  # the second round is served from the cache
        assert h1(spanish(client, url)) == "Feria"
        assert h1(english(client, url)) == "Fair"


def test_staff_write_both_languages_side_by_side_and_the_english_is_required(staff_client):
    form = staff_client.get(reverse("admin:news_newspost_add")).content.decode()
    labels = re.findall(r'<label[^>]*for="id_(title_en|title_es)"[^>]*>(.*?)</label>', form)
    assert [label for _, label in labels] == ["Title (English):", "Title (Spanish):"]

    response = staff_client.post(
        reverse("admin:news_newspost_add"),
        news_post_data(title_es="Feria de empleo", summary_es="", body_es=""),
    )
    assert response.status_code == 302
    post = NewsPost.objects.get()
    assert (post.title_en, post.title_es) == ("Spring career fair", "Feria de empleo")
    with translation.override("es"):
        assert post.title == "Feria de empleo"
        assert post.summary == "Help job seekers."  # falls back to English

    missing = staff_client.post(
        reverse("admin:news_newspost_add"),
        news_post_data(slug="other", title="", title_es="Solo en español"),
    )
    assert missing.status_code == 200
    assert "title_en" in missing.context["adminform"].form.errors


def test_the_demo_has_half_of_its_posts_in_spanish_too(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo.seed_posts()
    published = NewsPost.objects.published()
    both = published.exclude(title_es="").exclude(title_es__isnull=True)
    assert both.count() * 2 == published.count()
    for post in both:
        assert post.summary_es and post.body_es


def test_staff_preview_a_post_in_each_language_before_readers_see_it(staff_client):
    post = NewsPostFactory(
        title="Fair",
        title_es="Feria",
        body="A **fair** for everyone.",
        body_es="Una **feria** para todos.",
        status=NewsPost.Status.DRAFT,
    )
    change = staff_client.get(reverse("admin:news_newspost_change", args=[post.pk]))
    preview = reverse("admin:news_post_preview", args=[post.pk])
    links = re.findall(
        r'<a href="([^"]+)"[^>]*>(Preview in [A-Za-z]+)</a>', change.content.decode()
    )
    assert links == [
        (preview + "?language=en", "Preview in English"),
        (preview + "?language=es", "Preview in Spanish"),
    ]

    es = staff_client.get(preview + "?language=es")
    en = staff_client.get(preview + "?language=en")

    assert es["Content-Language"] == "es" and '<html lang="es">' in es.content.decode()
    assert h1(es.content.decode()) == "Feria"
    assert "Una <strong>feria</strong> para todos." in es.content.decode()
    assert h1(en.content.decode()) == "Fair"
    assert "A <strong>fair</strong> for everyone." in en.content.decode()
    assert staff_client.get(preview + "?language=fr").status_code == 400


def test_the_post_list_shows_staff_the_posts_still_missing_spanish(staff_client):
    NewsPostFactory(title="Fair", title_es="Feria", summary_es="Resumen", body_es="Cuerpo")
    NewsPostFactory(title="Only English")
    changelist = reverse("admin:news_newspost_changelist")

    missing = staff_client.get(changelist, {"spanish": "missing"}).content.decode()
    complete = staff_client.get(changelist, {"spanish": "complete"}).content.decode()

    assert "Only English" in missing and ">Fair<" not in missing
    assert ">Fair<" in complete and "Only English" not in complete


@pytest.mark.parametrize("name", ["news:feed_rss", "news:feed_atom"])
def test_the_spanish_feed_carries_spanish_titles_and_spanish_links(client, name):
    post = NewsPostFactory(title="Fair", title_es="Feria", summary_es="Una feria.")
    NewsPostFactory(title="Only English")
    page = spanish(client, reverse("news:list"))
    assert f'href="{reverse(name)}?lang=es"' in page

    es = client.get(reverse(name), {"lang": "es"}).content.decode()
    en = client.get(reverse(name), {"lang": "en"}).content.decode()

    assert ">Feria<" in es and "Una feria." in es and ">Only English<" in es
    assert f"{post.get_absolute_url()}?lang=es" in es
    assert ("<language>es</language>" in es) or ('xml:lang="es"' in es)
    assert ">Fair<" in en and ">Feria<" not in en and "?lang=" not in en


def test_the_spanish_forum_calendar_carries_the_spanish_titles(client):
    from tests.forums.factories import ForumFactory

    ForumFactory(title="Transit forum", title_es="Foro de transporte")

    es = client.get(reverse("forums:feed"), {"lang": "es"}).content.decode()
    en = client.get(reverse("forums:feed"), {"lang": "en"}).content.decode()

    assert "SUMMARY:Foro de transporte" in es
    assert "SUMMARY:Transit forum" in en
