"""The language of a page, carried in its address.

A page's language is negotiated as Django does it (the language cookie the
switcher sets, else the browser's Accept-Language), and `?lang=es` or
`?lang=en` on any address says it outright: that page is in that language,
and the visitor keeps it (the parameter sets the language cookie, as the
switcher does), so a link shared in Spanish opens in Spanish on any device.

The page cache keys every page on the active language (justop/pagecache.py),
so `/news/?lang=es` and `/news/` read by a Spanish browser are one entry, and
the parameter never reaches a view: the language it chose is all it changes.

Each page names its versions for search engines (`{% language_alternates %}`
in <head>): `hreflang="en"` and `"es"` at `?lang=`, and `x-default` at the
bare address, which follows the browser. /sitemap.xml lists the same
(justop/sitemaps.py).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation

PARAMETER = "lang"


def codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def requested(request: HttpRequest) -> str | None:
    """The language the address asks for, if it names one of ours."""
    value = request.GET.get(PARAMETER, "")
    return value if value in codes() else None


def without_parameter(query: QueryDict | str) -> str:
    """A query string without the language parameter (same order otherwise)."""
    params = QueryDict(query, mutable=True) if isinstance(query, str) else query.copy()
    params.pop(PARAMETER, None)
    return params.urlencode()


def address_in(path: str, query: QueryDict | str, language: str | None) -> str:
    """The address of a page in one language (None: the bare, negotiated one)."""
    rest = without_parameter(query)
    if language is not None:
        rest = (
            f"{rest}&{urlencode({PARAMETER: language})}"
            if rest
            else urlencode({PARAMETER: language})
        )
    return f"{path}?{rest}" if rest else path


def of_this_language(url: str) -> str:
    """An address for a reader who is not reading the site's default
    language: with ?lang= for theirs (a feed's links, so that a Spanish
    feed opens Spanish pages and polls itself in Spanish)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE or language not in codes():
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=address_in("", parts.query, language).lstrip("?")))


def strip_from_address(url: str) -> str:
    """An address with the language parameter taken out (for the switcher's
    way back, which must not undo the language just chosen)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=without_parameter(parts.query)))


class LanguageParameterMiddleware:
    """After LocaleMiddleware: `?lang=` overrides the negotiated language for
    this request and becomes the visitor's language cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = requested(request)
        if language is None:
            return self.get_response(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
