from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. The email address is the login."""

    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
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
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("email preferences")
        verbose_name_plural = _("email preferences")

    def __str__(self) -> str:
        return str(self.user)

    def wants_section(self, key: str) -> bool:
        return key not in self.digest_sections_off
