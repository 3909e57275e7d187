"""Publishing research names the organization it is published for, offers
the same page of the other organizations the person manages, and remembers
the organization for their next form; another organization's page is 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from circle.models import Membership, User
from research.models import Resource
from tests.factories import OrganizationFactory, member_of, sign_in
from tests.research.factories import research_setup  # noqa: F401

pytestmark = pytest.mark.django_db
ADMIN = Membership.Role.ADMIN


def resource_data():
    return {
        "title_en": "Our hiring guide",
        "kind": "toolkit",
        "abstract_en": "How we hire.",
        "published_on": "2025-06-01",
        "language": "en",
        "visibility": "organization",
        "status": "draft",
        "external_url": "https://example.org/guide",
    }


def test_the_button_names_the_organization_and_others_are_a_switch_away(client):
    alpha = OrganizationFactory(name="Alpha Workforce", slug="alpha")
    zeta = OrganizationFactory(name="Zeta Employers", slug="zeta")
    person = member_of(alpha, ADMIN)
    Membership.objects.create(user=person, organization=zeta, role=ADMIN)
    sign_in(client, person)
    page = client.get(reverse("research:manage_add", args=["zeta"])).text
    assert "Publish as Zeta Employers" in page
    assert f'href="{reverse("research:manage_add", args=["alpha"])}"' in page
    response = client.post(reverse("research:manage_add", args=["zeta"]), resource_data())
    assert response.status_code == 302
    assert list(Resource.objects.get().organizations.all()) == [zeta]
    assert User.objects.get(pk=person.pk).acting_organization == zeta


def test_a_single_organization_needs_no_switch(client):
    alpha = OrganizationFactory(name="Alpha Workforce", slug="alpha")
    sign_in(client, member_of(alpha, ADMIN))
    page = client.get(reverse("research:manage_add", args=["alpha"])).text
    assert "Publish as Alpha Workforce" in page
    assert "Act for another of your organizations" not in page


def test_nobody_publishes_for_an_organization_they_do_not_manage(client):
    OrganizationFactory(slug="alpha")
    other = OrganizationFactory(slug="other")
    person = member_of(other, ADMIN)
    sign_in(client, person)
    response = client.post(reverse("research:manage_add", args=["alpha"]), resource_data())
    assert response.status_code == 404
    assert not Resource.objects.exists()
    assert User.objects.get(pk=person.pk).acting_organization is None
