"""How large a request body may be, decided before any of it is read.

A view that takes files says so with ``@accepts_uploads(max_bytes=...)``, and
the Django admin takes them from staff. Everywhere else, and for anyone not
signed in, a body may be at most ``settings.REQUEST_BODY_LIMIT`` bytes and may
carry no file part: Django's own DATA_UPLOAD_MAX_MEMORY_SIZE counts only the
fields that are not files, so a file part of any size used to be streamed to
disk before the view could refuse it.

The middleware sits before CsrfViewMiddleware, whose process_view reads
request.POST; process_view is the first moment the view, and so its bound, is
known. docs/deploy.md says what the reverse proxy must limit in front of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

MB = 1024 * 1024
# Staff in the admin upload research files (25 MB and a cover by default),
# several forum materials of 20 MB at once and news images.
ADMIN_BODY_LIMIT = 64 * MB

View = TypeVar("View", bound=Callable[..., HttpResponse])


def accepts_uploads(*, max_bytes: int | Callable[[], int]) -> Callable[[View], View]:
    """Mark a view whose form takes files of at most ``max_bytes`` together
    (a callable when the limit is a setting read at request time).

    The body may be twice that and the small limit besides: a photo somewhat
    over its limit still reaches the form, which says what the limit is; one
    far over it is refused unread. Only a signed-in person gets the bound.
    """

    def mark(view: View) -> View:
        setattr(view, "upload_limit", max_bytes)  # noqa: B010 - not an attribute mypy knows
        return view

    return mark


def upload_bound(request: HttpRequest, view: Callable[..., Any]) -> int | None:
    """The largest body this request may send with files, or None where it may send none."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    declared: int | Callable[[], int] | None = getattr(view, "upload_limit", None)
    if declared is not None:
        files = declared() if callable(declared) else declared
        return 2 * files + int(settings.REQUEST_BODY_LIMIT)
    match = request.resolver_match
    if user.is_staff and match is not None and "admin" in match.namespaces:
        return ADMIN_BODY_LIMIT
    return None


class FileRefused(MultiPartParserError):
    pass


class RefuseFiles(FileUploadHandler):
    """The only upload handler where no file is expected: the first file
    part ends the parsing before a byte of it is kept."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        raise FileRefused("This address takes no files.")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        raise FileRefused("This address takes no files.")

    def file_complete(self, file_size: int) -> None:
        return None


def declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        # Django reads nothing of a body whose length it cannot parse.
        return 0


def too_large(request: HttpRequest) -> HttpResponse:
    response = render(request, "413.html", status=413)
    # The rest of the body is not read; the connection cannot be reused.
    response["Connection"] = "close"
    return response


class BodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        # Browsers always send a form with its length. Under WSGI Django reads
        # nothing of a body without one; refusing it keeps an ASGI server or a
        # later Django from spooling a chunked body of any size.
        if "HTTP_TRANSFER_ENCODING" in request.META:
            return too_large(request)
        bound = upload_bound(request, view_func)
        if declared_length(request) > (bound or int(settings.REQUEST_BODY_LIMIT)):
            return too_large(request)
        if bound is None and request.content_type == "multipart/form-data":
            request.upload_handlers = [RefuseFiles()]
            try:
                # Parsed now, at most the small limit, so a file part is refused here.
                request.POST  # noqa: B018
            except FileRefused:
                return too_large(request)
        return None
