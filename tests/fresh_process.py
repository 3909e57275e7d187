"""Run the portal's settings or manage.py in a fresh interpreter with a chosen
environment, free of whatever configuration the test run itself has."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "Vq3k-8zPw2LxN7mR4tYb9cJh6FgDs1AeUo5KiP0XrTnWlMyBqZvE",
    "ALLOWED_HOSTS": "portal.example.org",
}
_CONFIGURATION = (
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "EMAIL_HOST",
    "CSRF_TRUSTED_ORIGINS",
)


def clean_env(**env: str) -> dict[str, str]:
    clean = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO", "SECRET", "DEBUG")) and name not in _CONFIGURATION
    }
    return clean | env


def run_python(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_settings(
    expr: str = "s.DATABASES['default']['ENGINE']", **env: str
) -> subprocess.CompletedProcess[str]:
    """Imports the real settings module as `s` with `env`, and prints `expr`."""
    return run_python("-c", f"import justop.settings as s; print({expr})", **env)
