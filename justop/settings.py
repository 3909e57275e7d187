"""Settings of the JUST Opportunity Portal.

Everything that differs between machines comes from environment variables
(see README.md, "Configuration"). With none set, the portal runs on an
embedded default: a SQLite file, a local-memory cache, Celery tasks run
eagerly and email printed to the console.
"""

from __future__ import annotations

import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_noop

from justop.env import (
    check_secret_key,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_origins,
    env_str,
    env_url,
)
from justop.storage import storages_from_env

# Lets Django's generic classes be subscripted (ModelAdmin[User]) for typing.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_choice("DJANGO_ENV", "development", ("development", "production"))
PRODUCTION = DJANGO_ENV == "production"

SECRET_KEY = check_secret_key(env_str("SECRET_KEY") or None, production=PRODUCTION)
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG=true is refused when DJANGO_ENV=production.")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DJANGO_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_origins("CSRF_TRUSTED_ORIGINS")

# Public address of the site, used in emails and feeds (no trailing slash).
SITE_URL = env_url("SITE_URL", schemes=("http", "https")).rstrip("/")
if not SITE_URL:
    if not PRODUCTION:
        SITE_URL = "http://127.0.0.1:8000"
    elif ALLOWED_HOSTS[0].startswith(".") or "*" in ALLOWED_HOSTS[0]:
        raise ImproperlyConfigured(
            f"SITE_URL is required when the first ALLOWED_HOSTS entry ({ALLOWED_HOSTS[0]}) "
            "is a pattern: set it to the public address, e.g. https://portal.example.org."
        )
    else:
        SITE_URL = f"https://{ALLOWED_HOSTS[0]}"
if PRODUCTION and not SITE_URL.startswith("https://"):
    # Links in emails (sign-in, unsubscribe) must not travel in clear text;
    # RFC 8058 one-click unsubscribe requires HTTPS.
    raise ImproperlyConfigured(f"SITE_URL must start with https:// in production, not {SITE_URL}.")

# Number of reverse proxies in front of the web processes (load balancer,
# nginx...). The client address is then read from X-Forwarded-For, counting
# from the right, and the HTTPS scheme from X-Forwarded-Proto.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)

INSTALLED_APPS = [
    # Before the admin: it registers each app's translation.py (translatable
    # content fields, docs/architecture.md "Content in two languages").
    "modeltranslation",
    "circle",
    "asks",
    "justop",
    "forums",
    "research",
    "news",
    "volunteering",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
]

MIDDLEWARE = [
    "justop.cache_control.PrivateCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what the views write (HTML, feeds, calendars), not files.
    "justop.compression.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # ?lang=es: the address names the page's language (justop/languages.py).
    "justop.languages.LanguageParameterMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, whose process_view reads the body (justop/bodylimit.py).
    "justop.bodylimit.BodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "justop.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "circle.staff.StaffPowerMiddleware",
    # A members-only page a signed-out person followed a link to: sign in and back.
    "circle.signin.SignInRequiredMiddleware",
]

ROOT_URLCONF = "justop.urls"
WSGI_APPLICATION = "justop.wsgi.application"
ASGI_APPLICATION = "justop.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "justop.context_processors.site",
                "circle.context_processors.membership",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL",
    default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql"),
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
# Query parameters of the URL (?sslmode=require...) arrive in OPTIONS; keep them.
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if env_bool("DATABASE_POOL", default=True):
        # psycopg 3's connection pool, one per process; persistent connections
        # (CONN_MAX_AGE) must stay off when the pool is on.
        _pool_min = env_int("DATABASE_POOL_MIN", 1, minimum=0)
        _pool_max = env_int("DATABASE_POOL_MAX", 10, minimum=1)
        if _pool_min > _pool_max:
            raise ImproperlyConfigured(
                f"DATABASE_POOL_MIN ({_pool_min}) is larger than DATABASE_POOL_MAX ({_pool_max})."
            )
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        _db_options["pool"] = {"min_size": _pool_min, "max_size": _pool_max, "timeout": 10}
    else:
        # Behind a server-side pooler in transaction mode (PgBouncer): no
        # pool of our own, no server-side cursors, no prepared statements.
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0)
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        _db_options["prepare_threshold"] = None
else:
    _db_options.update(
        {
            # WAL lets the development server and an eager task read while
            # another request writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
# The cache may live in a Redis of its own (with an eviction policy), while
# the broker's Redis must never evict.
REDIS_CACHE_URL = env_url("REDIS_CACHE_URL", REDIS_URL, schemes=("redis", "rediss"))
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "justop",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Public pages as visitors see them are kept this long at most (0 turns the
# cache off); any change to content replaces them sooner (justop/pagecache.py).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60, minimum=0)

_celery_redis_url = REDIS_URL
if REDIS_URL.startswith("rediss://") and "ssl_cert_reqs" not in REDIS_URL:
    # Celery's Redis transport and result backend need the TLS policy spelt out.
    _celery_redis_url += ("&" if "?" in REDIS_URL else "?") + "ssl_cert_reqs=required"
CELERY_BROKER_URL = _celery_redis_url or "memory://"
CELERY_RESULT_BACKEND = _celery_redis_url or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
# A task is acknowledged after it ran, and given back to the queue when the
# worker dies under it, so a crash delays work instead of losing it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery closes the database connections after every task, and in a prefork
# child with psycopg's pool it closes the pool itself: every email would open
# two new PostgreSQL connections. Closing only every this-many tasks keeps the
# pool; justop/celery.py still hands connections back to it after each task
# and drops broken ones.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000, minimum=0)
# With acks_late, a task not acknowledged within this time is delivered again;
# it must exceed the hard time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "America/New_York"

# --- Email --------------------------------------------------------------------
# Django 6.1 configures mail through MAILERS; the variables keep the
# familiar EMAIL_* names. Development prints mail to the console unless
# EMAIL_HOST is set; production always sends by SMTP (default: a local MTA).
_email_host = env_str("EMAIL_HOST", "localhost" if PRODUCTION else "")
if _email_host:
    _email_port = env_int(
        "EMAIL_PORT", 587 if env_str("EMAIL_HOST") else 25, minimum=1, maximum=65535
    )
    _email_use_tls = env_bool("EMAIL_USE_TLS", default=_email_port == 587)
    _email_use_ssl = env_bool("EMAIL_USE_SSL", default=_email_port == 465)
    if _email_use_tls and _email_use_ssl:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": _email_port,
                "username": env_str("EMAIL_HOST_USER") or None,
                "password": env_str("EMAIL_HOST_PASSWORD") or None,
                "use_tls": _email_use_tls,
                "use_ssl": _email_use_ssl,
                "timeout": env_int("EMAIL_TIMEOUT", 20, minimum=1),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# People who receive error reports (comma-separated addresses).
ADMINS = env_list("ADMINS")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "JUST Opportunity Circle <noreply@justopportunity.example.org>"
)
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
SITE_NAME = "JUST Opportunity Circle"

# The outbox (justop/outbox.py). A claim older than OUTBOX_CLAIM_TIMEOUT
# belongs to a dead worker and may be taken over: keep it above the task
# time limit, so a slow but living worker is never doubled.
OUTBOX_CLAIM_TIMEOUT = env_int("OUTBOX_CLAIM_TIMEOUT", 600, minimum=1)
# A pending email whose send task has not run this long is put on the broker again.
OUTBOX_REQUEUE_AFTER = env_int("OUTBOX_REQUEUE_AFTER", 300, minimum=0)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8, minimum=1)
OUTBOX_RETRY_BASE = env_int("OUTBOX_RETRY_BASE", 60, minimum=0)
# Below the broker's visibility timeout, so a delayed retry is not redelivered early.
OUTBOX_RETRY_MAX = env_int("OUTBOX_RETRY_MAX", 1800, minimum=0, maximum=3000)
# Sent, failed and cancelled emails are deleted after this many days.
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 180, minimum=1)
if PRODUCTION and OUTBOX_CLAIM_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"OUTBOX_CLAIM_TIMEOUT ({OUTBOX_CLAIM_TIMEOUT}s) must exceed the task time limit "
        f"({CELERY_TASK_TIME_LIMIT}s), or a slow send could be taken over and doubled."
    )

# --- Authentication -----------------------------------------------------------
AUTH_USER_MODEL = "circle.User"
# One backend, so a failed sign-in costs one password hash, not one per
# backend. allauth's finds people by email (falling back on the account's own
# address, as createsuperuser leaves it) and extends ModelBackend, which
# answers permission checks. Sessions opened through the former first entry,
# ModelBackend, end when this is deployed: people sign in again once.
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "circle:member_home"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "justop.allauth.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(SITE_URL).scheme
ACCOUNT_SESSION_REMEMBER = False
# allauth's defaults, stated so they are visible and reviewed: they count in
# the cache, which is Redis (shared by all web processes) whenever REDIS_URL is set.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "JUST Opportunity Portal"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION

# --- Internationalisation -------------------------------------------------------
LANGUAGE_CODE = "en"
# Marked only: Django translates the names when it lists the languages.
LANGUAGES = [("en", gettext_noop("English")), ("es", gettext_noop("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Content fields in both languages (django-modeltranslation): `title` reads
# the active language's column and falls back to English when it is empty.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "es")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
USE_I18N = True
USE_TZ = True
TIME_ZONE = "America/New_York"

# --- Static and media files -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (justop/storage.py; docs/deploy.md, "Files"): a public store
# (logos, hero images) and a private one (research files, covers, forum
# materials). Local folders MEDIA_ROOT/public, served under MEDIA_URL by the
# portal itself, and MEDIA_ROOT/private, served by nothing; or two buckets
# of an S3-compatible object store when S3_PUBLIC_BUCKET and
# S3_PRIVATE_BUCKET are set.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
_files = storages_from_env(production=PRODUCTION)
# Seconds a signed URL of a private object lives; 0 streams private files
# through the views (justop.storage.signed_url).
S3_SIGNED_URL_SECONDS = _files.signed_url_seconds
STORAGES = {
    **_files.storages,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    # In development static files come from the finders; collectstatic's
    # directory need not exist.
    warnings.filterwarnings("ignore", message="No directory at: .*staticfiles")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest body of a request that sends no file (justop/bodylimit.py).
REQUEST_BODY_LIMIT = env_int("REQUEST_BODY_LIMIT", 1024 * 1024, minimum=64 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    # The object store's public address when files live there.
    "img-src": [CSP.SELF, "data:", *_files.image_origins],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sessions end after a period without activity and, whatever the activity,
# after an absolute lifetime (justop.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = env_int(
    "SESSION_IDLE_TIMEOUT", 4 * 3600 if PRODUCTION else 14 * 86400, minimum=60
)
SESSION_ABSOLUTE_TIMEOUT = env_int(
    "SESSION_ABSOLUTE_TIMEOUT", 24 * 3600 if PRODUCTION else 30 * 86400, minimum=60
)
if SESSION_ABSOLUTE_TIMEOUT < SESSION_IDLE_TIMEOUT:
    raise ImproperlyConfigured(
        "SESSION_ABSOLUTE_TIMEOUT must not be shorter than SESSION_IDLE_TIMEOUT."
    )
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
