"""Apps add sections to the main menu and tabs to an organization's
management pages through the registry; members-only sections stay hidden
from visitors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from circle.models import Membership
from justop import registry
from tests.factories import OrganizationFactory, member_of


@pytest.fixture
def extra_links(monkeypatch):
    monkeypatch.setattr(
        registry,
        "_nav_links",
        {
            "open": registry.NavLink("open", "Open section", "news:list", order=1),
            "private": registry.NavLink(
                "private", "Private section", "circle:directory", members_only=True
            ),
        },
    )
    monkeypatch.setattr(
        registry,
        "_manage_pages",
        {"reports": registry.ManagePage("reports", "Our reports", "circle:organization")},
    )


def menu(response) -> str:
    html = response.content.decode()
    return html[html.index('aria-label="Main"') : html.index("</nav>")]


def test_a_visitor_sees_open_sections_only(client, db, extra_links):
    html = menu(client.get("/"))
    assert "Open section" in html
    assert "Private section" not in html


def test_a_member_sees_members_only_sections(client, db, extra_links):
    client.force_login(member_of(OrganizationFactory()))
    html = menu(client.get("/"))
    assert "Open section" in html and "Private section" in html


def test_the_current_section_is_marked_for_screen_readers(client, db, extra_links):
    html = menu(client.get(reverse("news:list")))
    assert f'href="{reverse("news:list")}" aria-current="page"' in html


def test_management_pages_show_the_tabs_apps_add(client, db, extra_links):
    organization = OrganizationFactory(slug="westside")
    client.force_login(member_of(organization, Membership.Role.ADMIN))
    html = client.get(reverse("circle:manage_profile", args=["westside"])).content.decode()
    assert f'<a href="{organization.get_absolute_url()}">Our reports</a>' in html
