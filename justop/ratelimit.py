"""Rate limits for public forms (join applications, registrations, sign-ups).

Counts live in the cache, which is Redis whenever REDIS_URL is set, so every
web process shares them. Windows are fixed (a count per period), enough to
stop a script while letting a person who mistyped try again."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    seconds: int


def client_ip(request: HttpRequest) -> str:
    # allauth reads X-Forwarded-For only as far as TRUSTED_PROXY_COUNT allows.
    return str(get_adapter().get_client_ip(request))


def allow(request: HttpRequest, limit: Limit, key: str | None = None) -> bool:
    """Count one attempt; False once the attempts of this window exceed the
    limit. ``key`` counts per something else than the client's address (an
    email address, say)."""
    ident = hashlib.sha256((key or client_ip(request)).lower().encode()).hexdigest()[:32]
    window = int(time.time() // limit.seconds)
    cache_key = f"rl:{limit.scope}:{ident}:{window}"
    if cache.add(cache_key, 1, timeout=limit.seconds + 1):
        return limit.count >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=limit.seconds + 1)
        return True
    return count <= limit.count
