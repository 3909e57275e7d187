"""The forum pages checked by axe-core in a real browser, in English and
Spanish, on a desktop and a phone: no serious or critical violation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from forums import invitations, registration
from forums.models import Forum, ForumInvitation
from tests.browsing import LANGUAGE_WIDTHS, audit, page_context
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory
from tests.forums.factories import AgendaItemFactory, ForumFactory, registered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def forums(db):
    host = OrganizationFactory(name="Westside Works")
    public = ForumFactory(title="Transit and jobs", slug="transit-and-jobs", hosts=[host])
    AgendaItemFactory(forum=public, title="Welcome", speakers="Pat Staff")
    members = ForumFactory(title="Members' convening", audience=Forum.Audience.MEMBERS, capacity=1)
    registered(members, MemberFactory())
    guest = registration.register_guest(
        public, name="Ana Lima", email_address="ana@example.org", language="en"
    ).registration
    invited = ForumFactory(title="By invitation", audience=Forum.Audience.INVITED)
    outside = ForumInvitation.objects.create(forum=invited, email="outside@example.org")
    return {
        "public": public,
        "members": members,
        "guest": guest,
        "invited": invited,
        "invitation": invitations.token(outside),
    }


def _check(browser, live_server, axe, language, viewport, paths, user=None) -> list[str]:
    context = page_context(browser, live_server, language, viewport, user)
    return audit(context, live_server, axe, paths, language)


@pytest.mark.parametrize(("language", "viewport"), LANGUAGE_WIDTHS)
def test_forum_pages_have_no_serious_accessibility_violation(
    browser, live_server, axe, forums, language, viewport
):
    public, members = forums["public"], forums["members"]
    visitor = [
        reverse("forums:list"),
        reverse("forums:past"),
        public.get_absolute_url(),
        reverse("forums:register", args=[public.slug]),
        reverse("forums:check_email"),
        reverse("forums:registration", args=[registration.token(forums["guest"])]),
        reverse("forums:invitation", args=[forums["invited"].slug, forums["invitation"]]),
    ]
    member = [members.get_absolute_url(), public.get_absolute_url(), reverse("forums:mine")]
    staff = [
        reverse("forums:checkin", args=[public.slug]) + "?q=ana",
        reverse("forums:checkin", args=[public.slug]),
        reverse("admin:forums_forum_invite", args=[forums["invited"].pk]),
    ]

    problems = _check(browser, live_server, axe, language, viewport, visitor)
    problems += _check(browser, live_server, axe, language, viewport, member, MemberFactory())
    problems += _check(browser, live_server, axe, language, viewport, staff, StaffFactory())

    assert not problems, "\n".join(problems)
