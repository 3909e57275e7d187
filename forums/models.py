"""Forums: PSE's convenings, who may see them, who comes, and what is left after."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from circle.models import Organization, User
from circle.viewers import Viewer
from justop import documents, markdown
from justop.uploads import private_storage, server_name

# Slugs the forum pages' own addresses use.
RESERVED_SLUGS = frozenset({"past", "mine", "calendar", "calendar.ics", "check-your-email"})
DEFAULT_REMINDERS = "48, 2"


def validate_reminders(value: str) -> None:
    try:
        hours = parse_reminders(value)
    except ValueError:
        raise ValidationError(
            _("Write hours before the start separated by commas, for example 48, 2.")
        ) from None
    if any(h <= 0 or h > 24 * 30 for h in hours):
        raise ValidationError(_("Each reminder must be between 1 hour and 30 days before."))


def parse_reminders(value: str) -> list[int]:
    """Hours before the start, largest first, without repeats."""
    return sorted(
        {int(part) for part in value.replace(";", ",").split(",") if part.strip()}, reverse=True
    )


def validate_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address is taken by a page of the forums."))


class ForumQuerySet(models.QuerySet["Forum"]):
    def visible_to(self, viewer: Viewer) -> ForumQuerySet:
        """The one visibility rule of forums: lists, details, the home page,
        feeds, digests, materials and calendar files all use it.

        Published and cancelled forums show (a cancelled one says so);
        drafts only to staff. Public forums to everyone; members-only forums
        to members of the Circle; invited-only forums to the people invited
        (and an invitation opens any forum to its person)."""
        if viewer.is_staff:
            return self.all()
        shown = self.exclude(status=Forum.Status.DRAFT)
        allowed = Q(audience=Forum.Audience.PUBLIC)
        if viewer.is_member:
            allowed |= Q(audience=Forum.Audience.MEMBERS)
        if viewer.user is not None:
            invited = ForumInvitation.objects.filter(forum=OuterRef("pk"), user=viewer.user)
            # An invitation opens any forum to its person.
            allowed = allowed | Q(Exists(invited))
        return shown.filter(allowed)

    def upcoming(self) -> ForumQuerySet:
        return self.filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")

    def past(self) -> ForumQuerySet:
        return self.filter(ends_at__lt=timezone.now()).order_by("-starts_at", "-pk")

    def with_counts(self) -> ForumQuerySet:
        """Registered, waitlisted and attended counts in the same query."""
        status = "registrations__status"
        return self.annotate(
            registered_count=models.Count(
                "registrations", filter=Q(**{f"{status}__in": Registration.HOLDING}), distinct=True
            ),
            waitlisted_count=models.Count(
                "registrations", filter=Q(**{status: Registration.Status.WAITLISTED}), distinct=True
            ),
            attended_count=models.Count(
                "registrations", filter=Q(registrations__attended=True), distinct=True
            ),
        )


# A manager class of its own: modeltranslation swaps in its multilingual
# manager at run time, and the type checker still knows what this one returns.
ForumManager = models.Manager.from_queryset(ForumQuerySet)


class Forum(models.Model):  # type: ignore[django-manager-missing]  # typeddjango/django-stubs#1023
    class Audience(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members of the Circle")
        INVITED = "invited", _("Invited only")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=90, unique=True, validators=[validate_slug])
    summary = models.TextField(
        _("summary"), max_length=300, help_text=_("One or two sentences, shown in lists and feeds.")
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue_name = models.CharField(_("venue"), max_length=160, blank=True)
    venue_address = models.CharField(_("venue address"), max_length=255, blank=True)
    map_url = models.URLField(_("map link"), blank=True)
    venue_directions = models.TextField(
        _("getting there"),
        blank=True,
        help_text=_("Entrance, parking, accessibility, the nearest MARTA stop."),
    )
    online_url = models.URLField(
        _("online link"),
        blank=True,
        help_text=_("Shown only to people registered, in their emails and calendar files."),
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC
    )
    capacity = models.PositiveIntegerField(_("places"))
    registration_deadline = models.DateTimeField(
        _("registration deadline"),
        null=True,
        blank=True,
        help_text=_("Empty: registration stays open until the start."),
    )
    hosts = models.ManyToManyField(
        Organization, verbose_name=_("hosting organizations"), blank=True, related_name="forums"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    reminders = models.CharField(
        _("reminders"),
        max_length=60,
        default=DEFAULT_REMINDERS,
        validators=[validate_reminders],
        help_text=_("Hours before the start, separated by commas. Empty: no reminder."),
        blank=True,
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Markdown: what was said and decided, after the forum.")
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    # An in-person forum that now takes place online only (staff's "move
    # online" action): said on its page, to search engines and by email.
    moved_online_at = models.DateTimeField(_("moved online"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # Annotated: the type checker's plugin cannot follow modeltranslation's
    # manager swap (typeddjango/django-stubs#1023).
    objects: ClassVar[ForumManager[Forum]] = ForumManager()

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering: ClassVar[list[str]] = ["-starts_at", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="forum_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="forum_has_places"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "audience", "starts_at"], name="forum_listing_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forums:detail", args=[self.slug])

    def is_visible_to(self, viewer: Viewer, invited: bool | None = None) -> bool:
        """ForumQuerySet.visible_to for one forum in memory. ``invited``:
        whether the viewer holds an invitation to it, when already known
        (digests load them for a batch); otherwise asked."""
        if viewer.is_staff:
            return True
        if self.status == self.Status.DRAFT:
            return False
        if self.audience == self.Audience.PUBLIC:
            return True
        if self.audience == self.Audience.MEMBERS and viewer.is_member:
            return True
        if invited is None:
            invited = viewer.user is not None and (
                ForumInvitation.objects.filter(forum=self, user=viewer.user).exists()
            )
        return invited

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must come after the start.")})
        if not (self.venue_name or self.online_url):
            raise ValidationError(_("Give a venue, an online link, or both."))
        if (
            self.registration_deadline
            and self.starts_at
            and self.registration_deadline > self.starts_at
        ):
            raise ValidationError(
                {"registration_deadline": _("The deadline must come before the start.")}
            )

    @cached_property
    def description_html(self) -> SafeString:
        return markdown.render(self.description)

    @cached_property
    def notes_html(self) -> SafeString:
        return markdown.render(self.notes)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def moved_online(self) -> bool:
        return self.moved_online_at is not None and not self.venue_name

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def registration_open(self) -> bool:
        """New registrations and RSVPs are taken until the deadline (or the start)."""
        closes = self.registration_deadline or self.starts_at
        return self.status == self.Status.PUBLISHED and timezone.now() < closes

    @property
    def places_left(self) -> int | None:
        """Places left, on a forum read with_counts(); None otherwise."""
        taken = getattr(self, "registered_count", None)
        return None if taken is None else max(self.capacity - taken, 0)

    @property
    def reminder_hours(self) -> list[int]:
        return parse_reminders(self.reminders)


class AgendaItem(models.Model):
    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="agenda"
    )
    time = models.TimeField(_("time"), help_text=_("Local time, America/New_York."))
    title = models.CharField(_("title"), max_length=160)
    speakers = models.CharField(_("speakers"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)

    # Annotated for the type checker (modeltranslation swaps the manager).
    objects: ClassVar[models.Manager[AgendaItem]] = models.Manager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        ordering: ClassVar[list[str]] = ["time", "pk"]

    def __str__(self) -> str:
        return f"{self.time:%H:%M} {self.title}"


class ForumInvitation(models.Model):
    """A person invited to a forum: it opens an invited-only forum to them,
    and they get one invitation email. Someone outside the Circle is invited
    by email address alone (no user): their email carries a signed link to
    the forum's invitation page, where they register (forums/invitations.py)."""

    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="invitations"
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="forum_invitations",
    )
    email = models.EmailField(_("email address (outside the Circle)"), blank=True)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("invited"), default=timezone.now)

    class Meta:
        verbose_name = _("forum invitation")
        verbose_name_plural = _("forum invitations")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["forum", "user"], name="forum_invitation_once"),
            models.UniqueConstraint(
                fields=["forum", "email"],
                condition=Q(user__isnull=True),
                name="forum_invitation_email_once",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email=""), name="forum_invitation_someone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.email} · {self.forum}"

    @property
    def address(self) -> str:
        return self.user.email if self.user is not None else self.email


class Registration(models.Model):
    """A person coming to a forum: a member by RSVP, or a guest by name and
    email, confirmed by an emailed link."""

    class Status(models.TextChoices):
        HELD = "held", _("Waiting for email confirmation")
        CONFIRMED = "confirmed", _("Registered")
        WAITLISTED = "waitlisted", _("On the waitlist")
        DECLINED = "declined", _("Not going")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired (not confirmed in time)")

    # Statuses that take a place, and active ones (one per address and forum).
    HOLDING = (Status.HELD, Status.CONFIRMED)
    ACTIVE = (Status.HELD, Status.CONFIRMED, Status.WAITLISTED)

    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forum_registrations",
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email address"))
    organization_name = models.CharField(_("organization"), max_length=150, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    # The place in the waitlist's order: when the person last asked to come.
    queued_at = models.DateTimeField(_("asked to come"), default=timezone.now)
    email_confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("place confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    walk_in = models.BooleanField(_("walk-in"), default=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering: ClassVar[list[str]] = ["queued_at", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["forum", "email"],
                condition=Q(status__in=["held", "confirmed", "waitlisted"]),
                name="registration_one_active_per_email",
            ),
            models.UniqueConstraint(
                fields=["forum", "user"],
                condition=Q(user__isnull=False),
                name="registration_one_per_account",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["forum", "status"], name="registration_forum_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.forum}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


def calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret address of a person's calendar of the forums they are
    registered for. A new token revokes the old address."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="forum_calendar")
    token = models.CharField(max_length=64, unique=True, default=calendar_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.user)


# --- Materials ---------------------------------------------------------------------------


def material_path(instance: Material, filename: str) -> str:
    # The extension was chosen from the file's content when it was checked.
    return server_name("forums/materials", filename.rsplit(".", 1)[-1].lower())


class Material(models.Model):
    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(_("title"), max_length=160)
    # Stored with no URL: files go out through the material view only.
    file = models.FileField(
        _("file"), upload_to=material_path, storage=private_storage, blank=True, max_length=200
    )
    url = models.URLField(_("link"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # Annotated for the type checker (modeltranslation swaps the manager).
    objects: ClassVar[models.Manager[Material]] = models.Manager()

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering: ClassVar[list[str]] = ["order", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="material_file_or_link",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.url:
            return self.url
        return reverse("forums:material", args=[self.forum.slug, self.pk])

    def clean(self) -> None:
        super().clean()
        if bool(self.file) == bool(self.url):
            raise ValidationError(_("Upload a file or give a link (one of them)."))

    @property
    def file_extension(self) -> str:
        return (self.file.name or "").rsplit(".", 1)[-1].lower() if self.file else ""

    @property
    def extension(self) -> str:
        return self.file_extension.upper()

    def download_name(self) -> str:
        return documents.download_name(self.title, self.file_extension, fallback="material")


def invited_user_ids(forum_ids: Any, user_ids: Any) -> set[tuple[int, int]]:
    """(forum id, user id) pairs of invitations, for batch visibility checks."""
    return set(
        ForumInvitation.objects.filter(forum_id__in=forum_ids, user_id__in=user_ids).values_list(
            "forum_id", "user_id"
        )
    )
