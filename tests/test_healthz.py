import pytest
from django.urls import reverse

from justop import health

pytestmark = pytest.mark.django_db


def test_it_reports_every_service_up(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert body["checks"]["broker"] in {"ok", "eager"}
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_and_names_the_service_that_is_down(client, monkeypatch):
    def broken():
        raise ConnectionError("refused")

    monkeypatch.setitem(health.CHECKS, "broker", broken)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"] == "down: ConnectionError"
    assert body["checks"]["database"] == "ok"


def test_it_reports_a_database_that_is_down(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("gone")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("down")


def test_it_runs_one_database_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(reverse("healthz")).status_code == 200


def test_it_does_not_start_a_session(client):
    response = client.get(reverse("healthz"))
    assert "sessionid" not in response.cookies


def test_livez_answers_without_touching_any_service(client, django_assert_num_queries, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
