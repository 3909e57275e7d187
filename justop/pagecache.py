"""Public pages as visitors see them, kept in the cache (Redis in
deployments) and answered with conditional GET.

Only requests that carry no session can be served from the cache: a visitor
with no cookie other than the CSRF and language ones. Everyone else, and
every response that sets a cookie or is not a plain 200, goes the normal way.

What a page may read is what its key holds. Each cached view declares the
query parameters it reads (`@visitor_cache(query=..., shows=...)`); for a
visitor the view is handed a request with only those (in one order, empty
ones left out) and with the htmx headers reduced to the two that change a
page: whether a fragment is asked for (HX-Request, unless htmx is restoring
history, which asks for the whole page) and which element triggered it. So
`/?utm=<random>` is the home page's one entry, and no header the key does not
hold can reach the view and change what is stored under it.

A cached page is stored with its per-request parts taken out, the CSP nonce
and the CSRF tokens, and each hit gets fresh ones, so no two visitors share a
nonce or a token. The entry also carries the versions of the kinds of content
it shows (`shows`: "news", "research", "forums", ...). Each app says in its
AppConfig.ready() which kind each of its models is (`watch`), or that
visitors never see it (`ignore`); saving or deleting a row draws a new
version of its kind, and `content_changed(kind)` does so after a bulk update.
A sign-in (User.last_login) or a newsletter subscription therefore keeps
every page cached, and a forum registration renews only the pages that show
forums. Versions live in the same cache, so a change made under a worker or
another web process counts too. Pages that change with the clock alone (an
upcoming forum becoming past) are bounded by `PAGE_CACHE_SECONDS`.

Each process also keeps the versions it last read, for a second, and the
pages it served most, so a hit usually needs no round trip to the cache: a
change made in this process shows at once, one made elsewhere (another web
process, a worker) within that second.

The weak ETag names the stored page, not the bytes of one response, so a
browser that revalidates gets 304 while nothing changed.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, overload
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, QueryDict
from django.middleware.csrf import _unmask_cipher_token, get_token  # type: ignore[attr-defined]
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language
from django_htmx.middleware import HtmxDetails

log = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version:"
KEY_PREFIX = "pagecache:page:"
NONCE_MARK = "\x00csp-nonce\x00"
TOKEN_MARK = "\x00csrf-token\x00"  # noqa: S105 (a placeholder)
# A masked CSRF token as Django writes it into pages.
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
# What an htmx trigger's id may look like to be part of a key; any other
# value is dropped before the view sees it.
_TRIGGER = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")

View = Callable[..., HttpResponse]


def neutral_cookie_names() -> set[str]:
    """Cookies that do not change what a visitor sees (the language is part
    of the key, the CSRF token is filled in per request)."""
    return {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}


def enabled() -> bool:
    return bool(settings.PAGE_CACHE_SECONDS > 0)


def is_visitor_request(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and set(request.COOKIES) <= neutral_cookie_names()


class _Local:
    """What this process last read from the shared cache: the version, for
    at most LOCAL_SECONDS, and the most used pages. A hit then needs no round
    trip to Redis (which was half the cost of a hit); a change made by another
    process is seen within LOCAL_SECONDS, one made by this one at once."""

    SIZE = 200

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.versions: dict[str, tuple[float, str]] = {}
        self.pages: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def get_version(self, kind: str) -> str | None:
        held = self.versions.get(kind)
        return held[1] if held is not None and held[0] > time.monotonic() else None

    def set_version(self, kind: str, version: str) -> None:
        self.versions[kind] = (time.monotonic() + LOCAL_SECONDS, version)

    def get_page(self, key: str, version: str) -> dict[str, Any] | None:
        with self.lock:
            entry = self.pages.get(key)
            if entry is None or entry["version"] != version or entry["expires"] < time.time():
                return None
            self.pages.move_to_end(key)
            return entry

    def set_page(self, key: str, entry: dict[str, Any]) -> None:
        with self.lock:
            self.pages[key] = entry
            self.pages.move_to_end(key)
            while len(self.pages) > self.SIZE:
                self.pages.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.versions.clear()
            self.pages.clear()


LOCAL_SECONDS = 1.0
_local = _Local()


def forget_local() -> None:
    """Drop what this process holds (tests clear the shared cache too)."""
    _local.clear()


def current_version(kinds: Iterable[str]) -> str:
    """The versions of these kinds of content, as one string."""
    kinds = sorted(kinds)
    versions = {kind: _local.get_version(kind) for kind in kinds}
    missing = [kind for kind, version in versions.items() if version is None]
    if missing:
        found = cache.get_many([VERSION_KEY + kind for kind in missing])
        for kind in missing:
            version = found.get(VERSION_KEY + kind)
            if version is None:
                # Lost or never set: a new value, so no older entry can match it.
                cache.add(VERSION_KEY + kind, secrets.token_hex(8), None)
                version = cache.get(VERSION_KEY + kind)
            versions[kind] = str(version)
            _local.set_version(kind, str(version))
    return ",".join(f"{kind}:{versions[kind]}" for kind in kinds)


def _bump(kinds: Iterable[str]) -> None:
    fresh = {kind: secrets.token_hex(8) for kind in kinds}
    for kind, version in fresh.items():
        _local.set_version(kind, version)
    try:
        cache.set_many({VERSION_KEY + kind: version for kind, version in fresh.items()}, None)
    except Exception:  # a cache outage must not fail the write that caused it
        log.exception("could not invalidate the page cache")


def content_changed(*kinds: str) -> None:
    """Every cached page showing these kinds of content is out of date.
    Called by the signals of watched models and by code that changes content
    with bulk queries (no signal).

    Bumped now, so this request and any read inside the transaction see it,
    and again on commit, so a page built from the old rows by another
    request while this transaction ran is not kept under the new version."""
    if not kinds:
        raise ValueError("content_changed() needs the kinds of content that changed")
    _bump(kinds)
    transaction.on_commit(lambda: _bump(kinds))


# --- What a page shows, and what a visitor's request may say to it ---------------------


@dataclass(frozen=True)
class Policy:
    """What a cached page reads from a visitor's request, and the kinds of
    content it shows."""

    query: frozenset[str]
    shows: frozenset[str]


def _canonical_query(request: HttpRequest, names: frozenset[str]) -> str:
    """The parameters the page reads, grouped by name in a fixed order (each
    name's values in the order given), empty ones left out."""
    pairs = [(name, value) for name, value in request.GET.lists() if name in names]
    kept = [(name, v) for name, values in sorted(pairs) for v in values if v != ""]
    return urlencode(kept)


def _htmx_variant(request: HttpRequest) -> tuple[bool, str]:
    """(is a fragment asked for, the id of the element that asked)."""
    headers = request.headers
    fragment = (
        headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"
    )
    trigger = headers.get("HX-Trigger", "") if fragment else ""
    return fragment, trigger if _TRIGGER.fullmatch(trigger) else ""


def _narrow(request: HttpRequest, policy: Policy) -> str:
    """Reduce the request to what the key holds, and return the key."""
    query = _canonical_query(request, policy.query)
    fragment, trigger = _htmx_variant(request)
    for name in [name for name in request.META if name.startswith("HTTP_HX_")]:
        del request.META[name]
    if fragment:
        request.META["HTTP_HX_REQUEST"] = "true"
        if trigger:
            request.META["HTTP_HX_TRIGGER"] = trigger
    request.META["QUERY_STRING"] = query
    request.GET = QueryDict(query)
    # Both read META once and keep what they read: read it again.
    request.__dict__.pop("headers", None)
    if hasattr(request, "htmx"):
        request.htmx = HtmxDetails(request)
    parts = "\n".join(
        [
            request.scheme or "",
            request.get_host(),
            request.path,
            query,
            get_language() or "",
            "fragment" if fragment else "page",
            trigger,
        ]
    )
    return KEY_PREFIX + hashlib.sha256(parts.encode()).hexdigest()


def _cacheable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def _template_of(request: HttpRequest, body: str) -> str:
    """The page with this request's nonce and CSRF tokens replaced by marks."""
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:  # evaluated: the page used it
        body = body.replace(str(nonce), NONCE_MARK)
    secret = request.META.get("CSRF_COOKIE")
    if secret and "csrf" in body.lower():

        def mark(match: re.Match[str]) -> str:
            token = match.group(0)
            return TOKEN_MARK if _unmask_cipher_token(token) == secret else token

        body = _TOKEN.sub(mark, body)
    return body


def _fill(request: HttpRequest, template: str) -> str:
    if NONCE_MARK in template:
        template = template.replace(NONCE_MARK, str(request._csp_nonce))  # type: ignore[attr-defined]
    if TOKEN_MARK in template:
        template = template.replace(TOKEN_MARK, get_token(request))
    return template


def _digest(version: str, template: str) -> str:
    return hashlib.sha256((version + template).encode()).hexdigest()


def _etag(request: HttpRequest, digest: str) -> str:
    """The stored page as this browser holds it. The CSRF secret is part of
    it: a copy whose tokens belong to an older cookie (rotated at sign-in)
    must be replaced, not revalidated, or its forms would fail."""
    secret = request.META.get("CSRF_COOKIE") or ""
    return 'W/"' + hashlib.sha256((digest + secret).encode()).hexdigest()[:32] + '"'


def _not_modified(etag: str, headers: dict[str, str]) -> HttpResponse:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    for name in ("Cache-Control", "Vary", "Content-Language"):
        if name in headers:
            response[name] = headers[name]
    # The browser keeps the page it has, with that page's nonce: a new policy
    # merged into its stored headers would block its scripts.
    response._csp_config = None  # type: ignore[attr-defined]
    response._csp_ro_config = None  # type: ignore[attr-defined]
    return response


@overload
def visitor_cache(*, shows: Iterable[str], query: Iterable[str] = ()) -> Callable[[View], View]: ...
@overload
def visitor_cache(view: View, /) -> View: ...


def visitor_cache(
    view: View | None = None, /, *, shows: Iterable[str] = (), query: Iterable[str] = ()
) -> View | Callable[[View], View]:
    """Serve the view's page to visitors from the cache, with an ETag.

    shows: the kinds of content on the page (see `watch`); query: the
    query parameters it reads. Used bare, the page shows no content that
    changes and reads no parameter."""
    policy = Policy(query=frozenset(query), shows=frozenset(shows) | {SITE})

    def decorate(view: View) -> View:
        return _cached(view, policy)

    return decorate(view) if view is not None else decorate


def _cached(view: View, policy: Policy) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled() or not is_visitor_request(request):
            return view(request, *args, **kwargs)
        key = _narrow(request, policy)
        try:
            version = current_version(policy.shows)
            entry = _lookup(key, version)
        except Exception:
            log.exception("page cache unavailable")
            return view(request, *args, **kwargs)
        if entry is not None:
            return _respond(request, entry)

        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if not _cacheable(response):
            return response
        charset = response.charset or "utf-8"
        template = _template_of(request, response.content.decode(charset))
        patch_cache_control(response, no_cache=True)
        headers = {
            name: value
            for name, value in response.items()
            if name.lower() not in ("content-length", "set-cookie", "etag")
            and not name.lower().startswith("content-security-policy")
        }
        entry = {
            "version": version,
            "status": response.status_code,
            "headers": headers,
            "charset": charset,
            "template": template,
            "digest": _digest(version, template),
            "expires": time.time() + settings.PAGE_CACHE_SECONDS,
        }
        _local.set_page(key, entry)
        try:
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        except Exception:
            log.exception("could not store a page in the cache")
        # The stored page, filled in, is what this visitor gets too: one way
        # to answer, whether the page was just built or found.
        return _respond(request, entry)

    wrapper.page_cache = policy  # type: ignore[attr-defined]
    return wrapper


def _lookup(key: str, version: str) -> dict[str, Any] | None:
    """The page under key if it was built under version: from this process
    first, else from the shared cache (kept here for the next request)."""
    entry = _local.get_page(key, version)
    if entry is None:
        entry = cache.get(key)
        if entry is None or entry["version"] != version:
            return None
        _local.set_page(key, entry)
    return entry


def _respond(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
    headers: dict[str, str] = entry["headers"]
    etag = _etag(request, entry["digest"])
    if get_conditional_response(request, etag=etag) is not None:
        return _not_modified(etag, headers)
    body = _fill(request, entry["template"]).encode(entry["charset"])
    response = HttpResponse(body, status=entry["status"])
    for name, value in headers.items():
        response[name] = value
    response["ETag"] = etag
    return response


# --- Which kind of content each model is ----------------------------------------------

# Every page depends on this kind: content_changed(SITE) renews them all.
SITE = "site"


@dataclass(frozen=True)
class Watch:
    kind: str | None  # None: no page a visitor gets shows it
    ignore_fields: frozenset[str] = frozenset()


_watched: dict[type[Model], Watch] = {}


def watch(model: type[Model], kind: str, *, ignore_fields: Iterable[str] = ()) -> None:
    """Saving or deleting a row of model renews the pages that show kind,
    unless the save wrote only ignore_fields (a sign-in writes last_login)."""
    _watched[model] = Watch(kind, frozenset(ignore_fields))
    uid = f"pagecache:{model._meta.label}"
    post_save.connect(_saved, sender=model, dispatch_uid=uid + ":save")
    post_delete.connect(_deleted, sender=model, dispatch_uid=uid + ":delete")


def ignore(*models: type[Model]) -> None:
    """No page a visitor gets shows these models: their changes keep every
    cached page (a test holds every model to a watch or an ignore)."""
    for model in models:
        _watched[model] = Watch(None)


def watched() -> dict[type[Model], Watch]:
    return dict(_watched)


def kinds() -> set[str]:
    return {w.kind for w in _watched.values() if w.kind is not None} | {SITE}


def _saved(sender: type[Model], update_fields: frozenset[str] | None = None, **_: Any) -> None:
    found = _watched[sender]
    if found.kind is None or (update_fields is not None and update_fields <= found.ignore_fields):
        return
    content_changed(found.kind)


def _deleted(sender: type[Model], **_: Any) -> None:
    if (kind := _watched[sender].kind) is not None:
        content_changed(kind)
