"""Links to an organization's pages for signed-out people: the page of an
organization not yet active (seen by its own people) and its management
pages send them to sign in and back; an outsider signed in gets 404."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from circle.models import Membership, Organization
from tests.factories import PASSWORD, OrganizationFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["circle:organization", "circle:manage_members"])
def test_a_signed_out_admin_signs_in_and_lands_on_the_page(client, name):
    organization = OrganizationFactory(status=Organization.Status.APPLICANT)
    admin = member_of(organization, role=Membership.Role.ADMIN)
    url = reverse(name, args=[organization.slug])

    asked = client.get(url)
    assert urlsplit(asked["Location"]).path == reverse("account_login")
    signed_in = client.post(asked["Location"], {"login": admin.email, "password": PASSWORD})

    assert signed_in["Location"] == url
    assert client.get(url).status_code == 200


def test_a_signed_in_outsider_still_gets_not_found(client):
    organization = OrganizationFactory(status=Organization.Status.APPLICANT)
    client.force_login(member_of(OrganizationFactory()))

    assert client.get(reverse("circle:organization", args=[organization.slug])).status_code == 404
    assert client.get(reverse("circle:manage_members", args=[organization.slug])).status_code == 404


def test_an_organization_that_is_not_there_is_not_found_for_a_visitor(client):
    assert client.get(reverse("circle:organization", args=["no-such-org"])).status_code == 404
