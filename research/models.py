"""The research library: reports, briefs, data and toolkits, with their files.

One visibility rule, ``Resource.objects.visible_to(viewer)``, serves every
page, search result, snippet, facet count, section, digest and download.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from circle.models import Organization
from justop.images import RenditionImageField
from justop.uploads import private_storage, server_name

if TYPE_CHECKING:
    from circle.viewers import Viewer


class SearchDocumentField(SearchVectorField):  # type: ignore[type-arg]
    """A stored tsvector. The library needs none of django.contrib.postgres's
    app machinery (only its expressions), and the portal also runs on SQLite,
    where the column is unused: the app-installed check is left out."""

    def _check_postgres_installed(self, *args: Any) -> list[Any]:
        return []


def file_path(instance: Resource, filename: str) -> str:
    # The extension was chosen from the file's content when it was checked.
    return server_name("research/files", filename.rsplit(".", 1)[-1].lower())


def cover_path(instance: Resource, filename: str) -> str:
    # Named by migration 0001 only: covers are now stored as renditions.
    return server_name("research/covers", filename.rsplit(".", 1)[-1].lower())


class Topic(models.Model):
    """One of the six guiding principles of the Circle (seeded)."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    # In English and Spanish (research/translation.py).
    name = models.CharField(_("name"), max_length=80)
    principle = models.TextField(_("guiding principle"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    # Annotated for the type checker (modeltranslation swaps the manager).
    objects: ClassVar[models.Manager[Topic]] = models.Manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering: ClassVar[list[str]] = ["order", "key"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("research:topic", args=[self.key])


class Tag(models.Model):
    """A free tag, shared by resources."""

    # In English and Spanish (research/translation.py). A tag is one by its
    # slug (made from the English name): its names in each language need
    # not be unique, and many tags have no Spanish one yet.
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=70, unique=True)

    # Annotated for the type checker (modeltranslation swaps the manager).
    objects: ClassVar[models.Manager[Tag]] = models.Manager()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class ResourceQuerySet(models.QuerySet["Resource"]):
    def published(self) -> ResourceQuerySet:
        return self.filter(status=Resource.Status.PUBLISHED)

    def visible_to(self, viewer: Viewer) -> ResourceQuerySet:
        """The one visibility rule of the library. Staff see everything,
        drafts and the resources of inactive organizations included;
        everyone else sees published resources that are public,
        members-only when they are a member of the Circle, and
        organization-only when they belong to a publishing organization,
        but never an orphaned one (see orphaned()). Resource.is_visible_to
        says the same for one loaded resource."""
        if viewer.is_staff:
            return self.all()
        V = Resource.Visibility
        audience = Q(visibility=V.PUBLIC)
        if viewer.is_member:
            audience |= Q(visibility=V.MEMBERS)
        if viewer.organization_ids:
            # Exists rather than a join: a resource of two of the person's
            # organizations must still come once.
            published_by_theirs = Resource.organizations.through.objects.filter(
                resource_id=OuterRef("pk"), organization_id__in=viewer.organization_ids
            )
            audience |= Q(Exists(published_by_theirs), visibility=V.ORGANIZATION)
        return self.filter(
            audience, Q(by_pse=True) | ~Q(pk__in=orphaned()), status=Resource.Status.PUBLISHED
        )


# A manager class of its own: modeltranslation swaps in its multilingual
# manager at run time, and the type checker still knows what this one returns.
ResourceManager = models.Manager.from_queryset(ResourceQuerySet)


def orphaned() -> QuerySet[Any]:
    """The ids of resources whose publishing organizations are all inactive
    (or not yet active); PSE's own stay (visible_to checks by_pse), and a
    resource with no publishing organization is not one.

    Not correlated with the outer query: PostgreSQL computes it once per
    query, from the links of the few organizations that are not active, and
    probes a hash for each resource, so the library still walks its
    newest-first index and stops. Its cost grows with the research of
    inactive organizations (about 15 ms for 2,500 such links), not with
    the library; an Exists per row or a per-row count was cheaper for one
    page of 20 but ten times dearer for a count or 500 candidates."""
    links = Resource.organizations.through.objects
    active_copublisher = links.filter(
        resource_id=OuterRef("resource_id"), organization__status=Organization.Status.ACTIVE
    )
    not_active = Organization.objects.exclude(status=Organization.Status.ACTIVE).values("pk")
    return (
        links.filter(organization_id__in=not_active)
        .filter(~Exists(active_copublisher))
        .values("resource_id")
    )


class Resource(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        BRIEF = "brief", _("Brief")
        DATASET = "dataset", _("Dataset")
        PRESENTATION = "presentation", _("Presentation")
        TOOLKIT = "toolkit", _("Toolkit")
        ARTICLE = "article", _("Article")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone")
        MEMBERS = "members", _("Members of the Circle")
        ORGANIZATION = "organization", _("Only the publishing organization")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Extraction(models.TextChoices):
        NONE = "none", _("No file")
        PENDING = "pending", _("Waiting for extraction")
        DONE = "done", _("Text extracted")
        EMPTY = "empty", _("No text found (a scan?)")
        ENCRYPTED = "encrypted", _("Encrypted: text not readable")
        BROKEN = "broken", _("Damaged file: text not readable")

    class FileType(models.TextChoices):
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        DOCX = "docx", "DOCX"
        PPTX = "pptx", "PPTX"

    # The title and abstract are in English and Spanish (research/translation.py);
    # the file stays in its own language, `language` below.
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=110, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    abstract = models.TextField(_("abstract"), max_length=3000)
    authors = models.CharField(
        _("authors"),
        max_length=300,
        blank=True,
        help_text=_("Separate people with semicolons, e.g. “Ana Díaz; John Smith”."),
    )
    organizations = models.ManyToManyField(
        Organization,
        verbose_name=_("publishing organizations"),
        blank=True,
        related_name="research",
    )
    by_pse = models.BooleanField(_("published by PSE"), default=False)
    published_on = models.DateField(_("publication date"))
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text=_(
            "The language of the resource itself (its file or page). The title and abstract "
            "can be written in both languages."
        ),
    )
    file = models.FileField(
        _("file"), upload_to=file_path, storage=private_storage, blank=True, max_length=200
    )
    file_type = models.CharField(_("file type"), max_length=5, choices=FileType.choices, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    external_url = models.URLField(_("external link"), blank=True, max_length=500)
    cover = RenditionImageField(
        _("cover image"),
        upload_to="research/covers",
        storage=private_storage,
        blank=True,
        max_length=200,
    )
    cover_alt = models.CharField(
        _("cover image description"),
        max_length=200,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it. Required with an image."),
    )
    visibility = models.CharField(
        _("visibility"), max_length=15, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # When the resource entered the library (the digest's "new research"),
    # unlike published_on, the date printed on the report.
    published_at = models.DateTimeField(_("added to the library"), null=True, blank=True)
    extraction = models.CharField(
        _("text extraction"), max_length=10, choices=Extraction.choices, default=Extraction.NONE
    )
    extracted_text = models.TextField(_("extracted text"), blank=True, editable=False)
    search_vector = SearchDocumentField(null=True, editable=False)
    # Title (A) and abstract and authors (B) only: what ts_rank reads. A few
    # hundred bytes kept in the row, unlike search_vector (kilobytes, stored
    # out of line), so ranking never reads the file's text.
    rank_vector = SearchDocumentField(null=True, editable=False)
    download_count = models.PositiveIntegerField(_("downloads"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # Annotated: the type checker's plugin cannot follow modeltranslation's
    # manager swap (typeddjango/django-stubs#1023).
    objects: ClassVar[ResourceManager[Resource]] = ResourceManager()

    class Meta:
        verbose_name = _("research resource")
        verbose_name_plural = _("research resources")
        ordering: ClassVar[list[str]] = ["-published_on", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            # The GIN index on search_vector (migration 0003) and the sample
            # indexes used to estimate large counts (migration 0005) are made
            # on PostgreSQL only (SQLite knows no GIN).
            models.Index(
                fields=["status", "visibility", "-published_on"], name="resource_listing_idx"
            ),
            models.Index(fields=["status", "-published_at"], name="resource_new_idx"),
            # The library's order: newest first. Lets "newest 20 I may see"
            # walk the index and stop, whatever the visibility mix.
            models.Index(fields=["-published_on", "-id"], name="resource_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        # The stored search document follows every save: research.signals.
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("research:resource", args=[self.slug])

    def clean(self) -> None:
        super().clean()
        if self.cover and not self.cover_alt.strip():
            raise ValidationError(
                {"cover_alt": _("Describe the image for people who cannot see it.")}
            )

    def is_visible_to(self, viewer: Viewer, organization_ids: set[int] | None = None) -> bool:
        """ResourceQuerySet.visible_to for one loaded resource (digests check
        a batch of people against the same rows, with ``organizations``
        prefetched). ``organization_ids``: the publishing organizations,
        when already loaded."""
        if viewer.is_staff:
            return True
        if self.status != self.Status.PUBLISHED:
            return False
        if self.is_orphaned:
            return False
        if self.visibility == self.Visibility.PUBLIC:
            return True
        if self.visibility == self.Visibility.MEMBERS:
            return viewer.is_member
        if organization_ids is None:
            organization_ids = {o.pk for o in self.organizations.all()}
        return bool(organization_ids & viewer.organization_ids)

    @property
    def is_orphaned(self) -> bool:
        """orphaned() for one loaded resource."""
        if self.by_pse:
            return False
        publishers = self.organizations.all()
        return bool(publishers) and all(o.status != Organization.Status.ACTIVE for o in publishers)

    @property
    def own_title(self) -> str:
        """The title in the resource's own language, as its file prints it
        (else the English one): what a citation names, on any page."""
        own = getattr(self, f"title_{self.language}", None)
        return str(own or getattr(self, "title_en", None) or self.title)

    @property
    def year(self) -> int:
        return self.published_on.year

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.visibility == self.Visibility.PUBLIC

    def publishers(self) -> list[str]:
        names = [o.name for o in self.organizations.all()]
        if self.by_pse:
            names.insert(0, str(_("Partnership for Southern Equity")))
        return names
