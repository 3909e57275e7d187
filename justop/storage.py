"""The portal's two file stores, behind Django's STORAGES.

- ``STORAGES["default"]``, the **public** store: logos and news hero images,
  shown to anyone. Every name in it is chosen by the server and never changes
  content (a content hash, or a random name for older uploads), so a copy may
  be cached for a year.
- ``STORAGES["private"]``, the **private** store: research files and covers,
  forum materials, anything behind a visibility rule. It has no URL: a file
  leaves it only through a view that applied the rule, which streams it or,
  with an object store and ``S3_SIGNED_URL_SECONDS``, answers with a signed
  URL that expires (``signed_url``).

Each is a local folder by default (``MEDIA_ROOT/public``, served under
MEDIA_URL by ``justop.media``, and ``MEDIA_ROOT/private``, served by nothing),
or a bucket of an S3-compatible object store (AWS S3, MinIO, Cloudflare R2,
Ceph) when ``S3_PUBLIC_BUCKET`` and ``S3_PRIVATE_BUCKET`` are set
(``storages_from_env``, read by justop/settings.py; docs/deploy.md, "Files").
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, cached_property, empty

from justop.env import env_choice, env_int, env_str, env_url

PUBLIC = "default"
PRIVATE = "private"
PUBLIC_FOLDER = "public"
PRIVATE_FOLDER = "private"
# Public objects never change under their name.
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
# A signed URL is at most this long-lived: it cannot be taken back.
MAX_SIGNED_URL_SECONDS = 3600
# Objects larger than this are spooled to a temporary file when read (a
# research file on its way to the reader), not held in memory.
SPOOL_BYTES = 2 * 1024 * 1024


# --- Local folders ----------------------------------------------------------------


class PublicFileSystemStorage(FileSystemStorage):
    """MEDIA_ROOT/public, at MEDIA_URL. A folder of its own, so that nothing
    private is ever below what /media/ (or a web server) serves. Read from
    the settings lazily: FileSystemStorage forgets these properties when
    MEDIA_ROOT or MEDIA_URL change (tests change them)."""

    @cached_property
    def base_location(self) -> str:
        return str(Path(settings.MEDIA_ROOT) / PUBLIC_FOLDER)


class PrivateFileSystemStorage(FileSystemStorage):
    """MEDIA_ROOT/private, with no URL."""

    @cached_property
    def base_location(self) -> str:
        return str(Path(settings.MEDIA_ROOT) / PRIVATE_FOLDER)

    @cached_property
    def base_url(self) -> None:  # type: ignore[override]
        return None

    def url(self, name: str | None) -> str:
        # No public address: forms show no "currently" link to a file path.
        return ""


# --- Object store -------------------------------------------------------------------


def _s3_classes() -> dict[str, type[Storage]]:
    # Imported when a bucket is configured, not when settings load: boto3
    # adds about half a second to the start of every process.
    from storages.backends.s3 import S3Storage

    class PublicS3Storage(S3Storage):  # type: ignore[misc]
        """The public bucket: unsigned URLs under its public address."""

    class PrivateS3Storage(S3Storage):  # type: ignore[misc]
        """The private bucket. ``url`` hands out nothing, as the local
        private store does: only ``signed_url``, called by a view after the
        visibility rule passed, makes an address, and it expires."""

        def url(
            self,
            name: str | None,
            parameters: dict[str, str] | None = None,
            expire: int | None = None,
            http_method: str | None = None,
        ) -> str:
            return ""

        def signed_url(self, name: str, *, parameters: dict[str, str], seconds: int) -> str:
            return str(super().url(name, parameters=parameters, expire=seconds))

    for cls in (PublicS3Storage, PrivateS3Storage):
        cls.__module__, cls.__qualname__ = __name__, cls.__name__
    return {"PublicS3Storage": PublicS3Storage, "PrivateS3Storage": PrivateS3Storage}


_S3_CLASSES: dict[str, type[Storage]] = {}


def __getattr__(name: str) -> type[Storage]:
    """``justop.storage.PublicS3Storage`` and ``PrivateS3Storage``, the
    backends STORAGES names when a bucket is configured."""
    if name in ("PublicS3Storage", "PrivateS3Storage"):
        if not _S3_CLASSES:
            _S3_CLASSES.update(_s3_classes())
        return _S3_CLASSES[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def signed_url(
    storage: Storage, name: str, *, filename: str, content_type: str, as_attachment: bool = True
) -> str | None:
    """A short-lived signed URL of a private object, for a view that has
    just applied the visibility rule, or None: the view then streams the
    file itself. None for local folders, and for an object store unless
    S3_SIGNED_URL_SECONDS is set (its endpoint must then be reachable by
    browsers). The URL makes the store answer with this file name, type and
    ``Cache-Control: private, no-store``, as the view would."""
    seconds = int(getattr(settings, "S3_SIGNED_URL_SECONDS", 0))
    target = _unwrapped(storage)
    if not seconds or not name or not hasattr(target, "signed_url"):
        return None
    disposition = "attachment" if as_attachment else "inline"
    ascii_name = filename.encode("ascii", "ignore").decode() or "download"
    parameters = {
        "ResponseContentDisposition": (
            f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
        ),
        "ResponseContentType": content_type,
        "ResponseCacheControl": "private, no-store",
    }
    return str(target.signed_url(name, parameters=parameters, seconds=seconds))


def _unwrapped(storage: Storage) -> Storage:
    if isinstance(storage, LazyObject):
        if storage._wrapped is empty:
            storage._setup()
        return storage._wrapped  # type: ignore[no-any-return]
    return storage


def is_local(storage: Storage) -> bool:
    return isinstance(_unwrapped(storage), FileSystemStorage)


def local_public_store() -> PublicFileSystemStorage | None:
    """The public store when it is the portal's own folder, which holds
    nothing private: the only store /media/ may serve (justop/media.py)."""
    target = _unwrapped(default_storage)
    return target if isinstance(target, PublicFileSystemStorage) else None


# --- The private store, as model fields hold it ----------------------------------


class _PrivateStore(LazyObject):  # type: ignore[type-arg]
    """``storages["private"]``, looked up when first used and again after
    STORAGES changes. A FileField calls its storage callable once, when the
    model class is made; this proxy lets the field follow the setting."""

    def _setup(self) -> None:
        self._wrapped = storages[PRIVATE]


private_store = _PrivateStore()


@receiver(setting_changed)
def _forget_private_store(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        private_store._wrapped = empty  # type: ignore[assignment]


# --- Settings from the environment ----------------------------------------------


@dataclass(frozen=True)
class StorageConfig:
    """What settings.py needs: the STORAGES entries of both stores, and the
    origins pages load images from (for the Content Security Policy)."""

    storages: dict[str, dict[str, Any]]
    image_origins: list[str] = field(default_factory=list)
    signed_url_seconds: int = 0
    object_store: bool = False


LOCAL = StorageConfig(
    storages={
        PUBLIC: {"BACKEND": "justop.storage.PublicFileSystemStorage"},
        PRIVATE: {"BACKEND": "justop.storage.PrivateFileSystemStorage"},
    }
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def s3_options(
    *,
    bucket: str,
    endpoint_url: str,
    region: str,
    access_key: str,
    secret_key: str,
    addressing_style: str,
    public_url: str = "",
    signed_url_seconds: int = 0,
) -> dict[str, Any]:
    """The django-storages OPTIONS of one bucket: the public one when
    ``public_url`` is given (unsigned URLs under it), else a private one."""
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "region_name": region,
        "signature_version": "s3v4",
        "addressing_style": addressing_style,
        # Never replace an object under a name: as the local folders do, a
        # name taken gets another (names are the server's, so this is rare).
        "file_overwrite": False,
        "default_acl": None,  # access comes from the bucket's policy, not per object
        "max_memory_size": SPOOL_BYTES,
    }
    if endpoint_url:
        options["endpoint_url"] = endpoint_url
    if access_key:
        options["access_key"] = access_key
        options["secret_key"] = secret_key
    if public_url:
        parts = urlsplit(public_url)
        options.update(
            querystring_auth=False,
            custom_domain=(parts.netloc + parts.path).rstrip("/"),
            url_protocol=f"{parts.scheme}:",
            object_parameters={"CacheControl": PUBLIC_CACHE_CONTROL},
        )
    else:
        options.update(
            querystring_auth=True,
            querystring_expire=signed_url_seconds or 60,
            object_parameters={"CacheControl": "private, no-store"},
        )
    return options


def default_public_url(
    *, bucket: str, endpoint_url: str, region: str, addressing_style: str
) -> str:
    """Where the public bucket's objects are, without a CDN in front."""
    if not endpoint_url:
        return f"https://{bucket}.s3.{region}.amazonaws.com"
    parts = urlsplit(endpoint_url.rstrip("/"))
    if addressing_style == "virtual":
        return f"{parts.scheme}://{bucket}.{parts.netloc}{parts.path}"
    return f"{endpoint_url.rstrip('/')}/{bucket}"


def storages_from_env(
    environ: Mapping[str, str] | None = None, *, production: bool = False
) -> StorageConfig:
    """The two stores, from S3_* variables: local folders unless both
    buckets are named. Fails loudly on a half-made configuration."""
    public_bucket = env_str("S3_PUBLIC_BUCKET", environ=environ)
    private_bucket = env_str("S3_PRIVATE_BUCKET", environ=environ)
    if not (public_bucket or private_bucket):
        return LOCAL
    if not (public_bucket and private_bucket):
        raise ImproperlyConfigured(
            "Set both S3_PUBLIC_BUCKET and S3_PRIVATE_BUCKET for the object store, or neither "
            "for local folders."
        )
    if public_bucket == private_bucket:
        raise ImproperlyConfigured(
            "S3_PUBLIC_BUCKET and S3_PRIVATE_BUCKET must be two different buckets: the public "
            "one is readable by anyone."
        )
    endpoint_url = env_url("S3_ENDPOINT_URL", schemes=("http", "https"), environ=environ)
    region = env_str("S3_REGION", "us-east-1", environ=environ)
    access_key = env_str("S3_ACCESS_KEY_ID", environ=environ)
    secret_key = env_str("S3_SECRET_ACCESS_KEY", environ=environ)
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (credentials then "
            "come from the machine's role or AWS_* variables)."
        )
    addressing_style = env_choice(
        "S3_ADDRESSING_STYLE",
        "path" if endpoint_url else "virtual",
        ("path", "virtual"),
        environ=environ,
    )
    public_url = env_url(
        "S3_PUBLIC_URL", schemes=("http", "https"), environ=environ
    ) or default_public_url(
        bucket=public_bucket,
        endpoint_url=endpoint_url,
        region=region,
        addressing_style=addressing_style,
    )
    public_url = public_url.rstrip("/")
    public_host = urlsplit(public_url).hostname or ""
    if production and not public_url.startswith("https://") and not _is_loopback(public_host):
        raise ImproperlyConfigured(
            f"The public files' address {public_url} must start with https:// in production "
            "(pages are HTTPS; browsers block images over plain HTTP). Set S3_PUBLIC_URL."
        )
    seconds = env_int(
        "S3_SIGNED_URL_SECONDS", 0, minimum=0, maximum=MAX_SIGNED_URL_SECONDS, environ=environ
    )
    common: dict[str, Any] = {
        "endpoint_url": endpoint_url,
        "region": region,
        "access_key": access_key,
        "secret_key": secret_key,
        "addressing_style": addressing_style,
    }
    origins = [_origin(public_url)]
    if seconds:
        # Covers are <img> elements: a signed URL of one loads from the store.
        private_base = default_public_url(
            bucket=private_bucket,
            endpoint_url=endpoint_url,
            region=region,
            addressing_style=addressing_style,
        )
        origins.append(_origin(private_base))
    return StorageConfig(
        storages={
            PUBLIC: {
                "BACKEND": "justop.storage.PublicS3Storage",
                "OPTIONS": s3_options(bucket=public_bucket, public_url=public_url, **common),
            },
            PRIVATE: {
                "BACKEND": "justop.storage.PrivateS3Storage",
                "OPTIONS": s3_options(bucket=private_bucket, signed_url_seconds=seconds, **common),
            },
        },
        image_origins=list(dict.fromkeys(origins)),
        signed_url_seconds=seconds,
        object_store=True,
    )
