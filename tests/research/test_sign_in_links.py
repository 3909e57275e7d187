"""A signed-out member following a link to a members-only or
organization-only resource signs in and lands on it; a signed-in outsider
still gets 404, and drafts and resources that are not there stay 404."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from research.models import Resource
from tests.factories import PASSWORD, OrganizationFactory, member_of
from tests.research.factories import ResourceFactory, research_setup  # noqa: F401

pytestmark = pytest.mark.django_db
V = Resource.Visibility


def test_a_signed_out_member_signs_in_and_lands_on_their_organizations_resource(client):
    organization = OrganizationFactory()
    resource = ResourceFactory(visibility=V.ORGANIZATION, organizations=[organization])
    member = member_of(organization)
    url = resource.get_absolute_url()

    asked = client.get(url)
    assert asked.status_code == 302
    assert urlsplit(asked["Location"]).path == reverse("account_login")
    signed_in = client.post(asked["Location"], {"login": member.email, "password": PASSWORD})

    assert signed_in["Location"] == url
    assert resource.title in client.get(url).content.decode()


def test_the_download_asks_a_signed_out_person_to_sign_in_and_counts_nothing(client):
    resource = ResourceFactory(visibility=V.MEMBERS)

    response = client.get(reverse("research:download", args=[resource.slug]))

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")
    resource.refresh_from_db()
    assert resource.download_count == 0


def test_a_signed_in_outsider_still_gets_not_found(client):
    resource = ResourceFactory(visibility=V.ORGANIZATION, organizations=[OrganizationFactory()])
    client.force_login(member_of(OrganizationFactory()))

    assert client.get(resource.get_absolute_url()).status_code == 404


def test_drafts_and_missing_resources_are_not_found_for_a_visitor(client):
    draft = ResourceFactory(visibility=V.MEMBERS, status=Resource.Status.DRAFT)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("research:resource", args=["no-such-report"])).status_code == 404
