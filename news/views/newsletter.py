"""Subscribing to the newsletter (double opt-in), and asking from a page for a
link to leave it."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from justop import ratelimit
from news import newsletter, tasks
from news.forms import EmailForm

PER_ADDRESS = ratelimit.Limit("newsletter", 10, 3600)
PER_EMAIL = ratelimit.Limit("newsletter-email", 3, 24 * 3600)


def _limited(request: HttpRequest, form: EmailForm, template: str) -> HttpResponse:
    return render(
        request,
        template,
        {
            "form": form,
            "problem": _("Too many requests from here in a short time. Please try again later."),
        },
        status=429,
    )


def subscribe(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.allow(request, PER_ADDRESS):
            return _limited(request, form, "news/newsletter.html")
        if form.is_valid():
            if form.cleaned_data["website"]:
                return redirect("news:newsletter_check_email")  # a bot: pretend
            email = form.cleaned_data["email"]
            if not ratelimit.allow(request, PER_EMAIL, key=email):
                return _limited(request, form, "news/newsletter.html")
            newsletter.subscribe(email, request.LANGUAGE_CODE)
            return redirect("news:newsletter_check_email")
    return render(request, "news/newsletter.html", {"form": form})


def check_email(request: HttpRequest) -> HttpResponse:
    return render(request, "news/newsletter_check_email.html")


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; the POST confirms, so that a mail scanner opening
    the link does not subscribe anyone."""
    subscriber = newsletter.subscriber_from_token(token)
    if subscriber is None:
        return render(request, "news/newsletter_confirm.html", {"invalid": True}, status=400)
    if request.method == "POST":
        newsletter.confirm(subscriber)
        messages.success(request, _("You are subscribed to the PSE newsletter. Thank you!"))
        return redirect("news:list")
    return render(request, "news/newsletter_confirm.html", {"subscriber": subscriber})


def unsubscribe(request: HttpRequest) -> HttpResponse:
    """Asking for a link to leave. Anyone can type any address here, so the
    address itself is not taken off: its mailbox gets a link to the page that
    does it. The answer is the same whether the address is subscribed,
    unknown or unsubscribed, and so is the work behind it: the request only
    hands the address to a worker, which decides whether to write."""
    form = EmailForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.allow(request, PER_ADDRESS):
            return _limited(request, form, "news/newsletter_unsubscribe.html")
        if form.is_valid():
            email = form.cleaned_data["email"]
            if not form.cleaned_data["website"]:  # a bot fills it in: same answer, no email
                # Not robust: with the broker down the page fails (for every
                # address alike) rather than promise an email nothing will send.
                transaction.on_commit(partial(tasks.send_leave_link.delay, email))
            messages.success(
                request,
                _(
                    "If %(email)s receives the newsletter, an email with a link to leave it "
                    "is on its way. Open it and press the button."
                )
                % {"email": email},
            )
            return redirect("news:newsletter_unsubscribe")
    return render(request, "news/newsletter_unsubscribe.html", {"form": form})
