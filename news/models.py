"""News posts (PSE happenings, advocacy, volunteering and ways to get
involved) and the newsletter's subscribers."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from justop import markdown
from justop.images import RenditionImageField
from justop.uploads import server_name

if TYPE_CHECKING:
    from circle.viewers import Viewer


class NewsQuerySet(models.QuerySet["NewsPost"]):
    def published(self) -> NewsQuerySet:
        """What the public sees: published, and due (a future time keeps a
        post hidden until then). The one visibility rule of posts: pages,
        feeds, the home page and the newsletter all use it."""
        return self.filter(status=NewsPost.Status.PUBLISHED, publish_at__lte=timezone.now())

    def visible_to(self, viewer: Viewer) -> NewsQuerySet:
        """The same rule for everyone (staff preview drafts in the admin)."""
        return self.published()


# A manager class of its own: modeltranslation swaps in its multilingual
# manager at run time, and the type checker still knows what this one returns.
NewsManager = models.Manager.from_queryset(NewsQuerySet)


def hero_path(instance: NewsPost, filename: str) -> str:
    # Named by migration 0001 only: hero images are now stored as renditions.
    return server_name("news", filename.rsplit(".", 1)[-1].lower())


class NewsPost(models.Model):
    class Category(models.TextChoices):
        HAPPENINGS = "happenings", _("PSE happenings")
        ADVOCACY = "advocacy", _("Advocacy")
        VOLUNTEER = "volunteer", _("Volunteer opportunities")
        GET_INVOLVED = "get-involved", _("Ways to get involved")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=90, unique=True)
    summary = models.TextField(
        _("summary"), max_length=300, help_text=_("One or two sentences, shown in lists and feeds.")
    )
    body = models.TextField(
        _("body"), help_text=_("Markdown: **bold**, [links](https://…), lists.")
    )
    hero_image = RenditionImageField(
        _("hero image"), upload_to="news", blank=True, max_bytes=5 * 1024 * 1024
    )
    hero_alt = models.CharField(
        _("hero image description"),
        max_length=200,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it. Required with an image."),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        default=timezone.now,
        help_text=_("A time in the future keeps the post hidden until then."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # Annotated: the type checker's plugin cannot follow modeltranslation's
    # manager swap (typeddjango/django-stubs#1023).
    objects: ClassVar[NewsManager[NewsPost]] = NewsManager()

    class Meta:
        # The table of its first name, Post (renamed apart from asks.Post).
        db_table = "news_post"
        verbose_name = _("news post")
        verbose_name_plural = _("news posts")
        ordering: ClassVar[list[str]] = ["-publish_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "-publish_at"], name="post_published_idx"),
            models.Index(fields=["category", "status", "-publish_at"], name="post_category_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("news:post", args=[self.slug])

    def clean(self) -> None:
        super().clean()
        # The English description is required with an image (the Spanish
        # one falls back to it, as every translated field does).
        english = getattr(self, "hero_alt_en", None) or self.hero_alt
        if self.hero_image and not (english or "").strip():
            raise ValidationError(
                {"hero_alt_en": _("Describe the image for people who cannot see it.")}
            )

    @cached_property
    def body_html(self) -> SafeString:
        return markdown.render(self.body)

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    def is_visible_to(self, viewer: Viewer) -> bool:
        """NewsQuerySet.visible_to for a post in memory."""
        return self.is_live


class Subscriber(models.Model):
    """A newsletter subscriber, confirmed by double opt-in."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return self.email
