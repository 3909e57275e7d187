"""Inviting people (an organization's admins, staff) and accepting (the invited)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from circle import invitations
from circle.access import (
    acting_on_management_page,
    current_user,
    get_org_for_admin,
    remember_acting_organization,
    signed_in_person,
)
from circle.forms import MAX_CSV_BYTES, AcceptInvitationForm, InviteForm
from circle.models import Invitation, InvitationBatch, User
from justop.bodylimit import accepts_uploads

PER_PAGE = 50
MAX_QUERY = 100


@accepts_uploads(max_bytes=MAX_CSV_BYTES)
@login_required
def manage_invitations(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_org_for_admin(request, slug)
    organization = access.organization
    form = InviteForm(request.POST or None, request.FILES or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        person = signed_in_person(request)
        result = invitations.invite(
            organization,
            form.cleaned_data["addresses"],
            form.cleaned_data["role"],
            by=person,
            # Someone without an account yet reads it in the admin's language.
            language=request.LANGUAGE_CODE,
            names=form.cleaned_data["names"],
        )
        remember_acting_organization(person, organization)
        _report(request, result, skipped=len(form.problems))
        if result.batch is not None:
            return redirect("circle:invitation_batch", slug=slug, pk=result.batch.pk)
        return redirect("circle:manage_invitations", slug=slug)
    # A NUL is dropped (PostgreSQL refuses it in text); a longer query is cut.
    q = request.GET.get("q", "").replace("\x00", "").strip()[:MAX_QUERY]
    # get_page turns a missing, malformed or too large page number into a real page.
    page = Paginator(invitations.pending_invitations(organization, q), PER_PAGE).get_page(
        request.GET.get("page", "")[:10]
    )
    context = {
        "organization": organization,
        "access": access,
        "form": form,
        "q": q,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "pending": list(page.object_list),
        "acting": acting_on_management_page(request, access),
    }
    if getattr(request, "htmx", False) and request.method == "GET":
        return render(request, "circle/manage_invitations.html#pending-list", context)
    return render(request, "circle/manage_invitations.html", context)


def _report(request: HttpRequest, result: invitations.InviteResult, *, skipped: int) -> None:
    if result.sent:
        count = len(result.sent)
        messages.success(
            request,
            ngettext(
                "%(count)d invitation is on its way.",
                "%(count)d invitations are on their way.",
                count,
            )
            % {"count": count},
        )
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d line with a problem was skipped.",
                "%(count)d lines with a problem were skipped.",
                skipped,
            )
            % {"count": skipped},
        )
    for addresses, text in [
        (result.already_members, _("Already members, not invited: %(list)s.")),
        (
            result.already_invited,
            _("Already invited, not sent again (resend it below if needed): %(list)s."),
        ),
        (
            result.declined_invitations,
            _("These addresses asked not to receive invitations: %(list)s."),
        ),
    ]:
        if addresses:
            messages.warning(request, text % {"list": ", ".join(addresses[:20])})


def _open_invitation(request: HttpRequest, slug: str, pk: int) -> Invitation:
    organization = get_org_for_admin(request, slug).organization
    # Reached through its organization only: another organization's invitation is a 404.
    return get_object_or_404(organization.invitations, pk=pk)


@login_required
@require_POST
def resend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    invitation = _open_invitation(request, slug, pk)
    try:
        invitations.resend(invitation)
    except invitations.InvitationError:
        messages.error(request, _("This invitation was already accepted or revoked."))
    else:
        messages.success(
            request, _("The invitation to %(email)s was sent again.") % {"email": invitation.email}
        )
    return redirect("circle:manage_invitations", slug=slug)


@login_required
@require_POST
def revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    invitation = _open_invitation(request, slug, pk)
    invitations.revoke(invitation)
    messages.success(
        request,
        _("The invitation to %(email)s was revoked; its link no longer works.")
        % {"email": invitation.email},
    )
    return redirect("circle:manage_invitations", slug=slug)


@login_required
def batch(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organization = get_org_for_admin(request, slug).organization
    sending = get_object_or_404(InvitationBatch, organization=organization, pk=pk)
    progress = invitations.batch_progress(sending)
    context = {"organization": organization, "batch": sending, "progress": progress}
    if getattr(request, "htmx", False):
        return render(request, "circle/invitation_batch.html#progress", context)
    return render(request, "circle/invitation_batch.html", context)


# --- Accepting ----------------------------------------------------------------------


def _masked(email: str) -> str:
    local, _sep, domain = email.partition("@")
    return f"{local[:2]}{'•' * max(len(local) - 2, 1)}@{domain}"


def _owns(user: User, email: str) -> bool:
    return (
        user.email.lower() == email.lower()
        or EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
    )


def accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitations.invitation_from_token(token)
    except invitations.InvitationError as error:
        status = 404 if error.reason == "invalid" else 410
        return render(
            request,
            "circle/invitation_unusable.html",
            {"reason": error.reason, "invitation": error.invitation},
            status=status,
        )
    organization = invitation.organization
    context: dict[str, Any] = {"invitation": invitation, "organization": organization}
    user = current_user(request)

    if user is not None:
        if not _owns(user, invitation.email):
            context |= {"invited": _masked(invitation.email)}
            return render(request, "circle/invitation_wrong_account.html", context, status=403)
        if request.method == "POST":
            try:
                invitations.accept(invitation, user)
            except invitations.InvitationError:
                return render(
                    request, "circle/invitation_unusable.html", {"reason": "used"}, status=410
                )
            messages.success(
                request, _("Welcome to %(organization)s.") % {"organization": organization.name}
            )
            return redirect(organization.get_absolute_url())
        return render(request, "circle/invitation_accept.html", context)

    if User.objects.filter(email__iexact=invitation.email).exists():
        # They have an account: sign in first, then come back here.
        context["sign_in_url"] = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
        return render(request, "circle/invitation_sign_in.html", context)

    form = AcceptInvitationForm(
        request.POST or None, email=invitation.email, initial={"name": invitation.name}
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            new_user = User.objects.create_user(
                email=invitation.email,
                password=form.cleaned_data["password1"],
                name=form.cleaned_data["name"],
                language=request.LANGUAGE_CODE,
            )
            # The link reached this address: it is verified.
            EmailAddress.objects.create(
                user=new_user, email=new_user.email, primary=True, verified=True
            )
            try:
                invitations.accept(invitation, new_user)
            except invitations.InvitationError:
                transaction.set_rollback(True)
                return render(
                    request, "circle/invitation_unusable.html", {"reason": "used"}, status=410
                )
        messages.success(
            request, _("Welcome to %(organization)s.") % {"organization": organization.name}
        )
        # allauth's sign-in flow: signals, session clock, and a second factor
        # if one is ever required.
        response: HttpResponse = perform_login(
            request,
            new_user,
            email_verification="none",
            redirect_url=organization.get_absolute_url(),
        )
        return response
    context["form"] = form
    return render(request, "circle/invitation_new_account.html", context)
