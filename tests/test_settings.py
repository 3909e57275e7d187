"""Configuration comes from the environment; a bad value stops start-up with a
message that names the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from justop.env import (
    check_secret_key,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_origins,
    env_url,
)
from tests.fresh_process import PRODUCTION, load_settings

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k3J9x-Qm2vLp8RtZ4wYc7NbHs5FgDa1EuIoKjP6XrTyUlMnBqVe0Wz"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("YES", True),
        ("on", True),
        ("1", True),
        ("false", False),
        ("0", False),
        ("off", False),
        ("No", False),
    ],
)
def test_it_reads_booleans(raw, expected):
    assert env_bool("FLAG", False, environ={"FLAG": raw}) is expected


def test_it_uses_the_default_when_unset_or_blank():
    assert env_bool("FLAG", True, environ={}) is True
    assert env_bool("FLAG", True, environ={"FLAG": "  "}) is True
    assert env_int("N", 7, environ={}) == 7


def test_it_refuses_a_word_that_is_not_a_boolean():
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG", False, environ={"DEBUG": "maybe"})


def test_it_refuses_a_number_that_is_not_whole():
    with pytest.raises(ImproperlyConfigured, match=r"EMAIL_PORT='25a' is not a whole number"):
        env_int("EMAIL_PORT", 25, environ={"EMAIL_PORT": "25a"})


def test_it_refuses_numbers_out_of_range():
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT=-1 is below the minimum"):
        env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, environ={"TRUSTED_PROXY_COUNT": "-1"})
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT=70000 is above the maximum"):
        env_int("EMAIL_PORT", 25, maximum=65535, environ={"EMAIL_PORT": "70000"})


def test_it_splits_lists_and_drops_empty_items():
    assert env_list("HOSTS", environ={"HOSTS": "a.org, b.org,,"}) == ["a.org", "b.org"]


def test_it_refuses_an_unknown_environment_name():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ENV='staging' is not one of"):
        env_choice(
            "DJANGO_ENV",
            "development",
            ("development", "production"),
            environ={"DJANGO_ENV": "staging"},
        )


def test_it_refuses_a_database_url_with_an_unknown_scheme():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must start with one of"):
        env_url(
            "DATABASE_URL",
            schemes=("sqlite", "postgres"),
            environ={"DATABASE_URL": "mysql://db/portal"},
        )


def test_it_refuses_a_url_without_host():
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL has no host name"):
        env_url("REDIS_URL", schemes=("redis",), environ={"REDIS_URL": "redis://"})


def test_it_refuses_csrf_origins_without_scheme():
    with pytest.raises(ImproperlyConfigured, match="must be an origin with its scheme"):
        env_origins("CSRF_TRUSTED_ORIGINS", environ={"CSRF_TRUSTED_ORIGINS": "portal.example.org"})


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "SECRET_KEY is required when DJANGO_ENV=production"),
        ("django-insecure-" + "x" * 60, "starts with 'django-insecure'"),
        ("short-key", "too short or too simple"),
        ("a" * 60, "too short or too simple"),
    ],
)
def test_production_refuses_weak_secret_keys(key, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        check_secret_key(key, production=True)


def test_development_has_a_key_of_its_own():
    assert check_secret_key(None, production=False).startswith("django-insecure")
    assert check_secret_key(GOOD_KEY, production=True) == GOOD_KEY


def test_settings_default_to_the_embedded_setup():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_settings_switch_to_postgresql_with_database_url():
    result = load_settings(DATABASE_URL="postgres://u:p@db.example.org:5432/portal")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DJANGO_ENV": "production", "ALLOWED_HOSTS": "example.org"},
            "SECRET_KEY is required when DJANGO_ENV=production",
        ),
        (
            {"DJANGO_ENV": "production", "SECRET_KEY": GOOD_KEY},
            "ALLOWED_HOSTS is required when DJANGO_ENV=production",
        ),
        (
            {
                "DJANGO_ENV": "production",
                "SECRET_KEY": GOOD_KEY,
                "ALLOWED_HOSTS": "example.org",
                "DEBUG": "true",
            },
            "DEBUG=true is refused",
        ),
        (
            {"EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "smtp"},
            "EMAIL_PORT='smtp' is not a whole number",
        ),
        ({"REDIS_URL": "http://cache.example.org"}, "REDIS_URL must start with one of"),
        (
            {"SESSION_IDLE_TIMEOUT": "7200", "SESSION_ABSOLUTE_TIMEOUT": "3600"},
            "SESSION_ABSOLUTE_TIMEOUT must not be shorter",
        ),
    ],
)
def test_settings_stop_with_a_clear_message_on_bad_values(env, message):
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_settings_keep_the_options_of_the_database_url():
    result = load_settings(
        expr="[s.DATABASES['default']['OPTIONS'][k] for k in ('sslmode', 'pool')]",
        DATABASE_URL="postgres://u:p@db.example.org/portal?sslmode=require",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['require', {'min_size': 1, 'max_size': 10, 'timeout': 10}]"


def test_settings_can_leave_pooling_to_pgbouncer():
    result = load_settings(
        expr="('pool' in s.DATABASES['default']['OPTIONS'], "
        "s.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'])",
        DATABASE_URL="postgres://u:p@pgbouncer/portal",
        DATABASE_POOL="false",
    )
    assert result.stdout.strip() == "(False, True)", result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {
                "DATABASE_URL": "postgres://u:p@db/portal",
                "DATABASE_POOL_MIN": "20",
                "DATABASE_POOL_MAX": "5",
            },
            "DATABASE_POOL_MIN (20) is larger than DATABASE_POOL_MAX (5)",
        ),
        (
            {"DJANGO_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": ".example.org"},
            "SITE_URL is required when the first ALLOWED_HOSTS entry",
        ),
        (
            # Sign-in and one-click unsubscribe links must not travel in clear text.
            {**PRODUCTION, "SITE_URL": "http://portal.example.org"},
            "SITE_URL must start with https:// in production",
        ),
        (
            # A claim shorter than a task may run would let two workers send one email.
            {**PRODUCTION, "OUTBOX_CLAIM_TIMEOUT": "60"},
            "OUTBOX_CLAIM_TIMEOUT (60s) must exceed the task time limit",
        ),
    ],
)
def test_settings_refuse_inconsistent_values(env, message):
    result = load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr
