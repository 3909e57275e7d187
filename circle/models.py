from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from justop import markdown
from justop.images import RenditionImageField
from justop.uploads import server_name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if not (extra["is_staff"] and extra["is_superuser"]):
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Addresses are compared case-insensitively everywhere: store them lowercased.
        return (email or "").strip().lower()


# The languages of the settings, whose names are only marked there, translated.
LANGUAGE_CHOICES = [(code, _(name)) for code, name in settings.LANGUAGES]


class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]  # typeddjango/django-stubs#1023
    """A person with an account. The email address is the login."""

    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=LANGUAGE_CHOICES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Emails are written in this language."),
    )
    is_staff = models.BooleanField(
        _("PSE staff"),
        default=False,
        help_text=_(
            "Staff manage the portal in the admin site (two-factor authentication required)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The organization the person last acted for (posted, replied, published
    # or invited as): their forms start with it. circle/access.py
    # acting_organization checks they still belong to it.
    acting_organization = models.ForeignKey(
        "Organization",
        verbose_name=_("last acted for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects: ClassVar[UserManager] = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = UserManager.normalize_email(self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = UserManager.normalize_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return (self.name.split() or [self.email])[0]


class EmailPreferences(models.Model):
    """What bulk mail a person wants. Transactional mail (confirmations,
    password resets, registration changes) always goes."""

    class Frequency(models.TextChoices):
        OFF = "off", _("Off: no digest")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    DEFAULT_FREQUENCY = Frequency.WEEKLY

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="email_preferences", primary_key=True
    )
    digest_frequency = models.CharField(
        _("digest"), max_length=8, choices=Frequency.choices, default=DEFAULT_FREQUENCY
    )
    # Sections are listed by what the person turned off, so a section added
    # later reaches everyone until they decline it.
    digest_sections_off = models.JSONField(_("sections turned off"), default=list, blank=True)
    # Emails of asks and offers: a message in a conversation of their
    # organization, and a match marked with one of its posts.
    conversation_emails = models.BooleanField(_("conversation emails"), default=True)
    match_emails = models.BooleanField(_("match emails"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("email preferences")
        verbose_name_plural = _("email preferences")

    def __str__(self) -> str:
        return str(self.user)

    def wants_section(self, key: str) -> bool:
        return key not in self.digest_sections_off


# --- The Circle: organizations and their people -------------------------------------


class Stage(models.Model):
    """A stage of the continuum of economic opportunity. Staff may refine the list."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_es = models.CharField(_("name in Spanish"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("continuum stage")
        verbose_name_plural = _("continuum stages")
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        if self.name_es and get_language() == "es":
            return self.name_es
        return self.name


class County(models.Model):
    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Expertise(models.Model):
    """An area of expertise, a free tag shared by organizations. Its name has
    an English and a Spanish version (circle/translation.py)."""

    # Unique per language by the constraints below rather
    # than unique=True: modeltranslation would copy unique=True to name_es,
    # where every tag without a Spanish name shares the empty value, and
    # keep it on the original column, which is written only through `name`.
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=70, unique=True)

    # Annotated: the type checker's plugin cannot follow modeltranslation's
    # manager swap (typeddjango/django-stubs#1023).
    objects: ClassVar[models.Manager[Expertise]] = models.Manager()

    class Meta:
        verbose_name = _("area of expertise")
        verbose_name_plural = _("areas of expertise")
        # The reader's language first (modeltranslation reads "name" as
        # name_es on a Spanish page), then English for tags without Spanish.
        ordering = ["name", "name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["name_en"],
                name="expertise_name_en_unique",
                violation_error_message=_("An area of expertise has this name already."),
            ),
            models.UniqueConstraint(
                fields=["name_es"],
                name="expertise_name_es_unique",
                condition=models.Q(name_es__gt=""),
                violation_error_message=_("An area of expertise has this name already."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def active(self) -> OrganizationQuerySet:
        return self.filter(status=Organization.Status.ACTIVE)


def logo_path(instance: Organization, filename: str) -> str:
    # Named by migration 0003 only: logos are now stored as renditions.
    extension = filename.rsplit(".", 1)[-1].lower()
    return server_name("logos", extension)


# modeltranslation swaps the manager's class for a multilingual subclass at
# run time (circle/translation.py), and the type checker still knows what
# this one returns.
OrganizationManager = models.Manager.from_queryset(OrganizationQuerySet)


class Organization(models.Model):  # type: ignore[django-manager-missing]  # typeddjango/django-stubs#1023
    """A member organization of the Circle: the tenant."""

    class Sector(models.TextChoices):
        BUSINESS = "business", _("Business")
        NONPROFIT = "nonprofit", _("Nonprofit")
        GOVERNMENT = "government", _("Government")
        PHILANTHROPY = "philanthropy", _("Philanthropy")
        EDUCATION = "education", _("Education")
        COMMUNITY = "community", _("Community")

    class Side(models.TextChoices):
        SUPPLY = "supply", _("Talent supply")
        DEMAND = "demand", _("Employer demand")
        BOTH = "both", _("Both")

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    mission = models.TextField(_("mission statement"), blank=True)
    description = models.TextField(
        _("about the organization"),
        blank=True,
        help_text=_("Markdown: **bold**, lists, links."),
    )
    website = models.URLField(_("website"), blank=True)
    logo = RenditionImageField(_("logo"), upload_to="logos", blank=True)
    counties = models.ManyToManyField(County, verbose_name=_("counties served"), blank=True)
    stages = models.ManyToManyField(Stage, verbose_name=_("continuum stages served"), blank=True)
    side = models.CharField(_("side"), max_length=10, choices=Side.choices, default=Side.BOTH)
    expertise = models.ManyToManyField(Expertise, verbose_name=_("areas of expertise"), blank=True)
    contact_name = models.CharField(_("public contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("public contact email"), blank=True)
    contact_phone = models.CharField(_("public contact phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    joined_on = models.DateField(_("joined the Circle on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    # Annotated: the type checker's plugin cannot follow modeltranslation's
    # manager swap (typeddjango/django-stubs#1023).
    objects: ClassVar[OrganizationManager[Organization]] = OrganizationManager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("circle:organization", args=[self.slug])

    def description_html(self) -> SafeString:
        """The description in the reader's language (or the English), as safe HTML."""
        return markdown.render(self.description)


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", pgettext_lazy("role in an organization", "Admin")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    title = models.CharField(pgettext_lazy("job", "title"), max_length=120, blank=True)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__name", "user__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class InvitationBatch(models.Model):
    """Invitations sent together, so their sender can follow the sending."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitation_batches"
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invitation batch")
        verbose_name_plural = _("invitation batches")

    def __str__(self) -> str:
        return f"{self.total} invitations to {self.organization}"


class Invitation(models.Model):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("email address"))
    # The display name the admin wrote with the address ("Ana Díaz <ana@…>"):
    # it greets the person in the email and fills the name they confirm.
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(
        _("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    batch = models.ForeignKey(
        InvitationBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    # Part of the signed link; a resend draws a new one, so older links stop working.
    nonce = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(_("invited"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    sent_count = models.PositiveSmallIntegerField(_("times sent"), default=0)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and organization: inviting again
            # renews it instead of sending a second one.
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_open_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired else "pending"


class JoinApplication(models.Model):
    """An organization asking to join the Circle, reviewed by staff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    organization_name = models.CharField(_("organization name"), max_length=150)
    sector = models.CharField(_("sector"), max_length=20, choices=Organization.Sector.choices)
    website = models.URLField(_("website"), blank=True)
    mission = models.TextField(_("mission statement"))
    side = models.CharField(
        _("side"), max_length=10, choices=Organization.Side.choices, default=Organization.Side.BOTH
    )
    stages = models.ManyToManyField(Stage, verbose_name=_("continuum stages served"), blank=True)
    counties = models.ManyToManyField(County, verbose_name=_("counties served"), blank=True)
    applicant_name = models.CharField(_("your name"), max_length=150)
    applicant_email = models.EmailField(_("your email address"))
    applicant_title = models.CharField(_("your title"), max_length=120, blank=True)
    message = models.TextField(_("why your organization wants to join"), blank=True)
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization created"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("join application")
        verbose_name_plural = _("join applications")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.organization_name
