"""Leaving a mail stream from the link in an email.

RFC 8058: a mail client's unsubscribe button sends a bare POST with the body
``List-Unsubscribe=One-Click`` and no cookie, so the POST needs no login, no
CSRF token and no confirmation page; the signed token in the address is the
authority. GET (someone clicking the link) shows a page with a button.
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from justop import outbox
from justop.registry import mail_stream


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email, stream_key = outbox.read_unsubscribe_token(token)
        stream = mail_stream(stream_key)
    except (signing.BadSignature, LookupError):
        return render(request, "unsubscribe_invalid.html", status=400)
    context = {"email": email, "stream": stream}
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        outbox.unsubscribe(email, stream.key, source="one-click" if one_click else "page")
        return render(request, "unsubscribe_done.html", context)
    return render(request, "unsubscribe.html", context)
