"""The public pages checked by axe-core in a real browser, in English and
Spanish, on a desktop and a phone: no serious or critical violation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from justop import outbox
from tests.browsing import LANGUAGE_WIDTHS, VIEWPORTS, audit, page_context, serious_violations
from tests.factories import OrganizationFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/about/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/no-such-page/",
    "/join/",
    "/join/thanks/",
    "/news/",
    "/news/newsletter/",
    "/news/newsletter/unsubscribe/",
    lambda: news_post_path(),
    "/volunteer/",
    lambda: volunteer_path("opportunity"),
    lambda: volunteer_path("sign_up"),
    lambda: volunteer_path("signup"),
    # The page behind an invitation's link, for a new person.
    lambda: invitation_path(),
    # The page behind an email's unsubscribe link.
    lambda: reverse("unsubscribe", args=[outbox.unsubscribe_token("ana@example.org", "digest")]),
]
# For an admin of an organization, given the organization and a membership.
SIGNED_IN_PAGES = [
    lambda org, m: reverse("circle:member_home"),
    lambda org, m: "/accounts/preferences/",
    lambda org, m: "/accounts/email/",
    lambda org, m: reverse("circle:memberships"),
    lambda org, m: reverse("circle:delete_account"),
    lambda org, m: org.get_absolute_url(),
    lambda org, m: reverse("circle:manage_profile", args=[org.slug]),
    lambda org, m: reverse("circle:manage_members", args=[org.slug]),
    lambda org, m: reverse("circle:manage_member", args=[org.slug, m.pk]),
    lambda org, m: reverse("circle:manage_invitations", args=[org.slug]),
]


def news_post_path() -> str:
    from news.models import NewsPost

    post, _ = NewsPost.objects.get_or_create(
        slug="transit-is-a-jobs-issue",
        defaults={
            "title": "Transit is a jobs issue",
            "summary": "Buses to job centers.",
            "body": "## Why\n\nEarly-morning service **matters**: [the plan](https://example.org).",
            "category": NewsPost.Category.ADVOCACY,
            "status": NewsPost.Status.PUBLISHED,
        },
    )
    return post.get_absolute_url()


def volunteer_path(page: str) -> str:
    from datetime import timedelta

    from django.utils import timezone

    from volunteering import services as volunteering
    from volunteering.models import Opportunity, Shift, Signup

    opportunity, _ = Opportunity.objects.get_or_create(
        slug="career-fair",
        defaults={
            "title": "Career fair helpers",
            "summary": "Greet job seekers.",
            "description": "We **train** every volunteer.",
            "location": "Southside Community Center",
            "status": "published",
        },
    )
    shift = opportunity.shifts.first() or Shift.objects.create(
        opportunity=opportunity,
        role="Greeter",
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=4),
        capacity=4,
    )
    if page == "opportunity":
        return opportunity.get_absolute_url()
    if page == "sign_up":
        return reverse("volunteer:sign_up", args=[opportunity.slug, shift.pk])
    signup = shift.signups.first() or Signup.objects.create(
        shift=shift, name="Ana", email="ana@example.org", status="held"
    )
    return reverse("volunteer:signup", args=[volunteering.token(signup)])


def invitation_path() -> str:
    from circle import invitations
    from circle.models import Invitation

    organization = OrganizationFactory()
    invitations.invite(organization, ["guest@example.org"], "member", by=None)
    token = invitations.token_for(Invitation.objects.get(organization=organization))
    return reverse("circle:accept_invitation", args=[token])


@pytest.mark.parametrize(("language", "viewport"), LANGUAGE_WIDTHS)
def test_public_pages_have_no_serious_accessibility_violation(
    browser, live_server, axe, language, viewport
):
    paths = [path() if callable(path) else path for path in PAGES]
    context = page_context(browser, live_server, language, viewport)
    problems = audit(context, live_server, axe, paths, language, {"/no-such-page/": 404})
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("language", "viewport"), LANGUAGE_WIDTHS)
def test_account_pages_have_no_serious_accessibility_violation(
    browser, live_server, axe, language, viewport
):
    from circle import invitations
    from circle.models import Membership

    organization = OrganizationFactory(stages=["job-access"], counties=["fulton"])
    admin = member_of(organization, Membership.Role.ADMIN)
    membership = Membership.objects.get(user=member_of(organization))
    invitations.invite(organization, ["new@example.org"], "member", by=admin)
    paths = [make_path(organization, membership) for make_path in SIGNED_IN_PAGES]
    context = page_context(browser, live_server, language, viewport, admin)
    problems = audit(context, live_server, axe, paths, language)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_email_layout_has_no_serious_accessibility_violation(page, axe, language):
    row = outbox.Email(
        kind="test.digest",
        to="ana@example.org",
        stream="digest",
        language=language,
        template="emails/digest",
        context={
            "frequency": "weekly",
            "first_day": "2026-11-16",
            "last_day": "2026-11-22",
            "name": "Ana",
            "sections": [
                {
                    "key": "forums",
                    "title": "Upcoming forums",
                    "items": [
                        {
                            "title": "Workforce pathways forum",
                            "url": "https://portal.example.org/forums/1/",
                            "summary": "Employers and training programs compare notes.",
                            "meta": "December 3, 9:00",
                        }
                    ],
                }
            ],
        },
    ).row()
    message = outbox.render(row)
    html = next(content for content, mime in message.alternatives if mime == "text/html")
    page.set_content(html)
    assert page.get_attribute("html", "lang") == language
    problems = serious_violations(axe, page, f"digest email ({language})")
    assert not problems, "\n".join(problems)


def test_the_first_tab_reaches_a_visible_skip_link(page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box and box["y"] >= 0 and box["width"] > 1, "the skip link stays off screen on focus"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_the_menu_opens_on_a_phone(browser, live_server):
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        about = page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="About the Circle"
        )
        assert not about.is_visible()
        page.get_by_text("Menu", exact=True).click()
        assert about.is_visible()
    finally:
        context.close()


def test_the_menu_is_always_shown_on_a_wide_screen(page, live_server):
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(live_server.url + "/")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="About the Circle").is_visible()
