"""Headers and policies that protect every page."""

from __future__ import annotations

import ast
import re

import pytest
from django.urls import reverse

from tests.fresh_process import PRODUCTION, load_settings, run_python

pytestmark = pytest.mark.django_db


def csp_nonce(response) -> str:
    match = re.search(r"script-src [^;]*'nonce-([^']+)'", response["Content-Security-Policy"])
    assert match, response["Content-Security-Policy"]
    return match.group(1)


def test_pages_send_a_content_security_policy_with_a_fresh_nonce(client):
    first = client.get(reverse("home"))
    second = client.get(reverse("home"))
    policy = first["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert csp_nonce(first) != csp_nonce(second)


def test_every_script_on_the_home_page_carries_the_nonce(client):
    response = client.get(reverse("home"))
    nonce = csp_nonce(response)
    tags = re.findall(r"<script\b[^>]*>", response.content.decode())
    # JSON-LD is a data block: browsers never run it, so CSP does not apply.
    scripts = [tag for tag in tags if 'type="application/ld+json"' not in tag]
    assert len(scripts) < len(tags), "the home page lost its JSON-LD"
    assert any("htmx" in tag for tag in scripts), "htmx is not loaded"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag


def test_htmx_is_served_from_our_own_origin(client):
    html = client.get(reverse("home")).content.decode()
    src = re.search(r'<script src="([^"]*htmx[^"]*\.js)"', html).group(1)
    assert src.startswith("/static/")
    response = client.get(src)
    assert response.status_code == 200
    assert b"htmx" in b"".join(response.streaming_content)


def test_pages_refuse_framing_and_limit_referrers(client):
    response = client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_forms_need_a_csrf_token(client):
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()


def test_production_passes_the_deployment_checklist_without_warnings():
    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_hardens_cookies_transport_and_sessions():
    result = load_settings(
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_IDLE_TIMEOUT, s.SESSION_ABSOLUTE_TIMEOUT,"
        " s.SECURE_PROXY_SSL_HEADER, s.ALLAUTH_TRUSTED_PROXY_COUNT",
        **PRODUCTION,
        TRUSTED_PROXY_COUNT="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "True 31536000 True True 14400 86400 ('HTTP_X_FORWARDED_PROTO', 'https') 1"
    )


@pytest.mark.browser
def test_htmx_runs_in_a_real_browser_under_the_policy(live_server, page):
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security" in msg.text else None,
    )
    page.goto(live_server.url + reverse("home"))
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("window.htmx.version").startswith("2.")
    assert violations == []


def test_health_endpoints_answer_over_plain_http_in_production_and_pages_do_not(client, settings):
    # A load balancer or container check calls them over plain HTTP.
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = ast.literal_eval(
        load_settings("s.SECURE_REDIRECT_EXEMPT", **PRODUCTION).stdout
    )
    assert client.get("/livez").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/").status_code == 301
