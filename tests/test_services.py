"""The portal against the real services it runs on in production: PostgreSQL
with a connection pool, Redis as cache and broker, and a Celery worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from justop import health
from justop.tasks import clear_expired_sessions, ping
from tests.workers import running_worker


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connections_come_from_the_psycopg_pool():
    assert connection.vendor == "postgresql"
    connection.ensure_connection()
    assert connection.pool is not None
    assert connection.pool.max_size == settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]


@pytest.mark.redis
def test_the_cache_is_redis_and_shared():
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("shared-key", "value", 30)
    import redis

    raw = redis.Redis.from_url(settings.REDIS_URL)
    assert any(b"shared-key" in key for key in raw.keys("*shared-key*"))


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_reports_the_broker_up(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_reports_an_unreachable_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    health._broker_client.cache_clear()
    try:
        response = client.get(reverse("healthz"))
    finally:
        health._broker_client.cache_clear()
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("down")


@pytest.mark.redis
@pytest.mark.django_db
def test_sign_in_rate_limits_count_in_redis(client):
    """allauth's limits live in the shared cache, so every web process sees them."""
    from tests.factories import UserFactory

    UserFactory(email="ada@example.org")
    for i in range(6):
        client.post(reverse("account_login"), {"login": "ada@example.org", "password": f"no-{i}"})
    import redis

    raw = redis.Redis.from_url(settings.REDIS_URL)
    assert raw.keys("*rl:*"), "no rate-limit counters were written to Redis"


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_tasks_against_the_database():
    expired = Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1)
    )
    live = Session.objects.create(
        session_key="y" * 32, session_data="", expire_date=timezone.now() + timedelta(days=1)
    )
    with running_worker():
        assert ping.delay().get(timeout=30) == "pong"
        assert clear_expired_sessions.delay().get(timeout=30) == 1
    assert not Session.objects.filter(pk=expired.pk).exists()
    assert Session.objects.filter(pk=live.pk).exists()
