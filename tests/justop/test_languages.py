"""The address carries the page's language: ?lang=es opens any page in
Spanish and keeps the visitor in Spanish; each page names its versions
(hreflang) for search engines; the switcher's way back drops the
parameter, which would undo the choice."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.news.factories import NewsPostFactory

pytestmark = pytest.mark.django_db


def same_for_everyone(response) -> str:
    """The page less what each response gets of its own (nonce, CSRF tokens)."""
    text = re.sub(r'nonce="[^"]+"', "", response.content.decode())
    return re.sub(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])", "", text)


def html_lang(response) -> str:
    found = re.search(r'<html lang="([^"]+)">', response.content.decode())
    assert found, response.content[:300]
    return found[1]


def alternates(response) -> dict[str, str]:
    found = re.findall(
        r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', response.content.decode()
    )
    return {hreflang: html.unescape(href) for hreflang, href in found}


def test_the_parameter_opens_a_page_in_its_language_whatever_the_browser_asks():
    about = reverse("about")
    spanish = Client().get(about + "?lang=es", headers={"accept-language": "en"})
    english = Client().get(about + "?lang=en", headers={"accept-language": "es"})

    assert html_lang(spanish) == "es" and spanish["Content-Language"] == "es"
    with translation.override("es"):
        heading = gettext("Guiding principles")
    assert heading != "Guiding principles" and heading in spanish.content.decode()
    assert html_lang(english) == "en" and english["Content-Language"] == "en"


def test_a_visitor_who_followed_a_spanish_link_keeps_reading_in_spanish():
    visitor = Client()
    first = visitor.get(reverse("about") + "?lang=es", headers={"accept-language": "en"})
    assert first.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"

    next_page = visitor.get(reverse("news:list"), headers={"accept-language": "en"})

    assert html_lang(next_page) == "es"


def test_a_value_that_is_not_one_of_our_languages_changes_nothing():
    for value in ("fr", "ES", "es\x00", "x" * 500, ""):
        response = Client().get(
            reverse("about"), {"lang": value}, headers={"accept-language": "en"}
        )
        assert response.status_code == 200, value
        assert html_lang(response) == "en", value
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies, value


def test_each_page_names_its_english_spanish_and_default_versions_on_the_site_address(settings):
    settings.SITE_URL = "https://portal.example.org"
    post = NewsPostFactory(title="Jobs along the BeltLine")

    found = alternates(
        Client().get(post.get_absolute_url() + "?lang=es", headers={"host": "testserver"})
    )

    address = "https://portal.example.org" + post.get_absolute_url()
    assert found == {"en": address + "?lang=en", "es": address + "?lang=es", "x-default": address}


def test_the_versions_keep_the_query_a_page_reads_and_nothing_else():
    library = reverse("research:search")

    found = alternates(Client().get(library + "?q=wages&utm_source=mail&lang=es"))

    assert found["es"].endswith(library + "?q=wages&lang=es")
    assert found["x-default"].endswith(library + "?q=wages")


def test_the_cached_page_in_one_language_is_never_served_for_the_other():
    about = reverse("about")
    assert html_lang(Client().get(about, headers={"accept-language": "en"})) == "en"

    spanish = Client().get(about + "?lang=es", headers={"accept-language": "en"})
    by_browser = Client().get(about, headers={"accept-language": "es"})
    english = Client().get(about + "?lang=en", headers={"accept-language": "es"})

    assert html_lang(spanish) == "es"
    # One stored page per language, whichever way the language was chosen.
    assert same_for_everyone(spanish) == same_for_everyone(by_browser)
    assert html_lang(english) == "en"


def test_switching_language_from_a_page_opened_in_spanish_goes_back_to_it_in_english(client):
    forums = reverse("forums:list")
    page = client.get(forums + "?audience=public&lang=es")
    assert f'name="next" type="hidden" value="{forums}?audience=public"' in page.content.decode()

    response = client.post(
        reverse("set_language"), {"language": "en", "next": forums + "?lang=es&audience=public"}
    )

    assert response.status_code == 302
    assert response["Location"] == forums + "?audience=public"
    assert html_lang(client.get(response["Location"])) == "en"
