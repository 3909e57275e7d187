"""Access-matrix rows of asks and offers (circle) (see tests/test_access_matrix.py).

The post the rows open belongs to organization A and is shown to chosen
organizations only (A itself and C), so member_b, a member of the Circle
like the others, is the outsider who gets 404. Its author is admin_a: a
plain member of A may read it but not edit it (403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asks import services
from asks.models import Outcome, Post
from tests.access import LOGIN, Row, World, admins_of_a, members_only, org_a
from tests.asks.factories import PostFactory, offer
from tests.factories import OrganizationFactory, member_of


def _post(w: World) -> dict[str, Any]:
    return {"pk": w.more["asks_post"].pk}


def _chosen_only(**kwargs: Any) -> Row:
    """Seen by A's people and staff; a member of B gets 404."""
    return Row(LOGIN, 403, 200, member_a=200, admin_a=200, member_b=404, **kwargs)


def _editors(**kwargs: Any) -> Row:
    """Changed by its author (admin_a) and staff; member_a may only read it."""
    return Row(LOGIN, 403, 200, member_a=403, admin_a=200, member_b=404, **kwargs)


ROWS: dict[str, Row] = {
    "asks:board": members_only(),
    "asks:outcomes": members_only(),
    # Staff outside any organization have no one to post for.
    "asks:post_create": Row(LOGIN, 403, 403, member_a=200, admin_a=200, member_b=200),
    "asks:post": _chosen_only(kwargs=_post),
    "asks:post_matches": _chosen_only(kwargs=_post),
    "asks:post_edit": _editors(kwargs=_post),
    "asks:post_close": _editors(kwargs=_post),
    "asks:conversation": _chosen_only(
        kwargs=lambda w: {
            "pk": w.more["asks_post"].pk,
            "conversation_pk": w.more["asks_conversation"].pk,
        }
    ),
    "asks:manage_posts": admins_of_a(kwargs=org_a),
    # POST only: a GET is refused before anything is looked up.
    "asks:post_reopen": Row(405, 405, 405, kwargs=_post),
    "asks:post_respond": Row(405, 405, 405, kwargs=_post),
    "asks:mark_match": Row(
        405,
        405,
        405,
        kwargs=lambda w: {"pk": w.more["asks_post"].pk, "other": w.more["asks_offer"].pk},
    ),
}

ADMIN_OBJECTS: dict[str, Callable[[World], Any]] = {
    "asks.Post": lambda w: w.more["asks_post"],
    "asks.Match": lambda w: w.more["asks_match"],
    "asks.Conversation": lambda w: w.more["asks_conversation"],
    "asks.Outcome": lambda w: w.more["asks_outcome"],
}
ADMIN_EXCEPTIONS: dict[tuple[str, str], int] = {}
ADMIN_EXTRA_VIEWS: dict[str, tuple[int, Callable[[World], dict[str, Any]]]] = {}


def build(world: World) -> dict[str, Any]:
    """An ask of A shown to A and C only, an offer of C that fits it, their
    match, C's conversation about the ask, and an outcome of a matched post."""
    organization_c = OrganizationFactory(name="Organization C", slug="organization-c")
    person_c = member_of(organization_c)
    ask = PostFactory(
        organization=world.org_a,
        author=world.admin_a,
        stages=["job-access"],
        counties=["fulton"],
        shared_with=[organization_c],
    )
    fitting = offer(organization=organization_c, author=person_c, stages=["job-access"])
    sent = services.respond(
        ask, organization=organization_c, author=person_c, body="Our graduates are ready."
    )
    matched = PostFactory(organization=world.org_a, status=Post.Status.MATCHED)
    return {
        "asks_post": ask,
        "asks_offer": fitting,
        "asks_match": services.mark_match(ask, fitting, state="conversation", by=person_c),
        "asks_conversation": sent.conversation,
        "asks_outcome": Outcome.objects.create(post=matched, people_placed=4),
    }
