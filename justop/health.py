"""The state of the services the portal needs, for /healthz."""

from __future__ import annotations

import functools
import uuid

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

TIMEOUT = 1.0


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    ok = cache.get(key) == "1"
    cache.delete(key)
    if not ok:
        raise RuntimeError("cache did not return what was stored")
    return "ok"


@functools.cache
def _broker_client(url: str) -> redis.Redis:
    # One client (and its connection pool) per process keeps the check cheap.
    return redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)


def check_broker() -> str:
    if settings.CELERY_BROKER_URL.startswith("memory://"):
        return "eager"  # No broker: tasks run in the web process.
    _broker_client(settings.CELERY_BROKER_URL).ping()
    return "ok"


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def run_checks() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # any failure means "down"
            healthy = False
            results[name] = f"down: {type(exc).__name__}"
    return healthy, results
