"""Every model with a visibility rule has two forms of it: the queryset
(`Model.objects.visible_to(viewer)`, for lists and lookups) and its twin for
an object already in memory (`obj.is_visible_to(viewer)`, for digests and
batches). For every such model and every role, the two give the same answer
over a world holding each kind of object the rule tells apart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from asks.models import Conversation
from asks.models import Post as AskOrOffer
from circle.models import Membership, Organization
from circle.viewers import ANONYMOUS, Viewer, viewer_of
from forums.models import Forum, ForumInvitation
from news.models import NewsPost
from research.models import Resource
from tests.asks.factories import PostFactory, offer
from tests.factories import OrganizationFactory, StaffFactory, UserFactory, member_of
from tests.forums.factories import ForumFactory
from tests.news.factories import NewsPostFactory
from tests.research.factories import ResourceFactory
from tests.volunteering.factories import OpportunityFactory
from volunteering.models import Opportunity

ROLES = ("visitor", "user", "member_a", "admin_a", "member_b", "staff", "staff_unverified")


@pytest.fixture
def world(db) -> dict[str, Any]:
    org_a = OrganizationFactory(name="Org A")
    org_b = OrganizationFactory(name="Org B")
    org_c = OrganizationFactory(name="Org C")
    inactive = OrganizationFactory(name="Gone", status=Organization.Status.INACTIVE)
    people = {
        "user": UserFactory(),
        "member_a": member_of(org_a),
        "admin_a": member_of(org_a, role=Membership.Role.ADMIN),
        "member_b": member_of(org_b),
        "staff": StaffFactory(),
        "staff_unverified": StaffFactory(),
    }
    member_of(inactive, user=people["member_b"])

    # Asks and offers: every audience, an inactive poster, and conversations.
    for_members = PostFactory(organization=org_a)
    PostFactory(organization=org_a, shared_with=[org_b])
    PostFactory(organization=org_a, shared_with=[org_c])
    PostFactory(organization=inactive)
    PostFactory(organization=org_c, status=AskOrOffer.Status.CLOSED)
    reply = offer(organization=org_b)
    Conversation.objects.create(post=for_members, organization=org_b)
    Conversation.objects.create(post=reply, organization=org_c)

    # Research: each visibility and status, an orphaned one, one PSE kept.
    for visibility in Resource.Visibility.values:
        ResourceFactory(visibility=visibility, organizations=[org_a])
        ResourceFactory(visibility=visibility, organizations=[inactive])
    ResourceFactory(visibility=Resource.Visibility.PUBLIC, organizations=[inactive], by_pse=True)
    ResourceFactory(status=Resource.Status.DRAFT, organizations=[org_a])

    # Forums: each audience and a draft; member_b is invited to one.
    invited_only = None
    for audience in Forum.Audience.values:
        forum = ForumFactory(audience=audience)
        if audience == Forum.Audience.INVITED:
            invited_only = forum
    ForumFactory(status=Forum.Status.DRAFT)
    ForumInvitation.objects.create(forum=invited_only, user=people["member_b"])

    # News and volunteering: the same rule for everyone.
    NewsPostFactory()
    NewsPostFactory(status=NewsPost.Status.DRAFT)
    NewsPostFactory(publish_at=timezone.now() + timedelta(days=2))
    OpportunityFactory()
    OpportunityFactory(status=Opportunity.Status.DRAFT)
    return people


def viewer_for(role: str, people: dict[str, Any]) -> Viewer:
    if role == "visitor":
        return ANONYMOUS
    person = people[role]
    if role == "staff":
        # Staff power, as StaffPowerMiddleware marks it after a second factor.
        base = viewer_of(person)
        return Viewer(user=person, is_staff=True, organization_ids=base.organization_ids)
    # Without a second factor a staff account is an ordinary signed-in person.
    return viewer_of(person)


# model, the objects to load (with what the twin needs), the twin's call
MODELS: dict[str, tuple[type, Callable[[], Any], Callable[[Any, Viewer], bool]]] = {
    "asks.Post": (
        AskOrOffer,
        lambda: AskOrOffer.objects.select_related("organization").prefetch_related("shared_with"),
        lambda obj, viewer: obj.is_visible_to(viewer),
    ),
    "asks.Conversation": (
        Conversation,
        lambda: Conversation.objects.select_related("post"),
        lambda obj, viewer: obj.is_visible_to(viewer),
    ),
    "research.Resource": (
        Resource,
        lambda: Resource.objects.prefetch_related("organizations"),
        lambda obj, viewer: obj.is_visible_to(viewer),
    ),
    "forums.Forum": (
        Forum,
        lambda: Forum.objects.all(),
        lambda obj, viewer: obj.is_visible_to(viewer),
    ),
    "news.NewsPost": (
        NewsPost,
        lambda: NewsPost.objects.all(),
        lambda obj, viewer: obj.is_visible_to(viewer),
    ),
    "volunteering.Opportunity": (
        Opportunity,
        lambda: Opportunity.objects.all(),
        lambda obj, viewer: obj.is_visible_to(viewer),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", MODELS)
def test_the_queryset_rule_and_its_in_memory_twin_agree(world, label, role):
    model, load, twin = MODELS[label]
    viewer = viewer_for(role, world)

    by_query = set(model.objects.visible_to(viewer).values_list("pk", flat=True))
    in_memory = {obj.pk for obj in load() if twin(obj, viewer)}

    assert in_memory == by_query
    # The world tells something apart for this model: neither everything
    # nor nothing is shown to everyone.
    assert model.objects.count() > 1


@pytest.mark.parametrize("label", MODELS)
def test_each_rule_hides_something_from_a_visitor_and_shows_staff_everything(world, label):
    model, _load, _twin = MODELS[label]
    staff = viewer_for("staff", world)
    everything = model.objects.count()

    if label in ("news.NewsPost", "volunteering.Opportunity"):
        # Staff preview drafts in the admin; the site's rule is the same for all.
        assert model.objects.visible_to(staff).count() < everything
    else:
        assert model.objects.visible_to(staff).count() == everything
    assert model.objects.visible_to(ANONYMOUS).count() < everything


def test_every_model_with_a_visibility_rule_is_covered():
    from django.apps import apps

    with_rule = {
        model._meta.label
        for model in apps.get_models()
        if hasattr(model, "is_visible_to") or hasattr(model.objects, "visible_to")
    }
    assert with_rule == set(MODELS)
