from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from circle.access import signed_in_person
from circle.models import Membership, Organization, User
from forums import checkin, invitations, registration
from forums.materials import checked_material
from forums.models import AgendaItem, Forum, Material, Registration
from justop.admin_widgets import FILE_FIELDS
from justop.exports import csv_response
from justop.translated import BilingualFields


class AgendaItemInline(BilingualFields, TranslationStackedInline[AgendaItem, Forum]):  # type: ignore[misc]
    model = AgendaItem
    extra = 1
    fields = ("time", "title", "speakers", "description")


class MaterialForm(forms.ModelForm[Material]):
    class Meta:
        model = Material
        fields = ("title", "file", "url", "order")

    def clean_file(self) -> object:
        return checked_material(self.cleaned_data.get("file"))


class MaterialInline(BilingualFields, TranslationStackedInline[Material, Forum]):  # type: ignore[misc]
    formfield_overrides = FILE_FIELDS
    model = Material
    form = MaterialForm
    extra = 1
    fields = ("title", "file", "url", "order")


@admin.register(Forum)
class ForumAdmin(BilingualFields, TranslationAdmin[Forum]):
    list_display = (
        "title",
        "starts_at",
        "audience",
        "status",
        "capacity",
        "registered",
        "waitlisted",
        "attended",
    )
    list_filter = ("status", "audience", ("starts_at", admin.DateFieldListFilter), "hosts")
    search_fields = ("title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "starts_at"
    filter_horizontal = ("hosts",)
    readonly_fields = ("links", "cancelled_at", "moved_online_at")
    inlines = (AgendaItemInline, MaterialInline)
    actions = (
        "send_invitations",
        "export_attendees",
        "send_follow_up",
        "move_forums_online",
        "cancel_forums",
    )
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "description", "status", "audience")}),
        (
            _("When and where"),
            {
                "fields": (
                    "starts_at",
                    "ends_at",
                    "venue_name",
                    "venue_address",
                    "map_url",
                    "venue_directions",
                    "online_url",
                )
            },
        ),
        (
            _("Registration"),
            {"fields": ("capacity", "registration_deadline", "reminders", "contact_email")},
        ),
        (_("Hosts"), {"fields": ("hosts",)}),
        (_("After the forum"), {"fields": ("notes",)}),
        (_("Pages"), {"fields": ("links", "cancelled_at", "moved_online_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Forum]:
        # The counts come with the list's one query, not one query per row.
        return Forum.objects.with_counts()

    @admin.display(description=_("registered"), ordering="registered_count")
    def registered(self, obj: Forum) -> int:
        return int(getattr(obj, "registered_count", 0))

    @admin.display(description=_("waitlisted"), ordering="waitlisted_count")
    def waitlisted(self, obj: Forum) -> int:
        return int(getattr(obj, "waitlisted_count", 0))

    @admin.display(description=_("attended"), ordering="attended_count")
    def attended(self, obj: Forum) -> int:
        return int(getattr(obj, "attended_count", 0))

    @admin.display(description=_("pages"))
    def links(self, obj: Forum) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            obj.get_absolute_url(),
            _("Forum page"),
            reverse("forums:checkin", args=[obj.slug]),
            _("Check-in"),
            reverse("admin:forums_forum_invite", args=[obj.pk]),
            _("Invitations"),
        )

    def save_model(self, request: HttpRequest, obj: Forum, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.status == Forum.Status.PUBLISHED and "status" in form.changed_data:
            # Invitations recorded while the forum was a draft go out now.
            transaction.on_commit(lambda: invitations.enqueue(obj.pk))
        if change and "capacity" in form.changed_data:
            # More places: the waitlist moves up.
            transaction.on_commit(lambda: registration.promote(obj))

    def get_urls(self) -> list[URLPattern]:
        invite = path(
            "<int:pk>/invite/", self.admin_site.admin_view(self.invite), name="forums_forum_invite"
        )
        return [invite, *super().get_urls()]

    def invite(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Whom to invite, and how far the emails have got."""
        forum = get_object_or_404(Forum, pk=pk)
        if not self.has_change_permission(request, forum):
            return HttpResponse(status=403)
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            invited = invitations.invite(
                forum,
                everyone=form.cleaned_data["everyone"],
                organizations=form.cleaned_data["organizations"],
                people=form.cleaned_data["people"],
                emails=form.cleaned_data["emails"],
                by=signed_in_person(request),
            )
            self.message_user(
                request,
                ngettext(
                    "%d person invited; the email is on its way.",
                    "%d people invited; the emails are on their way.",
                    invited.people,
                )
                % invited.people,
                messages.SUCCESS,
            )
            return redirect("admin:forums_forum_invite", pk=forum.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Invitations: %(forum)s") % {"forum": forum.title},
            "forum": forum,
            "form": form,
            "progress": invitations.progress(forum),
            "opts": self.opts,
            "original": forum,
        }
        return TemplateResponse(request, "forums/admin/invite.html", context)

    @admin.action(description=_("Send invitations for the selected forum"))
    def send_invitations(
        self, request: HttpRequest, queryset: QuerySet[Forum]
    ) -> HttpResponseRedirect | None:
        forum = queryset.first()
        if queryset.count() != 1 or forum is None:
            self.message_user(request, _("Choose one forum to invite people to."), messages.WARNING)
            return None
        return redirect("admin:forums_forum_invite", pk=forum.pk)

    @admin.action(description=_("Export the attendees of the selected forums as CSV"))
    def export_attendees(self, request: HttpRequest, queryset: QuerySet[Forum]) -> HttpResponse:
        return export_csv(Registration.objects.filter(forum__in=queryset))

    @admin.action(description=_("Send the follow-up email to the attendees"))
    def send_follow_up(self, request: HttpRequest, queryset: QuerySet[Forum]) -> None:
        from forums.tasks import send_follow_up

        ended = list(queryset.filter(ends_at__lt=timezone.now()).values_list("pk", flat=True))

        def enqueue() -> None:
            for pk in ended:
                send_follow_up.delay(pk)

        transaction.on_commit(enqueue)
        self.message_user(
            request,
            ngettext(
                "The follow-up of %d forum is on its way.",
                "The follow-ups of %d forums are on their way.",
                len(ended),
            )
            % len(ended),
            messages.SUCCESS,
        )

    @admin.action(description=_("Move the selected forums online and tell everyone registered"))
    def move_forums_online(self, request: HttpRequest, queryset: QuerySet[Forum]) -> None:
        told, refused = 0, []
        for forum in queryset:
            try:
                told += registration.move_online(forum)
            except registration.CannotMoveOnline:
                refused.append(forum.title)
        if refused:
            self.message_user(
                request,
                _(
                    "Not moved (give each an online link first; a forum that ended or is "
                    "cancelled cannot move): %(forums)s"
                )
                % {"forums": ", ".join(refused)},
                messages.ERROR,
            )
        self.message_user(
            request,
            ngettext("%d person told.", "%d people told.", told) % told,
            messages.SUCCESS,
        )

    @admin.action(description=_("Cancel the selected forums and tell everyone registered"))
    def cancel_forums(self, request: HttpRequest, queryset: QuerySet[Forum]) -> None:
        told = sum(registration.cancel_forum(forum) for forum in queryset)
        self.message_user(
            request,
            ngettext("%d person told.", "%d people told.", told) % told,
            messages.SUCCESS,
        )


class PersonChoiceField(forms.ModelMultipleChoiceField[User]):
    """People by name, email and organizations: twelve people of the same
    name must not look alike."""

    def label_from_instance(self, obj: Any) -> str:
        organizations = ", ".join(m.organization.name for m in obj.memberships.all())
        label = f"{obj.get_full_name() or obj.email} <{obj.email}>"
        return f"{label} · {organizations}" if organizations else label


def outside_addresses(text: str) -> list[str]:
    addresses = [a.strip().lower() for a in text.replace(",", "\n").split() if a.strip()]
    bad = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(
            _("These are not email addresses: %(addresses)s") % {"addresses": ", ".join(bad[:5])}
        )
    if len(addresses) > MAX_OUTSIDE:
        raise ValidationError(_("At most %(count)d addresses at a time.") % {"count": MAX_OUTSIDE})
    return sorted(set(addresses))


MAX_OUTSIDE = 200


class InviteForm(forms.Form):
    everyone = forms.BooleanField(label=_("All members of the Circle"), required=False)
    organizations = forms.ModelMultipleChoiceField(
        label=_("Members of these organizations"),
        queryset=Organization.objects.active().order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people = PersonChoiceField(
        label=_("These people"),
        queryset=User.objects.filter(is_active=True)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organization").order_by(
                    "organization__name"
                ),
            )
        )
        .order_by("name", "email"),
        required=False,
        help_text=_("Hold Ctrl (Cmd on a Mac) to choose several."),
    )
    emails = forms.CharField(
        label=_("People outside the Circle"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "Email addresses, one per line. Each gets an invitation email with a link "
            "to register, without an account."
        ),
    )

    def clean_emails(self) -> list[str]:
        return outside_addresses(self.cleaned_data.get("emails", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = ("everyone", "organizations", "people", "emails")
        if not any(data.get(name) for name in chosen) and not self.errors:
            raise forms.ValidationError(_("Choose whom to invite."))
        return data


def export_csv(registrations: QuerySet[Registration]) -> HttpResponse:
    rows = registrations.filter(
        status__in=(*Registration.ACTIVE, Registration.Status.CANCELLED)
    ).select_related("forum").order_by("forum__starts_at", "forum_id", "name")  # fmt: skip
    return csv_response(
        "forum-attendees.csv",
        ["forum", "starts", "name", "email", "organization", "status", "walk_in", "attended"],
        (
            (
                r.forum.title,
                timezone.localtime(r.forum.starts_at).strftime("%Y-%m-%d %H:%M"),
                r.name,
                r.email,
                r.organization_name,
                r.status,
                "yes" if r.walk_in else "no",
                "" if r.attended is None else ("yes" if r.attended else "no"),
            )
            for r in rows
        ),
    )


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin[Registration]):
    list_display = ("name", "email", "forum", "status", "walk_in", "attended", "queued_at")
    list_filter = ("status", "attended", "walk_in", ("forum", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "email", "organization_name", "forum__title")
    list_select_related = ("forum",)
    readonly_fields = (
        "forum",
        "user",
        "status",
        "created_at",
        "queued_at",
        "email_confirmed_at",
        "confirmed_at",
        "cancelled_at",
        "checked_in_at",
        "walk_in",
    )
    fields = ("name", "email", "organization_name", "attended", *readonly_fields)
    actions = ("mark_attended", "export_attendees")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # People register on the site, where places are counted; staff add
        # walk-ins on the check-in page.
        return False

    @admin.action(description=_("Mark as attended"))
    def mark_attended(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        count = checkin.mark_attended(queryset)
        self.message_user(request, ngettext("%d marked.", "%d marked.", count) % count)

    @admin.action(description=_("Export the selected registrations as CSV"))
    def export_attendees(
        self, request: HttpRequest, queryset: QuerySet[Registration]
    ) -> HttpResponse:
        return export_csv(queryset)
