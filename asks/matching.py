"""Which offers fit an ask, and which asks an offer fits, best first.

The score is a pure function of two posts' facts (no database), so the
ranking can be read, tested and explained on its own:

- Only an ask and an offer match, of two different organizations, both open.
- One side must give what the other needs: an ask from talent supply
  matches offers from employer demand (or from both sides), an ask from
  employer demand offers from talent supply (or both), and an ask on both
  sides any offer. Two posts of the same side (an ask for employers to
  interview graduates and an offer of door-to-door outreach to residents,
  both talent supply): no match.
- They must have something to work on together: at least one shared
  continuum stage or area of expertise. Otherwise: no match.
- They must be able to meet: a shared county, or one of them covering the
  whole region (no county given). Two posts in different counties: no match.
- Points: 3 per shared stage, 2 per shared area of expertise, 2 per shared
  county (1 when one side covers the whole region). The reason names the
  sides: "employer demand offers what talent supply asks".
- Ties go to the post whose deadline comes first (ongoing ones last), then
  to the newest.

Candidates are read by `candidates_for` in a fixed number of queries: the
database keeps only open, visible posts of the other kind and of a
complementary side that share a stage or a tag and can meet (county); the
score does the rest in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from asks.models import Post
from circle.models import Organization
from circle.viewers import Viewer

Side = Organization.Side
Kind = Post.Kind

STAGE_POINTS = 3
TAG_POINTS = 2
COUNTY_POINTS = 2
REGION_POINTS = 1
# The match list shows the best ones; a longer list helps nobody decide.
LIMIT = 25


@dataclass(frozen=True)
class Facts:
    """What the score needs to know about a post (or an organization: kind None)."""

    pk: int
    kind: str | None  # ask, offer; None (an organization) fits either
    organization_id: int
    side: str
    stage_ids: frozenset[int]
    county_ids: frozenset[int]
    tag_ids: frozenset[int]
    is_open: bool = True
    deadline: date | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class Fit:
    score: int
    # Short phrases, most telling first: "same stage", "same county"...
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return ", ".join(self.reasons)


def complementary(side: str, other: str) -> bool:
    """Whether one side gives what the other needs: supply and demand; a
    post on both sides complements either."""
    if Side.BOTH in (side, other):
        return True
    return side != other


def complementary_sides(side: str) -> list[str]:
    """The sides a post of this side matches (the database's half of the rule)."""
    if side == Side.BOTH:
        return list(Side.values)
    return [s for s in Side.values if s != side]


def side_reason(ask_side: str, offer_side: str) -> str:
    """The sides in a few words: who offers what whom asks."""
    names: dict[str, str] = {Side.SUPPLY: _("talent supply"), Side.DEMAND: _("employer demand")}
    if offer_side == Side.BOTH and ask_side == Side.BOTH:
        return _("both sides ask and offer")
    if offer_side == Side.BOTH:
        return _("an offer to both sides meets what %(ask_side)s asks") % {
            "ask_side": names[ask_side]
        }
    if ask_side == Side.BOTH:
        return _("%(offer_side)s offers what an ask from both sides needs") % {
            "offer_side": names[offer_side]
        }
    return _("%(offer_side)s offers what %(ask_side)s asks") % {
        "offer_side": names[offer_side],
        "ask_side": names[ask_side],
    }


def score(post: Facts, other: Facts) -> Fit | None:
    """How well `other` fits `post`, or None when it does not fit at all."""
    if post.kind is not None and other.kind is not None and post.kind == other.kind:
        return None
    if post.organization_id == other.organization_id:
        return None
    if not (post.is_open and other.is_open):
        return None
    if not complementary(post.side, other.side):
        return None
    stages = post.stage_ids & other.stage_ids
    tags = post.tag_ids & other.tag_ids
    if not (stages or tags):
        return None
    counties = post.county_ids & other.county_ids
    region_wide = not post.county_ids or not other.county_ids
    if not (counties or region_wide):
        return None
    points = 0
    reasons = []
    if stages:
        points += STAGE_POINTS * len(stages)
        reasons.append(_("same stage") if len(stages) == 1 else _("same stages"))
    if counties:
        points += COUNTY_POINTS * len(counties)
        reasons.append(_("same county") if len(counties) == 1 else _("same counties"))
    else:
        points += REGION_POINTS
        reasons.append(_("region-wide"))
    if tags:
        points += TAG_POINTS * len(tags)
        reasons.append(_("shared expertise"))
    # An organization (kind None, in the digest) stands where the post's
    # counterpart would: it offers to an ask and asks of an offer.
    asks_first = post.kind == Kind.ASK or (post.kind is None and other.kind == Kind.OFFER)
    ask, offer = (post, other) if asks_first else (other, post)
    reasons.append(side_reason(ask.side, offer.side))
    return Fit(score=points, reasons=tuple(reasons))


def _order_key(facts: Facts, fit: Fit) -> tuple[int, int, date, float, int]:
    deadline = facts.deadline or date.max
    created = facts.created_at.timestamp() if facts.created_at else 0.0
    return (-fit.score, facts.deadline is None, deadline, -created, -facts.pk)


def rank(post: Facts, others: Iterable[Facts]) -> list[tuple[Facts, Fit]]:
    """The others that fit the post, best first."""
    fits = [(other, fit) for other in others if (fit := score(post, other)) is not None]
    return sorted(fits, key=lambda pair: _order_key(*pair))


# --- From the database ------------------------------------------------------------------


def facts_of(post: Post) -> Facts:
    """A post's facts; its stages, counties and expertise should be prefetched."""
    return Facts(
        pk=post.pk,
        kind=post.kind,
        organization_id=post.organization_id,
        side=post.side,
        stage_ids=frozenset(s.pk for s in post.stages.all()),
        county_ids=frozenset(c.pk for c in post.counties.all()),
        tag_ids=frozenset(t.pk for t in post.expertise.all()),
        is_open=post.is_open,
        deadline=post.deadline,
        created_at=post.created_at,
    )


FACT_RELATIONS = ("stages", "counties", "expertise")


def candidates_for(post: Post, viewer: Viewer, limit: int = LIMIT) -> list[tuple[Post, Fit]]:
    """Open posts of the other kind that the viewer may see and that fit the
    post, best first. Four queries whatever the number of posts: the
    candidates with their organizations, and three prefetches."""
    other_kind = Kind.OFFER if post.kind == Kind.ASK else Kind.ASK
    facts = facts_of(post)
    shares_stage = Post.stages.through.objects.filter(
        post_id=OuterRef("pk"), stage_id__in=facts.stage_ids
    )
    shares_tag = Post.expertise.through.objects.filter(  # type: ignore[attr-defined]
        post_id=OuterRef("pk"), expertise_id__in=facts.tag_ids
    )
    found = (
        Post.objects.visible_to(viewer)
        .open()
        .filter(kind=other_kind)
        .exclude(organization_id=post.organization_id)
        .filter(side__in=complementary_sides(post.side))
        .filter(Exists(shares_stage) | Exists(shares_tag))
    )
    if facts.county_ids:
        # The same hard rule as the score, so the database drops posts that
        # cannot meet: a shared county, or a post covering the whole region.
        placed = Post.counties.through.objects.filter(post_id=OuterRef("pk"))  # type: ignore[attr-defined]
        found = found.filter(
            Exists(placed.filter(county_id__in=facts.county_ids)) | ~Exists(placed)
        )
    found = found.select_related("organization").prefetch_related(*FACT_RELATIONS)
    by_pk = {candidate.pk: candidate for candidate in found}
    ranked = rank(facts, (facts_of(candidate) for candidate in by_pk.values()))
    return [(by_pk[other.pk], fit) for other, fit in ranked[:limit]]
