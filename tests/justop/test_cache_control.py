"""What a page says to caches between the portal and its readers: a page
made for a signed-in person stays in that person's browser (private) and is
asked for again (no-cache); a public page for a visitor may be shared."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse

from circle.models import Membership
from research import files
from research.models import Resource
from tests.factories import OrganizationFactory, member_of, sent_to_sign_in
from tests.research.factories import ResourceFactory, pdf_bytes, research_setup  # noqa: F401

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}


def kept_by_the_browser_only(response) -> bool:
    """Out of shared caches, and not shown again without asking the portal."""
    said = directives(response)
    return "private" in said and bool(said & {"no-cache", "no-store", "max-age"})


@pytest.fixture
def org():
    return OrganizationFactory(name="Westside Works", slug="westside-works")


def test_the_directory_stays_in_the_members_browser(client, org):
    client.force_login(member_of(org))
    response = client.get(reverse("circle:directory"))
    assert response.status_code == 200
    assert kept_by_the_browser_only(response)
    assert "no-cache" in directives(response)


def test_an_organizations_manage_page_stays_in_its_admins_browser(client, org):
    client.force_login(member_of(org, role=Membership.Role.ADMIN))
    response = client.get(reverse("circle:manage_members", args=[org.slug]))
    assert response.status_code == 200
    assert kept_by_the_browser_only(response)


def test_a_persons_email_preferences_stay_in_their_browser(client, org):
    client.force_login(member_of(org))
    response = client.get(reverse("circle:email_preferences"))
    assert response.status_code == 200
    assert kept_by_the_browser_only(response)


def test_a_members_only_report_and_its_file_stay_in_the_members_browser(client, org):
    report = ResourceFactory(slug="members-report", visibility=Resource.Visibility.MEMBERS)
    report.file.save("report.pdf", ContentFile(pdf_bytes("For members")), save=False)
    report.file_type = "pdf"
    report.save()
    client.force_login(member_of(org))

    page = client.get(reverse("research:resource", args=[report.slug]))
    assert page.status_code == 200
    assert kept_by_the_browser_only(page)
    assert "no-cache" in directives(page)

    download = client.get(reverse("research:download", args=[report.slug]))
    assert download.status_code == 200
    assert kept_by_the_browser_only(download)
    assert "public" not in directives(download)


def test_a_public_page_is_shared_with_visitors_and_private_to_a_member(client, org):
    visitor = client.get(reverse("home"))
    assert visitor.status_code == 200
    assert "private" not in directives(visitor)
    # The visitors' page cache: asked again each time, answered by its ETag.
    assert "no-cache" in directives(visitor)
    assert visitor.has_header("ETag")

    client.force_login(member_of(org))
    member = client.get(reverse("home"))
    assert member.status_code == 200
    assert kept_by_the_browser_only(member)


def test_signing_out_is_not_shared_either(client, org):
    client.force_login(member_of(org))
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "private" in directives(response)


# --- Files ------------------------------------------------------------------------------


def public_report() -> Resource:
    report = ResourceFactory(slug="open-report", title="Open report")
    report.file.save("report.pdf", ContentFile(pdf_bytes("For everyone")), save=False)
    report.file_type = "pdf"
    report.save()
    return report


def serve(report: Resource, **headers):
    """The report's file as research.files serves it to a cache asking
    without cookies."""
    request = RequestFactory().get(f"/research/{report.slug}/download/", headers=headers)
    return files.serve(request, report, "file", "open-report.pdf", "application/pdf")


def test_a_public_file_may_be_shared_only_if_caches_ask_again_each_time():
    report = public_report()
    first = serve(report)
    assert first.status_code == 200
    assert directives(first) == {"public", "no-cache"}
    assert first.has_header("ETag")
    assert first.has_header("Last-Modified")

    # A cache holding the file asks again and is told it is still the same.
    again = serve(report, if_none_match=first["ETag"])
    assert again.status_code == 304
    assert directives(again) == {"public", "no-cache"}

    # A new file under the same resource is a new version.
    report.file.save("report.pdf", ContentFile(pdf_bytes("Revised")), save=True)
    assert serve(report, if_none_match=first["ETag"]).status_code == 200


def test_a_file_not_public_stays_out_of_every_cache():
    report = public_report()
    report.visibility = Resource.Visibility.MEMBERS
    report.save()
    response = serve(report)
    assert response.status_code == 200
    assert directives(response) == {"private", "no-store"}
    assert not response.has_header("ETag")


def test_a_shared_cache_stops_serving_a_file_once_it_is_made_private(client):
    report = public_report()
    url = reverse("research:download", args=[report.slug])
    first = client.get(url)
    assert first.status_code == 200
    assert directives(first) == {"public", "no-cache"}
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304

    report.visibility = Resource.Visibility.MEMBERS
    report.save()
    # The cache asks again, as it was told to, and no longer gets the file:
    # a signed-out person is sent to sign in, an answer no cache keeps.
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert sent_to_sign_in(again)
    assert "no-store" in again["Cache-Control"] and "private" in again["Cache-Control"]


def test_a_cache_asking_again_is_not_counted_as_a_download(client):
    report = public_report()
    url = reverse("research:download", args=[report.slug])
    first = client.get(url)
    for _ in range(3):
        assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    report.refresh_from_db()
    assert report.download_count == 1
