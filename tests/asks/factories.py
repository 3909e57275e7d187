"""Factories of asks and offers (asks.Post and what hangs on it)."""

from __future__ import annotations

import factory
from django.utils.text import slugify

from asks.models import Post
from circle.models import County, Expertise, Organization, Stage
from tests.factories import OrganizationFactory


class PostFactory(factory.django.DjangoModelFactory):
    """An open ask for all members. Relations by key: stages=["job-access"],
    counties=["fulton"], expertise=["Apprenticeships"], shared_with=[org]."""

    class Meta:
        model = Post
        skip_postgeneration_save = True

    kind = Post.Kind.ASK
    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Twenty entry-level technicians ({n})")
    description = "We hire **entry-level technicians** from training programs."
    side = Organization.Side.DEMAND
    audience = Post.Audience.MEMBERS
    status = Post.Status.OPEN

    @factory.post_generation
    def stages(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.stages.set(Stage.objects.filter(key__in=extracted))

    @factory.post_generation
    def counties(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.counties.set(County.objects.filter(key__in=extracted))

    @factory.post_generation
    def expertise(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.expertise.set(
                [
                    Expertise.objects.get_or_create(slug=slugify(n), defaults={"name": n})[0]
                    for n in extracted
                ]
            )

    @factory.post_generation
    def shared_with(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.audience = Post.Audience.CHOSEN
            obj.save(update_fields=["audience"])
            obj.shared_with.set(extracted)


def offer(**kwargs) -> Post:
    kwargs.setdefault("side", Organization.Side.SUPPLY)
    return PostFactory(kind=Post.Kind.OFFER, **kwargs)


def bulk_posts(count: int, organizations: list[Organization], **fields) -> list[Post]:
    """Many open posts at once (for the query-count tests): alternately asks
    (employer demand) and offers (talent supply) of the given organizations,
    each in a stage and a county."""
    stages = list(Stage.objects.all())
    counties = list(County.objects.all())
    start = Post.objects.count()
    posts = Post.objects.bulk_create(
        Post(
            kind=Post.Kind.ASK if i % 2 else Post.Kind.OFFER,
            organization=organizations[i % len(organizations)],
            title=f"Post {start + i}",
            description="Entry-level technicians and graduates of training programs.",
            side=Organization.Side.DEMAND if i % 2 else Organization.Side.SUPPLY,
            **fields,
        )
        for i in range(count)
    )
    Post.stages.through.objects.bulk_create(
        Post.stages.through(post=post, stage=stages[i % len(stages)])
        for i, post in enumerate(posts)
    )
    Post.counties.through.objects.bulk_create(
        Post.counties.through(post=post, county=counties[i % len(counties)])
        for i, post in enumerate(posts)
    )
    return posts
