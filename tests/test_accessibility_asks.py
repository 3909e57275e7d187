"""The pages of asks and offers checked by axe-core in a real browser, in
English and Spanish, on a desktop and a phone: no serious or critical
violation. Also the two emails they send."""

from __future__ import annotations

import pytest
from django.urls import reverse

from asks import services
from asks.models import Outcome, Post
from circle.models import Membership
from justop import outbox
from tests.asks.factories import PostFactory, offer
from tests.browsing import LANGUAGE_WIDTHS, audit, page_context, serious_violations
from tests.factories import OrganizationFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def world():
    """An employer's ask with a fitting offer, a conversation and an outcome;
    the person browsing is an admin of the employer."""
    employer = OrganizationFactory(name="Metro Manufacturers", stages=["job-access"])
    trainer = OrganizationFactory(name="Peachtree Skills")
    admin = member_of(employer, Membership.Role.ADMIN)
    ask = PostFactory(
        organization=employer, author=admin, title="20 entry-level technicians",
        stages=["job-access"], counties=["cobb"], expertise=["Advanced manufacturing"],
        quantity=20, unit="jobs",
    )  # fmt: skip
    graduates = offer(organization=trainer, title="15 graduates ready",
                      stages=["job-access"], counties=["cobb"])  # fmt: skip
    services.mark_match(ask, graduates, state="conversation", by=admin)
    thread = services.respond(
        ask, organization=trainer, author=member_of(trainer), body="Our graduates are ready."
    ).conversation
    done = PostFactory(organization=employer, stages=["job-access"], status=Post.Status.MATCHED)
    Outcome.objects.create(post=done, people_placed=8, partnership_started=True)
    return admin, [
        reverse("asks:board"),
        reverse("asks:board") + "?kind=offer&show=all",
        reverse("asks:post_create"),
        ask.get_absolute_url(),
        reverse("asks:post_edit", args=[ask.pk]),
        reverse("asks:post_close", args=[ask.pk]),
        reverse("asks:post_matches", args=[ask.pk]),
        thread.get_absolute_url(),
        reverse("asks:outcomes"),
        reverse("asks:manage_posts", args=[employer.slug]),
        employer.get_absolute_url(),
        reverse("circle:continuum"),
    ]


@pytest.mark.parametrize(("language", "viewport"), LANGUAGE_WIDTHS)
def test_the_pages_have_no_serious_accessibility_violation(
    browser, live_server, axe, language, viewport
):
    person, paths = world()
    context = page_context(browser, live_server, language, viewport, person)
    problems = audit(context, live_server, axe, paths, language)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("template", "context"),
    [
        (
            "asks/emails/response",
            {"name": "Ana", "post": "20 technicians", "kind": "ask",
             "from_organization": "Peachtree Skills", "from_person": "Luis",
             "body": "Our graduates are ready.", "url": "https://portal.example.org/asks/1/"},
        ),
        (
            "asks/emails/match",
            {"name": "Ana", "state": "done", "post": "20 technicians", "other": "15 graduates",
             "other_organization": "Peachtree Skills", "by": "Luis",
             "url": "https://portal.example.org/asks/1/matches/"},
        ),
    ],
)  # fmt: skip
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_emails_have_no_serious_accessibility_violation(page, axe, template, context, language):
    row = outbox.Email(
        kind="test.asks",
        to="ana@example.org",
        language=language,
        template=template,
        context=context,
    ).row()
    message = outbox.render(row)
    html = next(content for content, mime in message.alternatives if mime == "text/html")
    page.set_content(html)
    problems = serious_violations(axe, page, template)
    assert not problems, "\n".join(problems)
