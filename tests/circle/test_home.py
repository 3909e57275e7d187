"""The Circle on the public home page: how many organizations work at each
stage of the continuum, without naming them."""

import pytest
from django.urls import reverse

from tests.factories import OrganizationFactory, member_of

pytestmark = pytest.mark.django_db


def test_the_home_page_counts_organizations_per_stage_without_names(client):
    OrganizationFactory(name="Hidden Name One", stages=["job-access", "education-training"])
    OrganizationFactory(name="Hidden Name Two", stages=["job-access"])
    OrganizationFactory(name="Applicant Co", stages=["job-access"], status="applicant")

    response = client.get(reverse("home"))
    stages = {s["key"]: s["count"] for s in response.context["sections"][0][1]["stages"]}
    assert stages["job-access"] == 2
    assert stages["education-training"] == 1
    assert stages["entrepreneurship"] == 0
    html = response.content.decode()
    assert "2 member organizations work along the continuum" in html
    # The continuum gives counts only; names are on the wall of members.
    continuum = html.split('aria-labelledby="continuum-title"', 1)[1].split("</section>", 1)[0]
    assert "Hidden Name" not in continuum
    assert reverse("circle:join") in html


def test_members_are_pointed_to_the_map_instead(client):
    organization = OrganizationFactory(stages=["job-access"])
    client.force_login(member_of(organization))
    html = client.get(reverse("home")).content.decode()
    assert reverse("circle:continuum") in html
    assert "Ask to join the Circle" not in html


def test_the_section_waits_for_the_first_organization(client):
    html = client.get(reverse("home")).content.decode()
    assert "The continuum of opportunity" not in html
