"""An organization's public profile, and the page its admins edit it from:
who sees its people, who may manage it, and what a logo upload may be."""

from __future__ import annotations

import csv
import io
import os
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from circle.models import County, Expertise, Membership, Organization, Stage
from tests.factories import (
    OrganizationFactory,
    StaffFactory,
    UserFactory,
    member_of,
    sign_in,
    sign_in_with_second_factor,
)
from tests.forms import profile_data

ADMIN = Membership.Role.ADMIN


@pytest.fixture
def org(db):
    organization = OrganizationFactory(
        name="Westside Works",
        slug="westside-works",
        mission="Construction apprenticeships for Westside neighbors.",
        website="https://westside.example.org/",
        contact_name="Dana Reyes",
        contact_email="hello@westside.example.org",
        contact_phone="404-555-0100",
    )
    organization.stages.set([stage("job-access", "Job access & placement")])
    organization.counties.set([county("Fulton"), county("DeKalb")])
    return organization


def stage(key: str, name: str) -> Stage:
    # Seeded by a data migration; a transactional test elsewhere may have flushed it.
    return Stage.objects.get_or_create(key=key, defaults={"name": name})[0]


def county(name: str) -> County:
    return County.objects.get_or_create(key=name.lower(), defaults={"name": name})[0]


@pytest.fixture
def people(org):
    """Two people of the organization, with their titles."""
    return (
        member_of(org, ADMIN, user__name="Ana Díaz", title="Executive director"),
        member_of(org, user__name="Marcus Bell", title="Job coach"),
    )


def profile(client, organization: Organization) -> str:
    response = client.get(reverse("circle:organization", args=[organization.slug]))
    assert response.status_code == 200
    return response.content.decode()


def signed_in(client, user):
    sign_in(client, user)
    return client


# --- The public profile ---------------------------------------------------------------


def test_the_profile_shows_the_organizations_public_facts(client, org):
    html = profile(client, org)

    assert "<h1>Westside Works</h1>" in html
    assert "Construction apprenticeships for Westside neighbors." in html
    assert "Job access &amp; placement" in html
    assert "DeKalb, Fulton" in html
    assert "Dana Reyes" in html
    assert 'href="mailto:hello@westside.example.org"' in html
    assert "404-555-0100" in html
    assert 'href="https://westside.example.org/"' in html


def test_anonymous_visitors_do_not_see_the_people(client, org, people):
    html = profile(client, org)
    assert "Ana Díaz" not in html
    assert "Job coach" not in html


def test_a_signed_in_person_without_organization_does_not_see_the_people(client, org, people):
    html = profile(signed_in(client, UserFactory()), org)
    assert "Ana Díaz" not in html
    assert "Marcus Bell" not in html


@pytest.mark.parametrize("viewer", ["member of another organization", "staff"])
def test_members_of_the_circle_and_staff_see_names_and_titles(client, org, people, viewer):
    if viewer == "staff":
        person = StaffFactory()
    else:
        person = member_of(OrganizationFactory(name="Eastside Jobs"))
    html = profile(signed_in(client, person), org)

    assert "Ana Díaz</strong>, Executive director" in html
    assert "Marcus Bell</strong>, Job coach" in html


@pytest.mark.parametrize("status", [Organization.Status.APPLICANT, Organization.Status.INACTIVE])
def test_an_organization_not_active_is_hidden_from_the_public_and_other_members(
    client, org, people, status
):
    org.status = status
    org.save()
    url = reverse("circle:organization", args=[org.slug])

    # A visitor may be one of its people, signed out: asked to sign in.
    assert client.get(url).status_code == 302
    assert signed_in(client, UserFactory()).get(url).status_code == 404
    other_member = member_of(OrganizationFactory(name="Eastside Jobs"))
    assert signed_in(client, other_member).get(url).status_code == 404


@pytest.mark.parametrize("status", [Organization.Status.APPLICANT, Organization.Status.INACTIVE])
def test_an_organization_not_active_is_shown_to_its_own_people_and_staff(
    client, org, people, status
):
    org.status = status
    org.save()
    admin, member = people

    for person in (admin, member, StaffFactory()):
        html = profile(signed_in(client, person), org)
        assert "<h1>Westside Works</h1>" in html


def manage_link(organization: Organization) -> str:
    return f'href="{reverse("circle:manage_profile", args=[organization.slug])}"'


def test_the_manage_link_shows_to_its_admins_and_staff_only(client, org, people):
    admin, member = people
    admin_elsewhere = member_of(OrganizationFactory(name="Eastside Jobs"), ADMIN)

    assert manage_link(org) in profile(signed_in(client, admin), org)
    assert manage_link(org) in profile(signed_in(client, StaffFactory()), org)
    assert manage_link(org) not in profile(signed_in(client, member), org)
    assert manage_link(org) not in profile(signed_in(client, admin_elsewhere), org)
    client.logout()
    assert manage_link(org) not in profile(client, org)


def test_the_admin_of_an_applicant_organization_sees_the_manage_link(client, org, people):
    org.status = Organization.Status.APPLICANT
    org.save()
    admin, _member = people
    sign_in(client, admin)

    assert client.get(reverse("circle:manage_profile", args=[org.slug])).status_code == 200
    assert manage_link(org) in profile(client, org)


# --- Managing the profile --------------------------------------------------------------


@pytest.fixture
def admin_client(client, people):
    admin, _member = people
    return signed_in(client, admin)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def manage(org: Organization) -> str:
    return reverse("circle:manage_profile", args=[org.slug])


def png(size: tuple[int, int] = (48, 48), noise: bool = False, image_format: str = "PNG") -> bytes:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (0, 102, 153))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def test_an_admin_edits_the_mission_stages_and_counties(admin_client, org):
    training = stage("education-training", "Education & training")
    cobb = county("Cobb")
    response = admin_client.post(
        manage(org),
        profile_data(
            org,
            mission="Paid apprenticeships in the building trades.",
            stages=[training.pk],
            counties=[cobb.pk, county("Fulton").pk],
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == manage(org)
    org.refresh_from_db()
    assert org.mission == "Paid apprenticeships in the building trades."
    assert list(org.stages.all()) == [training]
    assert sorted(c.name for c in org.counties.all()) == ["Cobb", "Fulton"]
    assert "Paid apprenticeships in the building trades." in profile(admin_client, org)


def test_areas_of_expertise_are_typed_as_a_list_and_reuse_existing_ones(admin_client, org):
    existing = Expertise.objects.create(name="Apprenticeships", slug="apprenticeships")
    response = admin_client.post(
        manage(org),
        profile_data(org, expertise_names="apprenticeships,  Digital   skills, DIGITAL SKILLS"),
    )

    assert response.status_code == 302
    assert sorted(t.name for t in org.expertise.all()) == ["Apprenticeships", "Digital skills"]
    assert existing in org.expertise.all()
    assert Expertise.objects.count() == 2
    assert Expertise.objects.get(name="Digital skills").slug == "digital-skills"
    # The form shows them back as the list they were typed as.
    assert "Apprenticeships, Digital skills" in admin_client.get(manage(org)).content.decode()


def test_a_logo_is_stored_under_a_name_the_server_chooses(admin_client, org, media):
    upload = SimpleUploadedFile("../../evil.php.png", png(), content_type="image/png")
    response = admin_client.post(manage(org), profile_data(org, logo=upload))

    assert response.status_code == 302
    org.refresh_from_db()
    # Re-encoded: a content-hash name, the size in it, nothing of the upload's name.
    assert re.fullmatch(r"logos/[0-9a-f]{24}-\d+x\d+\.jpg", org.logo.name), org.logo.name
    assert (media / "public" / org.logo.name).exists()
    assert not list(media.rglob("*evil*"))
    assert f'src="{org.logo.url}"' in profile(admin_client, org)


def test_the_logo_extension_comes_from_the_content_not_the_name(admin_client, org, media):
    jpeg = png(image_format="JPEG")
    upload = SimpleUploadedFile("logo.png", jpeg, content_type="image/png")
    response = admin_client.post(manage(org), profile_data(org, logo=upload))

    assert response.status_code == 302
    org.refresh_from_db()
    assert re.fullmatch(r"logos/[0-9a-f]{24}-\d+x\d+\.jpg", org.logo.name), org.logo.name
    with Image.open(media / "public" / org.logo.name) as stored:
        assert stored.format == "JPEG"


def refused(response, org: Organization, mission_before: str) -> str:
    """The form comes back with the logo's error and the rest of what was typed."""
    assert response.status_code == 200
    assert response.context["form"].errors["logo"]
    org.refresh_from_db()
    assert not org.logo
    assert org.mission == mission_before
    html = response.content.decode()
    assert "A mission typed with the upload." in html
    return str(response.context["form"].errors["logo"])


def test_a_text_file_named_like_an_image_is_refused(admin_client, org, media):
    before = org.mission
    upload = SimpleUploadedFile("logo.png", b"<?php system($_GET['c']); ?>", "image/png")
    response = admin_client.post(
        manage(org), profile_data(org, logo=upload, mission="A mission typed with the upload.")
    )

    error = refused(response, org, before)
    assert "image" in error.lower()
    assert not list(media.rglob("*.*"))


def test_an_image_over_two_megabytes_is_refused(admin_client, org, media):
    big = png((1000, 1000), noise=True)
    assert len(big) > 2 * 1024 * 1024
    before = org.mission
    response = admin_client.post(
        manage(org),
        profile_data(
            org,
            logo=SimpleUploadedFile("logo.png", big, "image/png"),
            mission="A mission typed with the upload.",
        ),
    )

    error = refused(response, org, before)
    assert "the limit is 2.0" in error
    assert not list(media.rglob("*.*"))


def test_an_svg_is_refused(admin_client, org, media):
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script></svg>"
    )
    before = org.mission
    response = admin_client.post(
        manage(org),
        profile_data(
            org,
            logo=SimpleUploadedFile("logo.svg", svg, "image/svg+xml"),
            mission="A mission typed with the upload.",
        ),
    )

    refused(response, org, before)
    assert not list(media.rglob("*.*"))


# --- Who may manage -------------------------------------------------------------------


def manage_urls(org: Organization) -> list[str]:
    someone = Membership.objects.filter(organization=org).first()
    assert someone is not None
    return [
        reverse("circle:manage_profile", args=[org.slug]),
        reverse("circle:manage_members", args=[org.slug]),
        reverse("circle:manage_member", args=[org.slug, someone.pk]),
    ]


def test_it_checks_ownership(client, org, people):
    outsiders = [member_of(OrganizationFactory(name="Eastside Jobs"), ADMIN), UserFactory()]
    for outsider in outsiders:
        sign_in(client, outsider)
        for url in manage_urls(org):
            assert client.get(url).status_code == 404, url


def test_it_does_not_let_an_outsider_change_the_profile(client, org, people):
    sign_in(client, member_of(OrganizationFactory(name="Eastside Jobs"), ADMIN))
    response = client.post(manage(org), profile_data(org, mission="Taken over."))

    assert response.status_code == 404
    org.refresh_from_db()
    assert org.mission == "Construction apprenticeships for Westside neighbors."


def test_it_forbids_plain_members(client, org, people):
    _admin, member = people
    sign_in(client, member)
    for url in manage_urls(org):
        assert client.get(url).status_code == 403, url
    assert client.post(manage(org), profile_data(org, mission="Changed.")).status_code == 403
    org.refresh_from_db()
    assert org.mission == "Construction apprenticeships for Westside neighbors."


def test_it_sends_anonymous_visitors_to_sign_in(client, org, people):
    for url in manage_urls(org):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_it_lets_staff_manage_any_organization(client, org, people):
    sign_in_with_second_factor(client, StaffFactory())
    for url in manage_urls(org):
        assert client.get(url).status_code == 200, url


# --- Exporting members from Django admin ----------------------------------------------


def exported_rows(client, changelist: str, pk: int, action: str) -> list[list[str]]:
    response = client.post(changelist, {"action": action, ACTION_CHECKBOX_NAME: [pk]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("admin_page", ["organizations", "memberships"])
def test_exported_members_cannot_smuggle_a_spreadsheet_formula(client, org, admin_page):
    member_of(org, user__name='=HYPERLINK("https://evil.example/","Click")', title="+1 coach")
    membership = Membership.objects.get(organization=org)
    sign_in_with_second_factor(client, StaffFactory())
    if admin_page == "organizations":
        changelist, pk, action = "admin:circle_organization_changelist", org.pk, "export_members"
    else:
        changelist, pk, action = "admin:circle_membership_changelist", membership.pk, "export_csv"

    header, row = exported_rows(client, reverse(changelist), pk, action)

    assert header == ["organization", "name", "email", "role", "title", "joined"]
    assert row[0] == "Westside Works"
    assert row[1] == '\'=HYPERLINK("https://evil.example/","Click")'
    assert row[4] == "'+1 coach"


def test_an_exported_email_address_cannot_smuggle_a_spreadsheet_formula(client, org):
    member_of(org, user__email="=1+1@example.org")
    sign_in_with_second_factor(client, StaffFactory())

    _header, row = exported_rows(
        client, reverse("admin:circle_organization_changelist"), org.pk, "export_members"
    )

    assert row[2] == "'=1+1@example.org"
