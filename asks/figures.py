"""The asks and offers' figure on the home page: people placed."""

from __future__ import annotations

from django.db.models import Sum
from django.http import HttpRequest
from django.utils.translation import ngettext

from asks.models import Outcome, Post
from circle.models import Organization


def people_placed(request: HttpRequest) -> int:
    """People hired, trained or enrolled (Outcome.people_placed) through
    posts for all members of the Circle, by active organizations: one total,
    the same for everyone, visitors included. A post kept for chosen
    organizations is left out, so the figure tells nobody about it (as
    asks/outcomes.py does for members); an inactive organization's posts
    are hidden in every audience, so they do not count either."""
    total = Outcome.objects.filter(
        post__audience=Post.Audience.MEMBERS,
        post__organization__status=Organization.Status.ACTIVE,
    ).aggregate(people=Sum("people_placed"))["people"]
    return total or 0


def people_placed_label(count: int) -> str:
    return ngettext(
        "person hired, trained or enrolled through asks and offers",
        "people hired, trained or enrolled through asks and offers",
        count,
    )
