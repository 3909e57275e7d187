"""The account pages (allauth's sign-in, password, email and two-factor
pages) are the portal's pages: its header and footer, one heading, labelled
fields whose errors are read with them, the site's buttons, and Spanish for
a Spanish speaker. allauth's emails carry the portal's name and address."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.test import Client
from django.urls import reverse
from lxml import html as lxml_html

from circle.models import User
from justop.models import OutboxEmail
from tests.browsing import LANGUAGE_WIDTHS, page_context
from tests.factories import PASSWORD, StaffFactory, UserFactory, sign_in_with_second_factor

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class AccountPage:
    name: str
    url_name: str
    # Who asks: nobody, a person, or a person with an authenticator app and
    # recovery codes (the recovery codes page shows theirs).
    who: str
    # What a Spanish speaker reads on it (allauth's or the portal's Spanish).
    spanish: str


PAGES = [
    AccountPage("login", "account_login", "nobody", "Acceso para miembros"),
    AccountPage("password reset", "account_reset_password", "nobody", "Restablecer la contraseña"),
    AccountPage(
        "password reset done", "account_reset_password_done", "nobody", "Restablecer la contraseña"
    ),
    AccountPage("password change", "account_change_password", "person", "Cambiar la contraseña"),
    AccountPage("email addresses", "account_email", "person", "Direcciones de correo"),
    AccountPage("reauthenticate", "account_reauthenticate", "person", "Confirmar acceso"),
    AccountPage("two-factor", "mfa_index", "person", "Autenticación de dos factores"),
    AccountPage(
        "totp activate", "mfa_activate_totp", "person", "Activar la aplicación de autenticación"
    ),
    AccountPage("recovery codes", "mfa_view_recovery_codes", "mfa", "Códigos de recuperación"),
    AccountPage("add a passkey", "mfa_add_webauthn", "person", "Nombre"),
]


def signed_in_just_now(person: User) -> Client:
    """Signed in, and the password given again just now, so the pages that
    ask for it (the authenticator, the recovery codes) open at once."""
    client = Client()
    sign_in_with_second_factor(client, person)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response
    return client


def client_for(who: str, language: str = "en") -> Client:
    """A client asking in the language: by Accept-Language when nobody is
    signed in, by the language cookie (the footer's switch) when someone is."""
    if who == "nobody":
        return Client(headers={"accept-language": language})
    if who == "mfa":
        person: User = StaffFactory(is_staff=False, is_superuser=False)
        RecoveryCodes.activate(person)
    else:
        person = UserFactory()
    client = signed_in_just_now(person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def page_html(page: AccountPage, language: str = "en"):
    response = client_for(page.who, language).get(reverse(page.url_name))
    assert response.status_code == 200, f"{page.name}: {response.status_code}"
    return lxml_html.fromstring(response.content)


def text_of(element) -> str:
    return " ".join(element.text_content().split())


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_each_account_page_is_in_the_portal_layout_with_one_heading(page):
    html = page_html(page)
    assert html.xpath("//header[contains(@class, 'site-header')]"), "no portal header"
    assert html.xpath("//footer[contains(@class, 'site-footer')]"), "no portal footer"
    assert html.xpath("//main[@id='main']"), "no main landmark"
    assert len(html.xpath("//h1")) == 1
    # allauth's own layout prints a bare "Menu:" list; the portal's does not.
    assert "Menu:" not in text_of(html)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_each_account_page_speaks_spanish_to_a_spanish_speaker(page):
    html = page_html(page, "es")
    assert html.get("lang") == "es"
    text = text_of(html)
    assert page.spanish in text
    assert "Saltar al contenido principal" in text


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_field_has_a_label_and_every_button_the_sites_class(page):
    (main,) = page_html(page).xpath("//main")
    for field in main.xpath(".//input[not(@type='hidden')] | .//select | .//textarea"):
        field_id = field.get("id")
        assert field_id and main.xpath(f".//label[@for='{field_id}']"), (
            f"{page.name}: unlabelled {lxml_html.tostring(field)!r}"
        )
    for button in main.xpath(".//button"):
        assert "button" in button.classes, f"{page.name}: bare {lxml_html.tostring(button)!r}"


def described_by(html, field) -> list:
    return [html.get_element_by_id(part) for part in field.get("aria-describedby", "").split()]


def test_a_wrong_password_is_said_beside_the_field_and_read_with_it():
    client = Client()
    sign_in_with_second_factor(client, UserFactory())
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-my-password", "password1": "x", "password2": "y"},
    )
    assert response.status_code == 200
    html = lxml_html.fromstring(response.content)
    (field,) = html.xpath("//input[@name='oldpassword']")
    assert field.get("aria-invalid") == "true"
    errors = [part for part in described_by(html, field) if "errorlist" in part.classes]
    assert errors and "password" in text_of(errors[0]).lower()


def test_the_authenticator_secret_is_labelled_and_its_help_read_with_it():
    html = page_html(PAGES[7])
    assert html.xpath("//label[@for='authenticator_secret']")
    (help_text,) = described_by(html, html.get_element_by_id("authenticator_secret"))
    assert "reinstall your authenticator app" in text_of(help_text)


def test_the_code_asked_for_at_sign_in_is_in_the_portal_and_in_spanish():
    person = StaffFactory(is_staff=False, is_superuser=False)
    client = Client(headers={"accept-language": "es"})
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.get(response["Location"])
    assert response.status_code == 200
    html = lxml_html.fromstring(response.content)
    assert html.xpath("//header[contains(@class, 'site-header')]")
    assert len(html.xpath("//h1")) == 1
    assert "Autenticación de dos factores" in text_of(html.xpath("//h1")[0])
    (code,) = html.xpath("//input[@name='code']")
    assert html.xpath(f"//label[@for='{code.get('id')}']")
    assert all("button" in button.classes for button in html.xpath("//main//button"))


# --- Emails ----------------------------------------------------------------------


PORTAL = "https://circle.example.org"


@pytest.fixture
def spanish_reset_email(settings, django_capture_on_commit_callbacks) -> OutboxEmail:
    # The portal's public address differs from the host the request came in on.
    settings.SITE_URL = PORTAL
    UserFactory(email="ana@example.org", language="es")
    with django_capture_on_commit_callbacks(execute=False):
        # Asked for from a browser in English: the email follows the person.
        Client(headers={"accept-language": "en"}).post(
            reverse("account_reset_password"), {"email": "ana@example.org"}
        )
    return OutboxEmail.objects.get(recipient="ana@example.org")


def test_a_password_reset_email_is_in_the_persons_language_with_the_portals_name(
    spanish_reset_email,
):
    email = spanish_reset_email
    assert email.language == "es"
    assert email.subject == f"[{settings.SITE_NAME}] Correo electrónico para restablecer contraseña"
    assert f"¡Hola de parte de {settings.SITE_NAME}!" in email.body_text
    assert f"¡Gracias por usar {settings.SITE_NAME}!" in email.body_text


def test_a_password_reset_email_links_to_the_portals_address(spanish_reset_email, settings):
    email = spanish_reset_email
    for text in (email.subject, email.body_text, email.body_html):
        for host in ("127.0.0.1", "example.com", "testserver"):
            assert host not in text
    links = re.findall(r"https?://\S+", email.body_text)
    assert links and all(
        link.rstrip("/") == PORTAL or link.startswith(PORTAL + "/") for link in links
    )
    assert any("/password/reset/key/" in link for link in links), links


def test_the_reset_link_opens_the_page_to_choose_a_new_password(spanish_reset_email, settings):
    link = next(
        link
        for link in re.findall(r"https?://\S+", spanish_reset_email.body_text)
        if "/password/reset/key/" in link
    )
    client = Client()
    response = client.get(link.removeprefix(PORTAL), follow=True)
    assert response.status_code == 200
    assert 'name="password1"' in response.content.decode()


# --- In a browser ------------------------------------------------------------------

BROWSER_PAGES: list[tuple[str, Callable[[], str]]] = [
    ("nobody", lambda: reverse("account_login")),
    ("nobody", lambda: reverse("account_reset_password")),
    ("person", lambda: reverse("mfa_activate_totp")),
]


def axe_violations(axe, page, where: str) -> list[str]:
    return [
        f"{where}: {violation['id']} ({violation['impact']}) "
        f"{[node['target'] for node in violation['nodes']][:3]}"
        for violation in axe.run(page).response["violations"]
    ]


def recently_signed_in_context(browser, live_server, language: str, viewport: str, person):
    """A browser context in the language, signed in with the password just
    now (as client_for), or signed out without a person."""
    context = page_context(browser, live_server, language, viewport)
    if person is not None:
        client = signed_in_just_now(person)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
    return context


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("language", "viewport"), LANGUAGE_WIDTHS)
def test_sign_in_reset_and_two_factor_pages_have_no_accessibility_violation(
    browser, live_server, axe, language, viewport
):
    person = UserFactory()
    problems = []
    for who, path in BROWSER_PAGES:
        context = recently_signed_in_context(
            browser, live_server, language, viewport, person if who == "person" else None
        )
        try:
            page = context.new_page()
            url = live_server.url + path()
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            assert page.url == url, f"{url} redirected to {page.url}"
            assert page.get_attribute("html", "lang") == language
            problems += axe_violations(axe, page, f"{path()} ({language}, {viewport})")
        finally:
            context.close()
    assert not problems, "\n".join(problems)
