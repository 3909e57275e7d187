"""Asks and offers in the admin: staff read and close posts, matches,
conversations and outcomes."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from asks.models import Conversation, Match, Outcome, Post, PostResponse
from justop.translated import BilingualFields


class OutcomeInline(admin.StackedInline[Outcome, Post]):
    model = Outcome
    can_delete = True
    extra = 0
    fields = ("people_placed", "partnership_started", "partner", "notes", "recorded_by")
    raw_id_fields = ("partner", "recorded_by")


@admin.register(Post)
class PostAdmin(BilingualFields, TranslationAdmin[Post]):
    list_display = ("title", "kind", "organization", "status", "deadline", "audience", "created_at")
    list_filter = ("kind", "status", "audience", "side", "stages", "counties")
    # A person's admin page links here by their email: what they posted.
    search_fields = (
        "title_en",
        "title_es",
        "description_en",
        "description_es",
        "organization__name",
        "author__email",
    )
    date_hierarchy = "created_at"
    list_select_related = ("organization",)
    raw_id_fields = ("organization", "author")
    filter_horizontal = ("stages", "counties", "expertise", "shared_with")
    readonly_fields = ("created_at", "updated_at", "closed_at")
    inlines = (OutcomeInline,)
    actions = ("close_posts",)

    @admin.action(description=_("Close the selected posts"))
    def close_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        done = queryset.filter(status=Post.Status.OPEN).update(
            status=Post.Status.CLOSED, closed_at=timezone.now()
        )
        self.message_user(
            request, ngettext("%(n)s post closed.", "%(n)s posts closed.", done) % {"n": done}
        )


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin[Match]):
    list_display = ("__str__", "state", "marked_by", "updated_at")
    list_filter = ("state",)
    search_fields = ("ask__title", "offer__title")
    raw_id_fields = ("ask", "offer", "marked_by")
    list_select_related = ("ask", "offer", "marked_by")


class PostResponseInline(admin.StackedInline[PostResponse, Conversation]):
    model = PostResponse
    extra = 0
    fields = ("created_at", "organization", "author", "body")
    readonly_fields = ("created_at", "organization", "author")

    def has_add_permission(self, request: HttpRequest, obj: Conversation | None = None) -> bool:
        # Messages are written by members on the site, in their own name.
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = ("post", "organization", "created_at", "last_message_at")
    # A person's admin page links here by their email: where they wrote.
    search_fields = (
        "post__title",
        "organization__name",
        "responses__body",
        "responses__author__email",
    )
    list_select_related = ("post", "organization")
    raw_id_fields = ("post", "organization")
    readonly_fields = ("created_at", "last_message_at")
    inlines = (PostResponseInline,)


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin[Outcome]):
    list_display = ("post", "people_placed", "partnership_started", "recorded_at")
    list_filter = ("partnership_started",)
    search_fields = ("post__title", "notes")
    list_select_related = ("post",)
    raw_id_fields = ("post", "partner", "recorded_by")
    date_hierarchy = "recorded_at"
