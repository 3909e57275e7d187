"""The admin's index is PSE staff's dashboard: what waits for them and what
happens this week, each figure linking to the admin list it counts."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from circle.models import JoinApplication, Organization
from forums.models import Forum, Registration
from forums.staff_pages import week
from justop.models import OutboxEmail
from tests.browsing import LANGUAGE_WIDTHS, audit, page_context
from tests.factories import (
    OrganizationFactory,
    StaffFactory,
    UserFactory,
    sign_in_with_second_factor,
)
from tests.forums.factories import ForumFactory, registered

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<th scope="row"><a href="([^"]+)">([^<]+)</a>(.*?)</th>\s*<td[^>]*>(\d+)</td>')


def djangos_picker(problem: str) -> bool:
    """A violation found only on the icons of Django's many-to-many picker."""
    icons = problem.count(".help-tooltip.search-label-icon")
    return "aria-prohibited-attr" in problem and icons == problem.count("'label[")


def figures(page: str) -> dict[str, tuple[str, str, int]]:
    """label -> (link, detail, count) of the dashboard's rows."""
    return {
        html.unescape(label): (html.unescape(url), detail, int(count))
        for url, label, detail, count in ROW.findall(page)
    }


def apply(n: int, **fields) -> None:
    for i in range(n):
        JoinApplication.objects.create(
            organization_name=f"Applicant {fields.get('status', 'x')} {i}",
            sector=Organization.Sector.NONPROFIT,
            mission="Jobs.",
            applicant_name="Dana",
            applicant_email=f"dana{i}-{fields.get('status', 'p')}@example.org",
            **fields,
        )


def failed_email(n: int) -> None:
    def made(state: str) -> None:
        key = uuid.uuid4().hex
        OutboxEmail.objects.create(
            key=key, message_id=key, kind="test.kind", recipient=f"{key}@example.org", state=state
        )

    for _ in range(n):
        made("failed")
    made("sent")


def this_week_forum(**kwargs) -> Forum:
    start, end = week()
    starts = max(timezone.now() + timedelta(minutes=30), start + timedelta(hours=1))
    if starts >= end:  # late on a Sunday: the week's last minutes
        starts = end - timedelta(minutes=5)
    return ForumFactory(starts_at=starts, ends_at=starts + timedelta(hours=2), **kwargs)


def world(size: int) -> None:
    apply(size)
    apply(1, status=JoinApplication.Status.APPROVED)
    failed_email(size)
    for _ in range(size):
        OrganizationFactory()
        UserFactory()
    # An organization from last year is not new this month.
    OrganizationFactory(created_at=timezone.now() - timedelta(days=400))
    for i in range(size):
        forum = this_week_forum(title=f"Week forum {i}", capacity=3)
        for j in range(3):
            registered(forum, email=f"r{i}-{j}@example.org", name=f"R {j}")
        registered(forum, email=f"w{i}@example.org", status=Registration.Status.WAITLISTED)
    ForumFactory(
        title="Far forum",
        starts_at=timezone.now() + timedelta(days=30),
        ends_at=timezone.now() + timedelta(days=30, hours=2),
    )


def test_staff_see_the_figures_with_links_to_the_filtered_lists(client):
    world(2)
    staff = StaffFactory()
    sign_in_with_second_factor(client, staff)

    page = client.get(reverse("admin:index")).content.decode()
    shown = figures(page)

    url, _detail, count = shown["Join applications waiting"]
    assert count == 2
    assert url.startswith(reverse("admin:circle_joinapplication_changelist"))
    assert "status__exact=pending" in url
    url, _detail, count = shown["Emails that failed"]
    assert count == 2 and "state__exact=failed" in url
    assert shown["Organizations added this month"][2] == 2
    # The staff member signing in is one of the people added.
    assert shown["People added this month"][2] == 3
    week_rows = [label for label in shown if label.startswith("Week forum")]
    assert len(week_rows) == 2
    url, detail, count = shown[week_rows[0]]
    assert count == 3
    assert "3 of 3 places taken" in html.unescape(detail)
    assert "1 on the waitlist" in html.unescape(detail)
    assert "forum__id__exact=" in url
    assert not any(label.startswith("Far forum") for label in shown)
    # The admin's own list of apps is still there.
    assert reverse("admin:app_list", kwargs={"app_label": "circle"}) in page


@pytest.mark.parametrize(
    "name",
    [
        "Join applications waiting",
        "Emails that failed",
        "Organizations added this month",
        "People added this month",
    ],
)
def test_each_link_lists_exactly_what_the_figure_counts(client, name):
    world(2)
    sign_in_with_second_factor(client, StaffFactory())
    url, _detail, count = figures(client.get(reverse("admin:index")).content.decode())[name]

    listing = client.get(url)

    assert listing.status_code == 200
    assert listing.context["cl"].result_count == count


def test_a_forum_link_lists_its_registrations(client):
    world(1)
    sign_in_with_second_factor(client, StaffFactory())
    shown = figures(client.get(reverse("admin:index")).content.decode())
    url, _detail, _count = shown[next(label for label in shown if label.startswith("Week forum"))]

    listing = client.get(url)

    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 4  # three places taken, one waiting


def test_the_dashboard_runs_the_same_number_of_queries_whatever_the_data(client):
    sign_in_with_second_factor(client, StaffFactory())
    url = reverse("admin:index")
    world(1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    world(6)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)

    rows = ROW.findall(response.content.decode())
    assert len([label for _url, label, *_rest in rows if label.startswith("Week")]) == 7
    assert len(large) == len(small)


def test_a_staff_account_without_its_second_factor_is_sent_to_give_it(client):
    client.force_login(StaffFactory())

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith((reverse("mfa_index"), reverse("mfa_reauthenticate")))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("language", "viewport"), LANGUAGE_WIDTHS)
def test_the_staff_pages_have_no_serious_accessibility_violation(
    browser, live_server, axe, language, viewport
):
    world(2)
    person = UserFactory(name="Ana Lima")
    registered(this_week_forum(), person)
    application = JoinApplication.objects.create(
        organization_name="Westside Works",
        sector=Organization.Sector.NONPROFIT,
        mission="Jobs.",
        applicant_name="Dana Brooks",
        applicant_email="dana@example.org",
    )
    paths = [
        reverse("admin:index"),
        reverse("admin:circle_user_change", args=[person.pk]),
        reverse("admin:circle_joinapplication_change", args=[application.pk]),
    ]
    context = page_context(browser, live_server, language, viewport, StaffFactory())

    problems = audit(context, live_server, axe, paths, language)

    # Django's own many-to-many picker (filter_horizontal: a person's groups,
    # an application's stages) puts aria-label on an icon: Django's markup,
    # left out of the portal's checks as in tests/test_admin_forms.py.
    ours = [p for p in problems if not djangos_picker(p)]
    assert not ours, "\n".join(ours)


def test_staff_see_how_much_content_still_lacks_its_spanish_version(client):
    from django.contrib import admin
    from modeltranslation.translator import translator

    from justop.translated import SpanishVersionFilter
    from tests.news.factories import NewsPostFactory

    NewsPostFactory(title="Fair", title_es="Feria", summary_es="Resumen", body_es="Cuerpo")
    NewsPostFactory(title="Only English")
    NewsPostFactory(title="Half", title_es="Mitad")
    sign_in_with_second_factor(client, StaffFactory())

    shown = figures(client.get(reverse("admin:index")).content.decode())

    url, detail, count = shown["News posts without Spanish"]
    assert count == 2
    assert "2 of 3" in html.unescape(detail)
    listing = client.get(url)
    assert listing.status_code == 200
    assert {post.title_en for post in listing.context["cl"].queryset} == {"Only English", "Half"}
    # Every list of translated content in the admin has the same filter.
    for model in translator.get_registered_models():
        if admin.site.is_registered(model):
            model_admin = admin.site.get_model_admin(model)
            request = listing.wsgi_request
            assert SpanishVersionFilter in model_admin.get_list_filter(request), model
