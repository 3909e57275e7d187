"""Access-matrix rows of forums (see tests/test_access_matrix.py).

Organization A's world gets four forums: a public one, a members-only one,
an invited-only one (member_a is invited, nobody else), and a draft. The
rows point at the most telling one for each page; tests/test_forums_access.py
goes through every audience for the pages, files and calendar entries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from forums import calendar, invitations, registration
from forums.demo import one_page_pdf
from forums.models import Forum, ForumInvitation, Material, Registration
from justop.uploads import private_storage
from tests.access import LOGIN, Row, World, same, signed_in, staff_page

# A real one-page PDF, as staff would upload.
PDF = one_page_pdf()
MATRIX_FILE = "forums/access-matrix-slides.pdf"


def _slug(name: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"slug": w.more[name].slug}


ROWS: dict[str, Row] = {
    "forums:list": same(200),
    "forums:past": same(200),
    "forums:feed": same(200),
    "forums:check_email": same(200),
    "forums:mine": signed_in(),
    # POST only (405 to a GET once signed in, before anything is looked up)
    "forums:reset_calendar": signed_in(405),
    "forums:rsvp": signed_in(405, kwargs=_slug("members_forum")),
    # A signed-out person may be the one invited: sign in first.
    "forums:detail": Row(
        LOGIN, 404, 200, member_a=200, admin_a=404, member_b=404, kwargs=_slug("invited_forum")
    ),
    "forums:register": Row(200, 200, 200, kwargs=_slug("public_forum")),
    "forums:forum_ics": Row(
        LOGIN, 404, 200, member_a=200, admin_a=200, member_b=200, kwargs=_slug("members_forum")
    ),
    # The invited-only forum: member_a is invited; 404 to everyone else
    # signed in (signed out: sign in first).
    "forums:material": Row(
        LOGIN,
        404,
        200,
        member_a=200,
        admin_a=404,
        member_b=404,
        kwargs=lambda w: {"slug": w.more["invited_forum"].slug, "pk": w.more["invited_file"].pk},
    ),
    "forums:checkin": staff_page(kwargs=_slug("public_forum")),
    "forums:walk_in": staff_page(405, kwargs=_slug("public_forum")),
    "forums:checkin_mark": staff_page(
        405,
        kwargs=lambda w: {"slug": w.more["public_forum"].slug, "pk": w.more["guest"].pk},
    ),
}
# The secret address is the key (calendar clients cannot sign in).
ROWS["forums:personal_feed"] = Row(
    200, 200, 200, kwargs=lambda w: {"token": calendar.feed_for(w.member_a).token}
)
ROWS["forums:registration"] = Row(
    200, 200, 200, kwargs=lambda w: {"token": registration.token(w.more["guest"])}
)
ROWS["forums:registration_ics"] = Row(
    200, 200, 200, kwargs=lambda w: {"token": registration.token(w.more["guest"])}
)
# An outside address's invitation page: the signed link is the key, whoever
# follows it (the forum itself is invited-only).
ROWS["forums:invitation"] = Row(
    200,
    200,
    200,
    kwargs=lambda w: {
        "slug": w.more["invited_forum"].slug,
        "token": invitations.token(w.more["outside_invitation"]),
    },
)

# The object each registered admin model's change/delete/history pages open,
# by model label ("forums.Forum").
ADMIN_OBJECTS: dict[str, Callable[[World], Any]] = {
    "forums.Forum": lambda w: w.more["public_forum"],
    "forums.Registration": lambda w: w.more["guest"],
}
# Admin pages that answer otherwise than 200 for staff, by (model label, view).
ADMIN_EXCEPTIONS: dict[tuple[str, str], int] = {
    # People register on the site, where places are counted.
    ("forums.Registration", "add"): 403,
}
# Extra admin views by URL name (without "admin:"): (status for staff, kwargs).
ADMIN_EXTRA_VIEWS: dict[str, tuple[int, Callable[[World], dict[str, Any]]]] = {
    "forums_forum_invite": (200, lambda w: {"pk": w.more["invited_forum"].pk}),
}


def _forum(slug: str, audience: str, status: str = Forum.Status.PUBLISHED) -> Forum:
    starts = timezone.now() + timedelta(days=7)
    return Forum.objects.create(
        title=f"Forum {slug}",
        slug=slug,
        summary="A forum.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue_name="PSE Offices",
        online_url="https://meet.example.org/room",
        audience=audience,
        capacity=20,
        status=status,
    )


def build(world: World) -> dict[str, Any]:
    """Objects owned by organization A (world.org_a) that the rows point at;
    they land in world.more under these names."""
    public = _forum("forum-public", Forum.Audience.PUBLIC)
    members = _forum("forum-members", Forum.Audience.MEMBERS)
    invited = _forum("forum-invited", Forum.Audience.INVITED)
    draft = _forum("forum-draft", Forum.Audience.PUBLIC, status=Forum.Status.DRAFT)
    for forum in (public, members, invited, draft):
        forum.hosts.set([world.org_a])
    ForumInvitation.objects.create(forum=invited, user=world.member_a)
    outside = ForumInvitation.objects.create(forum=invited, email="guest.outside@example.org")
    # One file at a fixed name, written once: the matrix builds this world
    # for every row and must not leave a new file in MEDIA_ROOT each time.
    if not private_storage().exists(MATRIX_FILE):
        private_storage().save(MATRIX_FILE, ContentFile(PDF))
    invited_file = Material.objects.create(forum=invited, title="Slides", file=MATRIX_FILE)
    guest = Registration.objects.create(
        forum=public,
        name="Jordan Lee",
        email="jordan.guest@example.org",
        status=Registration.Status.HELD,
    )
    return {
        "public_forum": public,
        "members_forum": members,
        "invited_forum": invited,
        "draft_forum": draft,
        "invited_file": invited_file,
        "guest": guest,
        "outside_invitation": outside,
    }
