"""A person's own memberships, data and account."""

from __future__ import annotations

import json

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circle import memberships
from circle.access import signed_in_person
from circle.forms import DeleteAccountForm
from circle.models import EmailPreferences, Invitation, JoinApplication, Membership, User
from justop import registry
from justop.models import OutboxEmail


@login_required
def memberships_page(request: HttpRequest) -> HttpResponse:
    user = signed_in_person(request)
    own = Membership.objects.filter(user=user).select_related("organization")
    return render(
        request,
        "circle/account_memberships.html",
        {"memberships": own, "sole_admin_of": memberships.organizations_needing(user)},
    )


@login_required
@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_person(request)
    membership = get_object_or_404(
        Membership.objects.select_related("organization"), pk=pk, user=user
    )
    try:
        memberships.remove(membership, by=user)
    except memberships.LastAdminError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("You left %(organization)s.") % {"organization": membership.organization.name},
        )
    return redirect("circle:memberships")


def personal_data(user: User) -> dict[str, object]:
    """Everything the portal holds about a person, for them to download."""
    preferences = EmailPreferences.objects.filter(user=user).first()
    if preferences is not None:
        digest = {
            "frequency": preferences.digest_frequency,
            "sections_turned_off": preferences.digest_sections_off,
            "conversation_emails": preferences.conversation_emails,
            "match_emails": preferences.match_emails,
        }
    else:
        digest = {
            "frequency": EmailPreferences.DEFAULT_FREQUENCY,
            "sections_turned_off": [],
            "conversation_emails": True,
            "match_emails": True,
        }
    return {
        "exported_at": timezone.now(),
        "account": {
            "email": user.email,
            "name": user.name,
            "language": user.language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_staff": user.is_staff,
        },
        "email_addresses": list(
            EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
        ),
        "email_preferences": digest,
        "memberships": [
            {
                "organization": m.organization.name,
                "role": m.role,
                "title": m.title,
                "joined_at": m.joined_at,
            }
            for m in Membership.objects.filter(user=user).select_related("organization")
        ],
        "invitations_received": list(
            Invitation.objects.filter(email__iexact=user.email).values(
                "organization__name", "role", "created_at", "accepted_at", "revoked_at"
            )
        ),
        "join_applications": list(
            JoinApplication.objects.filter(applicant_email__iexact=user.email).values(
                "organization_name", "status", "created_at"
            )
        ),
        "emails_sent_to_you": list(
            OutboxEmail.objects.filter(recipient__iexact=user.email)
            .order_by("created_at")
            .values("kind", "created_at", "state", "sent_at")
        ),
        # What the other apps hold (forum registrations, asks and offers,
        # messages, volunteer sign-ups, the newsletter), through the registry.
        **registry.personal_data(user),
    }


@login_required
def export_data(request: HttpRequest) -> HttpResponse:
    return data_download(signed_in_person(request))


def data_download(user: User) -> HttpResponse:
    """The JSON file of personal_data, for the person or for staff on their
    admin page."""
    body = json.dumps(personal_data(user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"just-opportunity-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    user = signed_in_person(request)
    form = DeleteAccountForm(request.POST or None, user=user)
    blocking = memberships.organizations_needing(user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                # The delivery log of their email goes with them, including
                # what was sent before they had an account.
                OutboxEmail.objects.filter(Q(user=user) | Q(recipient__iexact=user.email)).delete()
                memberships.delete_account(user)
        except memberships.LastAdminError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            logout(request)
            messages.success(request, _("Your account and your data were deleted."))
            return redirect("home")
    return render(request, "circle/account_delete.html", {"form": form, "sole_admin_of": blocking})
