"""The public store's files under MEDIA_URL, served by the portal itself
when that store is a local folder: under `make run`, and in production on
one machine. With an object store, its own public URL serves them and this
view answers 404.

Only files of the public store (MEDIA_ROOT/public) are reachable: the
private store is another folder, outside it. Only the kinds the public store
holds (images) are served, each with a type from a fixed map, never one
guessed from content. Names in the public store never change content (a
hash of it, or a random name for older uploads), so a copy may be kept for
a year by browsers, proxies and CDNs.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat

from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from justop.storage import PUBLIC_CACHE_CONTROL, local_public_store

CONTENT_TYPES = {
    "webp": "image/webp",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
}
# Folders and names of letters, digits, dots, dashes and underscores; no
# segment starts with a dot (no "..", no hidden files).
SAFE_NAME = re.compile(r"(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*")


def _headers(response: HttpResponseBase, etag: str, modified: float) -> HttpResponseBase:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def public_file(request: HttpRequest, path: str) -> HttpResponseBase:
    store = local_public_store()
    if store is None or not SAFE_NAME.fullmatch(path):
        raise Http404
    content_type = CONTENT_TYPES.get(path.rsplit(".", 1)[-1].lower())
    if content_type is None:
        raise Http404
    try:
        # Storage.path joins safely: a name that would leave the folder raises.
        found = os.stat(store.path(path))
    except (SuspiciousFileOperation, OSError, ValueError):
        raise Http404 from None
    if not stat.S_ISREG(found.st_mode):
        raise Http404
    version = f"{path}\n{found.st_size}\n{found.st_mtime_ns}".encode()
    etag = '"' + hashlib.sha256(version).hexdigest()[:32] + '"'
    unchanged = get_conditional_response(request, etag=etag, last_modified=int(found.st_mtime))
    if unchanged is not None:
        return _headers(unchanged, etag, found.st_mtime)
    try:
        handle = store.open(path, "rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    return _headers(response, etag, found.st_mtime)
