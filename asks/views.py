"""Asks and offers: the board, a post and its matches, conversations, outcomes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from asks import access, board, matching, outcomes, services
from asks.forms import CloseForm, MarkMatchForm, PostForm, ReplyForm, ResponseForm
from asks.models import Post
from circle.access import (
    acting_organization,
    get_org_for_admin,
    member_required,
    remember_acting_organization,
    requested_organization,
    signed_in_person,
)
from justop import markdown
from justop.listing import render_results

BOARD = "asks/board.html"


@require_safe
@member_required
def board_page(request: HttpRequest) -> HttpResponse:
    found = board.search(access.viewer(request), request.GET)
    return render_results(
        request,
        BOARD,
        page=found.page,
        prefix="board",
        context={"form": found.form, "filtered": found.filtered},
    )


@member_required
def post_create(request: HttpRequest) -> HttpResponse:
    person = signed_in_person(request)
    acting = acting_organization(
        person, access.posting_organizations(person), requested_organization(request)
    )
    if acting is None:
        # Staff outside any organization have no one to post for.
        raise PermissionDenied
    form = PostForm(request.POST or None, acting=acting)
    if request.method == "POST" and form.is_valid():
        form.instance.author = person
        post = form.save()
        remember_acting_organization(person, post.organization)
        messages.success(request, _("Your post is on the board."))
        return redirect(post)
    status = 400 if form.is_bound else 200
    return render(request, "asks/post_form.html", {"form": form, "post": None}, status=status)


def _detail_context(request: HttpRequest, post: Post, **extra: Any) -> dict[str, Any]:
    person = signed_in_person(request)
    viewer = access.viewer(request)
    # A closed or expired post takes no new responses; conversations go on.
    responders = access.responding_organizations(person, post) if post.is_open else []
    acting = acting_organization(person, responders, requested_organization(request))
    conversations = list(access.conversations_for(post, viewer))
    own = [c for c in conversations if c.organization_id in viewer.organization_ids]
    context = {
        "post": post,
        "description_html": markdown.render(post.description),
        "can_edit": access.can_edit(person, post),
        "conversations": conversations,
        # A responding organization sees its own thread on the post's page.
        "own_conversation": own[0]
        if own and post.organization_id not in viewer.organization_ids
        else None,
        "response_form": ResponseForm(acting=acting) if acting else None,
        "outcome": getattr(post, "outcome", None) if post.status == Post.Status.MATCHED else None,
        "shared_with": list(post.shared_with.all())
        if post.audience == Post.Audience.CHOSEN
        else [],
    }
    return context | extra


@require_safe
@member_required
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = access.get_post_for_viewer(request, pk)
    return render(request, "asks/post_detail.html", _detail_context(request, post))


@member_required
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = access.get_post_for_editor(request, pk)
    form = PostForm(request.POST or None, instance=post)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect(post)
    return render(request, "asks/post_form.html", {"form": form, "post": post})


@member_required
def post_close(request: HttpRequest, pk: int) -> HttpResponse:
    post = access.get_post_for_editor(request, pk)
    form = CloseForm(request.POST or None, post=post)
    if request.method == "POST" and form.is_valid():
        status = form.cleaned_data["status"]
        outcome = form.save(commit=False) if status == Post.Status.MATCHED else None
        services.close(post, status=status, by=signed_in_person(request), outcome=outcome)
        messages.success(request, _("The post is closed."))
        return redirect(post)
    return render(request, "asks/post_close.html", {"form": form, "post": post})


@require_POST
@member_required
def post_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    post = access.get_post_for_editor(request, pk)
    services.reopen(post)
    messages.success(request, _("The post is open again."))
    return redirect(post)


@require_safe
@member_required
def post_matches(request: HttpRequest, pk: int) -> HttpResponse:
    post = access.get_post_for_viewer(request, pk)
    person = signed_in_person(request)
    candidates = matching.candidates_for(post, access.viewer(request)) if post.is_open else []
    marked = services.matches_of([post])
    mine = access.viewer(request).organization_ids
    rows = []
    for other, fit in candidates:
        key = (post.pk, other.pk) if post.kind == Post.Kind.ASK else (other.pk, post.pk)
        rows.append(
            {
                "post": other,
                "fit": fit,
                "match": marked.get(key),
                "may_mark": access.may_mark(person, post, other),
                # Whom the marking speaks for (staff outside both: nobody).
                "marks_as": next(
                    (o for o in (post.organization, other.organization) if o.pk in mine), None
                ),
            }
        )
    return render(request, "asks/post_matches.html", {"post": post, "rows": rows})


@require_POST
@member_required
def mark_match(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    post = access.get_post_for_viewer(request, pk)
    candidate = access.get_post_for_viewer(request, other)
    if (
        candidate.kind != services.opposite(post.kind)
        or candidate.organization_id == post.organization_id
    ):
        raise Http404
    person = signed_in_person(request)
    if not access.may_mark(person, post, candidate):
        raise PermissionDenied
    form = MarkMatchForm(request.POST)
    if form.is_valid():
        services.mark_match(post, candidate, state=form.cleaned_data["state"], by=person)
        messages.success(request, _("The match is marked; both organizations are told."))
    return redirect("asks:post_matches", pk=post.pk)


@require_POST
@member_required
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    post = access.get_post_for_viewer(request, pk)
    person = signed_in_person(request)
    acting = acting_organization(
        person, access.responding_organizations(person, post), requested_organization(request)
    )
    if acting is None or not post.is_open:
        # Their own organization's post, or one closed since.
        raise PermissionDenied
    form = ResponseForm(request.POST, acting=acting)
    if not form.is_valid():
        context = _detail_context(request, post, response_form=form)
        return render(request, "asks/post_detail.html", context, status=400)
    organization = form.cleaned_data["organization"]
    sent = services.respond(
        post, organization=organization, author=person, body=form.cleaned_data["body"]
    )
    remember_acting_organization(person, organization)
    messages.success(
        request,
        _("Your message is sent to %(organization)s.") % {"organization": post.organization.name},
    )
    return redirect(sent.conversation)


@member_required
def conversation(request: HttpRequest, pk: int, conversation_pk: int) -> HttpResponse:
    post = access.get_post_for_viewer(request, pk)
    thread = access.get_conversation_for_viewer(request, post, conversation_pk)
    person = signed_in_person(request)
    acting = acting_organization(
        person, access.conversation_sides(person, post, thread), requested_organization(request)
    )
    form = ReplyForm(request.POST or None, acting=acting) if acting else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            organization = form.cleaned_data["organization"]
            services.reply(
                thread, organization=organization, author=person, body=form.cleaned_data["body"]
            )
            remember_acting_organization(person, organization)
            return redirect(thread)
        status = 400
    responses = thread.responses.select_related("author", "organization")
    return render(
        request,
        "asks/conversation.html",
        {"post": post, "thread": thread, "responses": responses, "form": form},
        status=status,
    )


@require_safe
@member_required
def outcomes_page(request: HttpRequest) -> HttpResponse:
    summary = outcomes.summarize(access.viewer(request))
    return render(request, "asks/outcomes.html", {"summary": summary})


@require_safe
@login_required
def manage_posts(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_org_for_admin(request, slug)
    posts = (
        access.organization.posts.select_related("author")
        .prefetch_related("stages")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "asks/manage_posts.html",
        {"organization": access.organization, "access": access, "posts": posts},
    )
