"""Inviting names the organization people are invited to, offers the same
page of the other organizations the person manages, and remembers the
organization; another organization's page is 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from circle.models import Invitation, Membership, User
from tests.factories import OrganizationFactory, member_of, sign_in

pytestmark = pytest.mark.django_db
ADMIN = Membership.Role.ADMIN


def test_the_invite_button_names_the_organization(client):
    alpha = OrganizationFactory(name="Alpha Workforce", slug="alpha")
    zeta = OrganizationFactory(name="Zeta Employers", slug="zeta")
    person = member_of(alpha, ADMIN)
    Membership.objects.create(user=person, organization=zeta, role=ADMIN)
    sign_in(client, person)
    url = reverse("circle:manage_invitations", args=["zeta"])
    page = client.get(url).text
    assert "Invite to Zeta Employers" in page
    assert f'href="{reverse("circle:manage_invitations", args=["alpha"])}"' in page
    response = client.post(url, {"emails": "new.person@example.org", "role": "member"})
    assert response.status_code == 302
    assert Invitation.objects.get().organization == zeta
    assert User.objects.get(pk=person.pk).acting_organization == zeta


def test_a_member_who_manages_one_organization_sees_no_switch(client):
    alpha = OrganizationFactory(name="Alpha Workforce", slug="alpha")
    zeta = OrganizationFactory(name="Zeta Employers", slug="zeta")
    person = member_of(alpha, ADMIN)
    # A plain member of Zeta: Zeta's invitations are not theirs to send.
    Membership.objects.create(user=person, organization=zeta)
    sign_in(client, person)
    page = client.get(reverse("circle:manage_invitations", args=["alpha"])).text
    assert "Invite to Alpha Workforce" in page
    assert "Act for another of your organizations" not in page


def test_nobody_invites_for_an_organization_they_do_not_manage(client):
    OrganizationFactory(slug="alpha")
    person = member_of(OrganizationFactory(slug="other"), ADMIN)
    sign_in(client, person)
    response = client.post(
        reverse("circle:manage_invitations", args=["alpha"]),
        {"emails": "new.person@example.org", "role": "member"},
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()
