from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from modeltranslation.admin import TranslationAdmin

from circle import applications, invitations, memberships
from circle.access import signed_in_person
from circle.models import (
    County,
    EmailPreferences,
    Expertise,
    Invitation,
    JoinApplication,
    Membership,
    Organization,
    Stage,
    User,
)
from justop import registry
from justop.admin_widgets import (
    FILE_FIELDS,
    PasswordChangeForm,
    PasswordHashWidget,
    ValidAutocompleteAdmin,
)
from justop.exports import csv_response
from justop.models import OutboxEmail
from justop.translated import BilingualFields


class UserCreationForm(AdminUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "password" in self.fields:
            self.fields["password"].widget = PasswordHashWidget()


class EmailPreferencesInline(admin.StackedInline[EmailPreferences, User]):
    model = EmailPreferences
    can_delete = False
    fields = (
        "digest_frequency",
        "digest_sections_off",
        "conversation_emails",
        "match_emails",
        "updated_at",
    )
    readonly_fields = ("updated_at",)


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    inlines = (EmailPreferencesInline,)
    # One page per person: what each app holds about them (registered in
    # justop/registry.py by each app), their data download and deletion.
    change_form_template = "admin/circle/user/change_form.html"

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, Any]:
        # Deleting a person who is an organization's last admin is refused.
        return _protect_last_admins(super().get_deleted_objects(objs, request), users=objs)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        # As when people delete their own account: the delivery log of their
        # email goes with them, and the last-admin rule holds.
        with transaction.atomic():
            OutboxEmail.objects.filter(Q(user=obj) | Q(recipient__iexact=obj.email)).delete()
            memberships.delete_account(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            self.delete_model(request, user)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = dict(extra_context or {})
        user = self.get_object(request, object_id)
        if user is not None and self.has_view_or_change_permission(request, user):
            context["person_panels"] = registry.person_panels(user)
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self) -> list[URLPattern]:
        data = path(
            "<int:pk>/data/",
            self.admin_site.admin_view(self.personal_data),
            name="circle_user_data",
        )
        return [data, *super().get_urls()]

    def personal_data(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The person's data download, as they get it from their account page."""
        from circle.views.account import data_download

        user = get_object_or_404(User, pk=pk)
        if not self.has_view_or_change_permission(request, user):
            return HttpResponse(status=403)
        return data_download(user)

    form = UserEditForm
    change_password_form = PasswordChangeForm
    add_form = UserCreationForm
    list_display = ("email", "name", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = (
        "is_staff",
        "is_superuser",
        "is_active",
        "language",
        ("date_joined", admin.DateFieldListFilter),
    )
    search_fields = ("email", "name")
    ordering = ("email",)
    readonly_fields = ("date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )


# --- The Circle --------------------------------------------------------------------


def _protect_last_admins(
    deleted: tuple[Any, Any, Any, Any],
    users: Iterable[User] = (),
    memberships_: Iterable[Membership] = (),
) -> tuple[Any, Any, Any, Any]:
    """Django admin refuses a deletion that lists "protected" objects: the
    last admin of an organization is one."""
    to_delete, model_count, perms_needed, protected = deleted
    protected = list(protected)
    removing = list(memberships_)
    users = list(users)
    if users:
        # Everyone selected goes at once: two admins deleted together must not
        # each count on the other.
        removing += list(
            Membership.objects.filter(user__in=users, role=Membership.Role.ADMIN).select_related(
                "organization"
            )
        )
    by_organization: dict[Organization, list[int]] = {}
    for membership in removing:
        by_organization.setdefault(membership.organization, []).append(membership.pk)
    for organization, ids in by_organization.items():
        try:
            memberships.check_admins_remain(organization, ids)
        except memberships.LastAdminError as error:
            protected.append(error.messages[0])
    return to_delete, model_count, perms_needed, protected


def _members_csv(queryset: QuerySet[Membership], filename: str) -> HttpResponse:
    members = queryset.select_related("organization", "user").order_by("organization__name")
    return csv_response(
        filename,
        ["organization", "name", "email", "role", "title", "joined"],
        (
            (m.organization.name, m.user.name, m.user.email, m.role, m.title, m.joined_at.date())
            for m in members
        ),
    )


class MembershipInlineFormSet(BaseInlineFormSet[Membership, Organization, Any]):
    def clean(self) -> None:
        super().clean()
        if not self.instance.pk:
            return
        had_admins = Membership.objects.filter(
            organization=self.instance, role=Membership.Role.ADMIN
        ).exists()
        admins_after = 0
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            if form.cleaned_data.get("role") == Membership.Role.ADMIN:
                admins_after += 1
        if had_admins and admins_after == 0:
            raise ValidationError(memberships.last_admin_message(self.instance))


class MembershipInline(ValidAutocompleteAdmin, admin.StackedInline[Membership, Organization]):
    model = Membership
    formset = MembershipInlineFormSet
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "title", "joined_at")


class InvitationInline(admin.StackedInline[Invitation, Organization]):
    model = Invitation
    extra = 0
    can_delete = False
    fields = (
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Organization | None = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(BilingualFields, TranslationAdmin[Organization]):
    formfield_overrides = FILE_FIELDS
    list_display = ("name", "sector", "side", "status", "joined_on")
    list_filter = (
        "status",
        "sector",
        "side",
        "stages",
        "counties",
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("name", "mission_en", "mission_es", "contact_email")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("stages", "counties", "expertise")
    inlines = (MembershipInline, InvitationInline)
    actions = ("export_members",)

    @admin.action(description=_("Export the members of the selected organizations as CSV"))
    def export_members(
        self, request: HttpRequest, queryset: QuerySet[Organization]
    ) -> HttpResponse:
        return _members_csv(
            Membership.objects.filter(organization__in=queryset), "circle-members.csv"
        )


class MembershipAdminForm(forms.ModelForm[Membership]):
    class Meta:
        model = Membership
        fields = ["user", "organization", "role", "title", "joined_at"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        instance = self.instance
        if instance.pk and instance.role == Membership.Role.ADMIN:
            moving = data.get("organization") != instance.organization
            demoted = data.get("role") != Membership.Role.ADMIN
            if moving or demoted:
                try:
                    memberships.check_admins_remain(instance.organization, [instance.pk])
                except memberships.LastAdminError as error:
                    raise ValidationError(error.messages[0]) from None
        return data


@admin.register(Membership)
class MembershipAdmin(ValidAutocompleteAdmin, admin.ModelAdmin[Membership]):
    form = MembershipAdminForm
    list_display = ("user", "organization", "role", "title", "joined_at")
    list_filter = ("role", "organization__status", "organization")
    search_fields = ("user__email", "user__name", "organization__name", "title")
    autocomplete_fields = ("user", "organization")
    list_select_related = ("user", "organization")
    actions = ("export_csv",)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, Any]:
        return _protect_last_admins(super().get_deleted_objects(objs, request), memberships_=objs)

    @admin.action(description=_("Export the selected memberships as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Membership]) -> HttpResponse:
        return _members_csv(queryset, "circle-members.csv")


@admin.register(Invitation)
class InvitationAdmin(ValidAutocompleteAdmin, admin.ModelAdmin[Invitation]):
    list_display = ("email", "name", "organization", "role", "state", "created_at", "sent_count")
    list_filter = (
        "role",
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
        "organization",
    )
    search_fields = ("email", "name", "organization__name")
    list_select_related = ("organization",)
    readonly_fields = (
        "nonce",
        "created_at",
        "expires_at",
        "sent_count",
        "last_sent_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
        "batch",
    )
    autocomplete_fields = ("organization", "invited_by")
    actions = ("resend", "revoke")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Staff invite from the organization's page, where the same checks run.
        return False

    @admin.action(description=_("Send again (with a fresh seven-day link)"))
    def resend(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        sent = 0
        for invitation in queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True):
            invitations.resend(invitation)
            sent += 1
        self.message_user(
            request,
            ngettext("%d invitation sent again.", "%d invitations sent again.", sent) % sent,
        )

    @admin.action(description=_("Revoke"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        count = queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        self.message_user(
            request, ngettext("%d invitation revoked.", "%d invitations revoked.", count) % count
        )


class JoinApplicationAdminForm(forms.ModelForm[JoinApplication]):
    """Staff read the application about the applicant: the model's labels are
    the public form's ("your name"), written to the applicant."""

    class Meta:
        model = JoinApplication
        fields = [
            "organization_name",
            "sector",
            "website",
            "mission",
            "side",
            "stages",
            "counties",
            "applicant_name",
            "applicant_email",
            "applicant_title",
            "message",
            "status",
        ]
        labels = {
            "applicant_name": _("Applicant's name"),
            "applicant_email": _("Applicant's email address"),
            "applicant_title": _("Applicant's title"),
            "message": _("Why the organization wants to join"),
        }


@admin.register(JoinApplication)
class JoinApplicationAdmin(admin.ModelAdmin[JoinApplication]):
    form = JoinApplicationAdminForm
    change_form_template = "admin/circle/joinapplication/change_form.html"
    list_display = (
        "organization_name",
        "applicant_name",
        "applicant_email",
        "status",
        "created_at",
    )
    list_filter = ("status", "sector", "side")
    search_fields = ("organization_name", "applicant_name", "applicant_email", "mission")
    readonly_fields = ("created_at", "reviewed_at", "reviewed_by", "organization", "language")
    filter_horizontal = ("stages", "counties")
    actions = ("approve", "decline")

    @admin.action(
        description=_("Approve: create the organization and invite the applicant as admin")
    )
    def approve(self, request: HttpRequest, queryset: QuerySet[JoinApplication]) -> None:
        done = self._decide(request, queryset, applications.approve)
        self._report(
            request,
            ngettext("%(count)d application approved.", "%(count)d applications approved.", done),
            done,
        )

    @admin.action(description=_("Decline, with a courteous email"))
    def decline(self, request: HttpRequest, queryset: QuerySet[JoinApplication]) -> None:
        done = self._decide(request, queryset, applications.decline)
        self._report(
            request,
            ngettext("%(count)d application declined.", "%(count)d applications declined.", done),
            done,
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/decide/<str:decision>/",
                self.admin_site.admin_view(require_POST(self.decide)),
                name="circle_joinapplication_decide",
            ),
            *super().get_urls(),
        ]

    def decide(self, request: HttpRequest, pk: int, decision: str) -> HttpResponse:
        """The Approve and Decline buttons of one application's page."""
        application = get_object_or_404(JoinApplication, pk=pk)
        decisions = {"approve": applications.approve, "decline": applications.decline}
        if decision not in decisions:
            return HttpResponse(status=404)
        if not self.has_change_permission(request, application):
            return HttpResponse(status=403)
        try:
            decisions[decision](application, by=signed_in_person(request))
        except (ValidationError, ValueError) as error:
            self.message_user(request, str(error), messages.WARNING)
        else:
            if decision == "approve":
                text = _(
                    "%(organization)s is now a member of the Circle; %(email)s is invited "
                    "as its admin."
                )
            else:
                text = _("The application of %(organization)s is declined; %(email)s is told.")
            self.message_user(
                request,
                text
                % {
                    "organization": application.organization_name,
                    "email": application.applicant_email,
                },
                messages.SUCCESS,
            )
        return redirect("admin:circle_joinapplication_change", application.pk)

    def _report(self, request: HttpRequest, text: str, done: int) -> None:
        if done:
            self.message_user(request, text % {"count": done}, messages.SUCCESS)

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[JoinApplication],
        decide: Callable[..., Any],
    ) -> int:
        """Apply the decision to each application; say which could not be decided."""
        done, skipped = 0, []
        for application in queryset:
            try:
                decide(application, by=request.user)
            except (ValidationError, ValueError) as error:
                skipped.append(f"{application.organization_name}: {error}")
            else:
                done += 1
        for line in skipped:
            self.message_user(request, line, messages.WARNING)
        return done


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin[Stage]):
    list_display = ("name", "name_es", "key", "order")
    list_editable = ("order",)
    search_fields = ("name", "name_es")


@admin.register(County)
class CountyAdmin(admin.ModelAdmin[County]):
    list_display = ("name", "key")
    search_fields = ("name",)


@admin.register(Expertise)
class ExpertiseAdmin(BilingualFields, TranslationAdmin[Expertise]):
    list_display = ("name_en", "name_es", "slug")
    search_fields = ("name_en", "name_es")
    prepopulated_fields = {"slug": ("name_en",)}
