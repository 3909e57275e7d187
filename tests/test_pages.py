import re

import pytest
from django.urls import reverse

from justop.content import GUIDING_PRINCIPLES

pytestmark = pytest.mark.django_db


def test_home_shows_the_mission_and_the_six_guiding_principles(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "shared prosperity in metropolitan Atlanta" in html
    assert len(GUIDING_PRINCIPLES) == 6
    for slug, _title, text in GUIDING_PRINCIPLES:
        assert f'id="principle-{slug}"' in html
        assert str(text) in html


def test_home_has_landmarks_a_skip_link_and_a_language_switcher(client):
    html = client.get(reverse("home")).content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html and "<nav" in html
    assert f'action="{reverse("set_language")}"' in html
    assert "Connect with PSE" in html


def test_about_page_tells_what_the_circle_is(client):
    response = client.get(reverse("about"))
    assert response.status_code == 200
    assert "JUST Opportunity Circle (JOC)" in response.content.decode()


def test_home_speaks_spanish_when_the_browser_asks_for_it(client):
    html = client.get(reverse("home"), headers={"accept-language": "es"}).content.decode()
    assert '<html lang="es">' in html
    assert "Principios rectores" in html
    assert "Saltar al contenido principal" in html


def test_the_language_switcher_remembers_the_choice(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/about/"})
    assert response.status_code == 302
    assert response["Location"] == "/about/"
    assert '<html lang="es">' in client.get(reverse("about")).content.decode()


def test_an_unknown_page_answers_404_in_the_site_style(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="skip-link"' in html
    assert re.search(r"<title>Page not found", html)
    assert re.search(r"<h1[^>]*>We couldn.t find that page</h1>", html)


def test_the_server_error_page_stands_alone(client):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "<html" in html and "site.css" in html


def test_the_language_choice_becomes_the_members_email_language(client, user):
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    user.refresh_from_db()
    assert user.language == "es"


def test_an_unknown_language_changes_nothing(client, user):
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
