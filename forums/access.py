"""Who reaches a forum, its files and its check-in page.

- Seeing: `Forum.objects.visible_to(viewer)` is the one rule (its in-memory
  twin is `Forum.is_visible_to`); a forum the person may not see answers 404
  on its page, its files, its calendar file and its registration pages,
  except to a signed-out person, who is sent to sign in and back first.
- Check-in is for staff with staff power (circle.staff.staff_required), on
  any forum but a draft.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from circle.signin import refuse
from circle.viewers import viewer_of
from forums.models import Forum, Material


def get_forum_for_viewer(request: HttpRequest, slug: str) -> Forum:
    """The forum of a page, file or calendar: 404 unless the person may see
    it; a signed-out person is sent to sign in first when it is a forum
    someone signed in could see (not a draft)."""
    try:
        return Forum.objects.visible_to(viewer_of(request.user)).get(slug=slug)
    except Forum.DoesNotExist:
        refuse(request, Forum.objects.exclude(status=Forum.Status.DRAFT).filter(slug=slug))


def get_material_for_viewer(request: HttpRequest, slug: str, pk: int) -> Material:
    """A file of a forum the person may see; 404 otherwise."""
    forum = get_forum_for_viewer(request, slug)
    return get_object_or_404(forum.materials.exclude(file=""), pk=pk)


def get_forum_for_checkin(slug: str) -> Forum:
    """The forum at the door (the view is staff only): any but a draft."""
    return get_object_or_404(Forum.objects.exclude(status=Forum.Status.DRAFT), slug=slug)
