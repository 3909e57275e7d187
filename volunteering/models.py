"""Volunteer opportunities, their shifts and the sign-ups for them (the
rules of signing up are in volunteering/services.py).

The tables were created by the news app and keep its names (db_table)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from justop import markdown

if TYPE_CHECKING:
    from circle.viewers import Viewer


class OpportunityQuerySet(models.QuerySet["Opportunity"]):
    def published(self) -> OpportunityQuerySet:
        """What the public sees; the one visibility rule of opportunities."""
        return self.filter(status=Opportunity.Status.PUBLISHED)

    def visible_to(self, viewer: Viewer) -> OpportunityQuerySet:
        """The same rule for everyone (staff see drafts in the admin)."""
        return self.published()


# A manager class of its own: modeltranslation swaps in its multilingual
# manager at run time, and the type checker still knows what this one returns.
OpportunityManager = models.Manager.from_queryset(OpportunityQuerySet)


class Opportunity(models.Model):  # type: ignore[django-manager-missing]  # typeddjango/django-stubs#1023
    """A way to volunteer, with shifts people sign up for without an account."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=90, unique=True)
    summary = models.TextField(_("summary"), max_length=300)
    description = models.TextField(_("description"), help_text=_("Markdown."))
    location = models.CharField(_("location"), max_length=200, blank=True)
    remote = models.BooleanField(_("remote"), default=False)
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # Annotated: the type checker's plugin cannot follow modeltranslation's
    # manager swap (typeddjango/django-stubs#1023).
    objects: ClassVar[OpportunityManager[Opportunity]] = OpportunityManager()

    class Meta:
        db_table = "news_opportunity"
        verbose_name = _("volunteer opportunity")
        verbose_name_plural = _("volunteer opportunities")
        ordering: ClassVar[list[str]] = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("volunteer:opportunity", args=[self.slug])

    def is_visible_to(self, viewer: Viewer) -> bool:
        """OpportunityQuerySet.visible_to for an opportunity in memory."""
        return self.status == self.Status.PUBLISHED

    @cached_property
    def description_html(self) -> SafeString:
        return markdown.render(self.description)


class Shift(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="shifts"
    )
    role = models.CharField(_("role"), max_length=120)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(
        _("places"), help_text=_("People, counting everyone in a party.")
    )
    # Calendars that hold the shift replace their copy when it changes.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Annotated for the type checker (modeltranslation swaps the manager).
    objects: ClassVar[models.Manager[Shift]] = models.Manager()

    class Meta:
        db_table = "news_shift"
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering: ClassVar[list[str]] = ["starts_at", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="shift_has_places"),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.opportunity} · {self.role} · {local:%Y-%m-%d %H:%M}"


class Signup(models.Model):
    """Someone (and their party) signing up for a shift, confirmed by email."""

    class Status(models.TextChoices):
        HELD = "held", _("Waiting for email confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired (not confirmed in time)")

    # Statuses that count against the shift's places, and active ones (one per
    # address and shift).
    HOLDING = (Status.HELD, Status.CONFIRMED)
    ACTIVE = (Status.HELD, Status.CONFIRMED, Status.WAITLISTED)

    shift = models.ForeignKey(
        Shift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="signups"
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email address"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    party_size = models.PositiveSmallIntegerField(_("people"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        db_table = "news_signup"
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering: ClassVar[list[str]] = ["created_at", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["shift", "email"],
                condition=models.Q(status__in=["held", "confirmed", "waitlisted"]),
                name="signup_one_active_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(party_size__gte=1, party_size__lte=10), name="signup_party_size"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["shift", "status"], name="signup_shift_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.party_size}) · {self.shift}"
