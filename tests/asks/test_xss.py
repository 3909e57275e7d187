"""Stored XSS in asks and offers: a payload typed into a post, a message, an
organization name or an outcome never comes back executable, on any page of
the feature or in its emails."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from asks import services
from asks.models import Outcome, Post
from circle.models import Membership
from justop.models import OutboxEmail
from tests.asks.factories import PostFactory, offer
from tests.factories import OrganizationFactory, StaffFactory, member_of, sign_in
from tests.test_xss import MARKDOWN, PAYLOAD, assert_inert, email_html

pytestmark = pytest.mark.django_db


def test_payloads_stay_inert_on_every_page_and_email():
    employer = OrganizationFactory(name=f"Employer {PAYLOAD}"[:150], stages=["job-access"])
    trainer = OrganizationFactory(name=f"Trainer {PAYLOAD}"[:150])
    author = member_of(employer, Membership.Role.ADMIN)
    ask = PostFactory(
        organization=employer,
        author=author,
        title=PAYLOAD[:150],
        description=MARKDOWN,
        stages=["job-access"],
        expertise=[PAYLOAD[:60]],
    )
    graduates = offer(organization=trainer, title=PAYLOAD[:150], description=MARKDOWN,
                      stages=["job-access"])  # fmt: skip
    responder = member_of(trainer)
    thread = services.respond(
        ask, organization=trainer, author=responder, body=PAYLOAD
    ).conversation
    services.mark_match(ask, graduates, state="done", by=responder)
    matched = PostFactory(organization=employer, title=PAYLOAD[:150], status=Post.Status.MATCHED,
                          stages=["job-access"])  # fmt: skip
    Outcome.objects.create(post=matched, notes=PAYLOAD, partner=trainer, partnership_started=True)

    for person in (author, StaffFactory()):
        client = Client()
        sign_in(client, person)
        for url in [
            reverse("asks:board"),
            reverse("asks:board") + "?show=all",
            ask.get_absolute_url(),
            matched.get_absolute_url(),
            reverse("asks:post_matches", args=[ask.pk]),
            reverse("asks:post_edit", args=[ask.pk]),
            thread.get_absolute_url(),
            reverse("asks:outcomes"),
            reverse("asks:manage_posts", args=[employer.slug]),
            employer.get_absolute_url(),
            reverse("circle:continuum"),
        ]:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_inert(response.text, url)
    emails = OutboxEmail.objects.filter(kind__startswith="circle.")
    assert emails.count() >= 2
    for row in emails:
        assert_inert(email_html(row), row.kind)
