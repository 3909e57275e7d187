"""Asks and offers: an organization posts what it needs (an ask) or what it
can give (an offer); members find a fit, talk in private conversations and
record what came of it. The rules (who sees, who edits, matching, emails)
live in asks/access.py, asks/services.py and asks/matching.py.

The tables were created by the circle app and keep its names (db_table)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from circle.models import County, Expertise, Organization, Stage, User

if TYPE_CHECKING:
    from circle.viewers import Viewer


class PostQuerySet(models.QuerySet["Post"]):
    def visible_to(self, viewer: Viewer) -> PostQuerySet:
        """The one visibility rule of asks and offers. Staff see every post,
        those of inactive organizations included. Members of the Circle see
        posts for all members; a post for chosen organizations is seen by
        the poster's organization and the chosen ones only. Only posts of an
        active organization: one deactivated (or not yet active) has no
        post anyone but staff sees, in any audience. Anyone else: nothing."""
        if viewer.is_staff:
            return self.all()
        if not viewer.organization_ids:
            return self.none()
        ids = viewer.organization_ids
        chosen = Post.shared_with.through.objects.filter(  # type: ignore[attr-defined]
            post_id=models.OuterRef("pk"), organization_id__in=ids
        )
        return self.filter(
            models.Q(audience=Post.Audience.MEMBERS)
            | models.Q(organization_id__in=ids)
            | models.Q(models.Exists(chosen)),
            organization__status=Organization.Status.ACTIVE,
        )

    def open(self, today: date | None = None) -> PostQuerySet:
        """Open and not past its deadline: a post counts as expired from the
        day after its deadline, before the hourly task closes it."""
        today = today or timezone.localdate()
        return self.filter(status=Post.Status.OPEN).filter(
            models.Q(deadline__isnull=True) | models.Q(deadline__gte=today)
        )

    def past_deadline(self, today: date | None = None) -> PostQuerySet:
        today = today or timezone.localdate()
        return self.filter(status=Post.Status.OPEN, deadline__lt=today)


# modeltranslation swaps the manager's class for a multilingual subclass at
# run time (asks/translation.py), and the type checker still knows what
# this one returns.
PostManager = models.Manager.from_queryset(PostQuerySet)


class Post(models.Model):
    """An ask (what an organization needs) or an offer (what it can give)."""

    class Kind(models.TextChoices):
        ASK = "ask", _("Ask")
        OFFER = "offer", _("Offer")

    class Unit(models.TextChoices):
        PEOPLE = "people", _("people")
        PLACES = "places", _("places")
        JOBS = "jobs", _("jobs")

    class Audience(models.TextChoices):
        MEMBERS = "members", _("All members of the Circle")
        CHOSEN = "chosen", _("Chosen organizations only")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("state of an ask or offer", "Open")
        MATCHED = "matched", pgettext_lazy("state of an ask or offer", "Matched")
        CLOSED = "closed", pgettext_lazy("state of an ask or offer", "Closed")

    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="posts"
    )
    author = models.ForeignKey(
        User,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(
        _("description"), help_text=_("Markdown: **bold**, lists, links.")
    )
    stages = models.ManyToManyField(Stage, verbose_name=_("continuum stages"), blank=True)
    side = models.CharField(
        _("side"),
        max_length=10,
        choices=Organization.Side.choices,
        help_text=_("Talent supply (people, training, coaching) or employer demand (jobs)."),
    )
    counties = models.ManyToManyField(
        County,
        verbose_name=_("counties"),
        blank=True,
        help_text=_("Leave empty for the whole region."),
    )
    expertise = models.ManyToManyField(Expertise, verbose_name=_("areas of expertise"), blank=True)
    quantity = models.PositiveIntegerField(_("how many"), null=True, blank=True)
    unit = models.CharField(_("of what"), max_length=10, choices=Unit.choices, blank=True)
    deadline = models.DateField(
        _("deadline"), null=True, blank=True, help_text=_("Leave empty for an ongoing post.")
    )
    audience = models.CharField(
        _("who sees it"), max_length=10, choices=Audience.choices, default=Audience.MEMBERS
    )
    shared_with = models.ManyToManyField(
        Organization,
        verbose_name=_("chosen organizations"),
        blank=True,
        related_name="posts_shared_with",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    # Annotated: the type checker's plugin cannot follow modeltranslation's
    # manager swap (typeddjango/django-stubs#1023).
    objects: ClassVar[PostManager[Post]] = PostManager()

    class Meta:
        db_table = "circle_post"
        verbose_name = _("ask or offer")
        verbose_name_plural = _("asks and offers")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "deadline"], name="post_status_deadline")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__isnull=True) | models.Q(quantity__gt=0),
                name="post_quantity_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("asks:post", args=[self.pk])

    def is_visible_to(self, viewer: Viewer) -> bool:
        """PostQuerySet.visible_to for a post already in memory (the digest
        reads a batch of posts once for many members). Needs `organization`
        and `shared_with` loaded; tests hold the two to the same answers."""
        if viewer.is_staff:
            return True
        ids = viewer.organization_ids
        if not ids or self.organization.status != Organization.Status.ACTIVE:
            return False
        if self.organization_id in ids or self.audience == self.Audience.MEMBERS:
            return True
        return any(org.pk in ids for org in self.shared_with.all())

    @property
    def is_expired(self) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.deadline is not None
            and self.deadline < timezone.localdate()
        )

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN and not self.is_expired

    @property
    def state(self) -> str:
        """open, expired, matched or closed: what the pages show."""
        return "expired" if self.is_expired else self.status


class Match(models.Model):
    """An ask and an offer that members said fit, and how far it went."""

    class State(models.TextChoices):
        CONVERSATION = "conversation", _("In conversation")
        DONE = "done", pgettext_lazy("state of a match", "Done")

    ask = models.ForeignKey(
        Post, verbose_name=_("ask"), on_delete=models.CASCADE, related_name="matches_as_ask"
    )
    offer = models.ForeignKey(
        Post, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="matches_as_offer"
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    marked_by = models.ForeignKey(
        User, verbose_name=_("marked by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("first marked"), default=timezone.now)
    updated_at = models.DateTimeField(_("last marked"), default=timezone.now)

    class Meta:
        db_table = "circle_match"
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["ask", "offer"], name="match_unique")]

    def __str__(self) -> str:
        return f"{self.ask.title} ↔ {self.offer.title}"


class ConversationQuerySet(models.QuerySet["Conversation"]):
    def visible_to(self, viewer: Viewer) -> ConversationQuerySet:
        """A conversation is between two organizations: the poster's and the
        one that responded. Their members see it, and staff; nobody else."""
        if viewer.is_staff:
            return self.all()
        ids = viewer.organization_ids
        return self.filter(
            models.Q(post__organization_id__in=ids) | models.Q(organization_id__in=ids)
        )


class Conversation(models.Model):
    """The thread between a post's organization and one organization that
    responded to it: each responding organization has its own."""

    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="conversations"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("responding organization"),
        on_delete=models.CASCADE,
        related_name="post_conversations",
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        db_table = "circle_conversation"
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "organization"], name="conversation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.post.title}"

    def get_absolute_url(self) -> str:
        return reverse("asks:conversation", args=[self.post_id, self.pk])

    def is_visible_to(self, viewer: Viewer) -> bool:
        """ConversationQuerySet.visible_to for a conversation in memory
        (needs `post` loaded)."""
        if viewer.is_staff:
            return True
        ids = viewer.organization_ids
        return self.post.organization_id in ids or self.organization_id in ids


class PostResponse(models.Model):
    """One message of a conversation, from either organization."""

    conversation = models.ForeignKey(
        Conversation,
        verbose_name=_("conversation"),
        on_delete=models.CASCADE,
        related_name="responses",
    )
    author = models.ForeignKey(
        User, verbose_name=_("written by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("on behalf of"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        db_table = "circle_postresponse"
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.organization}: {self.body[:60]}"


class Outcome(models.Model):
    """What came of a post closed as matched."""

    post = models.OneToOneField(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="outcome"
    )
    people_placed = models.PositiveIntegerField(_("people placed"), default=0)
    partnership_started = models.BooleanField(_("a partnership started"), default=False)
    partner = models.ForeignKey(
        Organization,
        verbose_name=_("with"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(_("what came of it"), blank=True)
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        db_table = "circle_outcome"
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return str(self.post)
