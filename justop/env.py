"""Typed readers for configuration from environment variables.

Each reader raises ImproperlyConfigured naming the variable and the value it
could not use, so a typo in a deployment fails at start-up, not at 3 a.m.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def env_str(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of true/false, yes/no, on/off, 1/0."
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is above the maximum of {maximum}.")
    return number


def env_list(
    name: str, default: list[str] | None = None, *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """A comma-separated list; empty items are dropped."""
    value = _raw(name, environ)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(
    name: str, default: str, choices: tuple[str, ...], *, environ: Mapping[str, str] | None = None
) -> str:
    value = _raw(name, environ)
    if value is None:
        return default
    if value.lower() not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value.lower()


def env_url(
    name: str,
    default: str = "",
    *,
    schemes: tuple[str, ...],
    environ: Mapping[str, str] | None = None,
) -> str:
    """A URL whose scheme must be one of `schemes`; returns '' when unset."""
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} is not a valid URL.") from None
    if parts.scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} must start with one of {', '.join(s + '://' for s in schemes)}"
            f" (got {parts.scheme or 'no scheme'}://)."
        )
    if parts.scheme not in ("sqlite",) and not parts.hostname:
        raise ImproperlyConfigured(f"{name} has no host name.")
    return value


def env_origins(name: str, *, environ: Mapping[str, str] | None = None) -> list[str]:
    """CSRF trusted origins: each must carry its scheme (https://example.org)."""
    origins = env_list(name, environ=environ)
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ImproperlyConfigured(
                f"{name} item {origin!r} must be an origin with its scheme, "
                "for example https://portal.example.org."
            )
    return origins


def check_secret_key(value: str | None, *, production: bool) -> str:
    """Production refuses a missing, short or Django-generated development key."""
    if production:
        if not value:
            raise ImproperlyConfigured(
                "SECRET_KEY is required when DJANGO_ENV=production. Generate one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
            )
        if value.startswith("django-insecure"):
            raise ImproperlyConfigured(
                "SECRET_KEY starts with 'django-insecure': generate a real key for production."
            )
        if len(value) < 50 or len(set(value)) < 5:
            raise ImproperlyConfigured(
                "SECRET_KEY is too short or too simple for production: use at least 50 "
                "random characters."
            )
        return value
    return value or "django-insecure-development-only-key-never-use-in-production"
