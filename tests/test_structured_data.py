"""Structured data as search engines and reference managers read it: the
JSON-LD and OpenGraph of forums, news posts, organizations, research
resources, volunteer opportunities and the home page, parsed back out of the
pages with extruct, checked for the properties Google requires of each type.
A forum's online link never reaches a visitor, in the markup or the cache."""

from __future__ import annotations

import datetime
import re
from typing import Any

import extruct
import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forums.models import Forum
from research.models import Resource
from tests.factories import OrganizationFactory
from tests.forums.factories import ForumFactory, registered
from tests.news.factories import NewsPostFactory
from tests.research.factories import ResourceFactory, pdf_bytes, research_setup  # noqa: F401
from tests.volunteering.factories import OpportunityFactory, ShiftFactory

pytestmark = pytest.mark.django_db

SITE = "https://portal.example.org"
SECRET = "https://meet.example.org/secret-room"
# A date and time with its offset from UTC, to the second.
WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def read(response) -> dict[str, Any]:
    assert response.status_code == 200
    html = response.content.decode()
    found = extruct.extract(
        html, base_url=SITE, syntaxes=["json-ld", "opengraph"], uniform=True, errors="strict"
    )
    return {"html": html, "json-ld": found["json-ld"], "og": found["opengraph"]}


def of_type(page: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [item for item in page["json-ld"] if item.get("@type") == kind]


def one(page: dict[str, Any], kind: str) -> dict[str, Any]:
    [item] = of_type(page, kind)
    return item


def open_graph(page: dict[str, Any]) -> dict[str, Any]:
    [og] = page["og"]
    return og


def crumbs(page: dict[str, Any]) -> list[tuple[str, str]]:
    trail = one(page, "BreadcrumbList")["itemListElement"]
    return [(item["name"], item["item"]) for item in trail]


def locations(event: dict[str, Any]) -> list[dict[str, Any]]:
    found = event["location"]
    return found if isinstance(found, list) else [found]


def forum_page(client: Client, forum: Forum) -> dict[str, Any]:
    return read(client.get(forum.get_absolute_url()))


# Forums


def test_a_forum_in_person_is_an_event_at_its_venue(client):
    host = OrganizationFactory(name="Westside Works")
    forum = ForumFactory(
        title="Good jobs on the Westside",
        online_url="",
        venue_name="PSE Offices",
        venue_address="50 Hurt Plaza SE, Atlanta, GA",
        hosts=[host],
    )

    page = forum_page(client, forum)
    event = one(page, "Event")

    assert event["name"] == "Good jobs on the Westside"
    assert WITH_OFFSET.match(event["startDate"])
    assert WITH_OFFSET.match(event["endDate"])
    assert datetime.datetime.fromisoformat(event["startDate"]) == forum.starts_at.replace(
        microsecond=0
    )
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    [place] = locations(event)
    assert place["@type"] == "Place"
    assert place["name"] == "PSE Offices"
    assert place["address"]["streetAddress"] == "50 Hurt Plaza SE, Atlanta, GA"
    assert [o["name"] for o in event["organizer"]] == ["Westside Works"]
    assert event["offers"]["price"] == 0
    assert event["offers"]["priceCurrency"] == "USD"
    assert event["offers"]["availability"] == "https://schema.org/InStock"
    assert event["offers"]["url"] == SITE + forum.get_absolute_url()
    assert event["inLanguage"] == "en"
    assert event["description"] == forum.summary
    og = open_graph(page)
    assert og["og:title"] == "Good jobs on the Westside"
    assert og["og:url"] == SITE + forum.get_absolute_url()
    assert crumbs(page) == [
        ("Home", SITE + "/"),
        ("Forums", SITE + reverse("forums:list")),
        ("Good jobs on the Westside", SITE + forum.get_absolute_url()),
    ]


def test_a_forum_without_hosts_is_organized_by_pse(client):
    forum = ForumFactory(online_url="")

    event = one(forum_page(client, forum), "Event")

    assert [o["name"] for o in event["organizer"]] == ["Partnership for Southern Equity"]


def test_an_online_forum_points_a_visitor_to_its_page_never_to_the_link(client):
    forum = ForumFactory(venue_name="", venue_address="", online_url=SECRET)

    page = forum_page(client, forum)
    event = one(page, "Event")

    assert event["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert locations(event) == [
        {"@type": "VirtualLocation", "url": SITE + forum.get_absolute_url()}
    ]
    assert "secret-room" not in page["html"]


def test_a_forum_in_person_and_online_is_mixed_and_keeps_the_link_from_visitors(client):
    forum = ForumFactory(venue_name="PSE Offices", online_url=SECRET)

    page = forum_page(client, forum)
    event = one(page, "Event")

    assert event["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [p["@type"] for p in locations(event)] == ["Place", "VirtualLocation"]
    assert "secret-room" not in page["html"]


def test_a_person_with_a_place_gets_the_link_and_the_next_visitor_does_not(
    client, member_a, member_a_client
):
    forum = ForumFactory(venue_name="", venue_address="", online_url=SECRET)
    registered(forum, member_a)

    theirs = one(forum_page(member_a_client, forum), "Event")
    visitors = forum_page(client, forum)

    assert locations(theirs) == [{"@type": "VirtualLocation", "url": SECRET}]
    assert "secret-room" not in visitors["html"]
    assert "secret-room" not in forum_page(Client(), forum)["html"]


def test_a_signed_in_person_without_a_place_does_not_get_the_link(member_a_client):
    forum = ForumFactory(online_url=SECRET)

    page = forum_page(member_a_client, forum)

    assert "secret-room" not in str(page["json-ld"])


def test_a_cancelled_forum_says_so(client):
    forum = ForumFactory(status=Forum.Status.CANCELLED, cancelled_at=timezone.now())

    event = one(forum_page(client, forum), "Event")

    assert event["eventStatus"] == "https://schema.org/EventCancelled"
    assert event["name"] == forum.title
    assert event["startDate"]
    assert locations(event)


def test_a_full_forum_is_sold_out(client):
    forum = ForumFactory(capacity=1, online_url="")
    registered(forum, email="first@example.org")

    event = one(forum_page(client, forum), "Event")

    assert event["offers"]["availability"] == "https://schema.org/SoldOut"
    assert event["offers"]["price"] == 0


def test_a_title_cannot_close_the_script_element(client):
    title = "</script><script>alert(1)</script> & <!-- more"
    forum = ForumFactory(title=title, online_url="")

    page = forum_page(client, forum)

    assert "<script>alert(1)" not in page["html"]
    assert one(page, "Event")["name"] == title


# News


def test_a_news_post_is_a_news_article_with_its_hero_image(client):
    post = NewsPostFactory(title="Neighbors hired on the Westside", hero_alt="A crowd")
    name = post.hero_image.storage.save("news/ld-test.png", ContentFile(b"\x89PNG\r\n\x1a\n0"))
    post.hero_image.name = name
    post.save(update_fields=["hero_image"])

    page = read(client.get(post.get_absolute_url()))
    article = one(page, "NewsArticle")

    assert article["headline"] == "Neighbors hired on the Westside"
    assert WITH_OFFSET.match(article["datePublished"])
    assert WITH_OFFSET.match(article["dateModified"])
    assert article["dateModified"] >= article["datePublished"]
    [image] = article["image"]
    assert image.startswith(SITE) and "ld-test" in image
    assert article["publisher"]["name"] == "JUST Opportunity Circle"
    assert article["publisher"]["logo"]["url"].startswith(SITE)
    assert open_graph(page)["og:image"] == image
    assert [name for name, _url in crumbs(page)] == [
        "Home",
        "News",
        post.get_category_display(),
        "Neighbors hired on the Westside",
    ]


def test_a_news_post_without_a_hero_image_names_no_image(client):
    post = NewsPostFactory()

    article = one(read(client.get(post.get_absolute_url())), "NewsArticle")

    assert "image" not in article
    assert article["headline"] == post.title
    assert article["datePublished"]


# Organizations and the home page


def test_an_organization_page_is_an_organization(client):
    org = OrganizationFactory(name="Westside Works", website="https://westside.example.org")

    page = read(client.get(org.get_absolute_url()))
    data = one(page, "Organization")

    assert data["name"] == "Westside Works"
    assert data["url"] == SITE + org.get_absolute_url()
    assert data["sameAs"] == ["https://westside.example.org"]
    assert data["description"] == org.mission
    og = open_graph(page)
    assert og["og:title"] == "Westside Works"
    assert og["og:url"] == SITE + org.get_absolute_url()
    assert crumbs(page)[-1] == ("Westside Works", SITE + org.get_absolute_url())


def test_the_home_page_is_the_circle_convened_by_pse(client):
    page = read(client.get(reverse("home")))
    data = one(page, "Organization")

    assert data["name"] == "JUST Opportunity Circle"
    assert data["url"] == SITE + "/"
    assert data["logo"].startswith(SITE)
    parent = data["parentOrganization"]
    assert parent["name"] == "Partnership for Southern Equity"
    assert parent["url"] == "https://psequity.org"
    assert parent["address"]["addressLocality"] == "Atlanta"


# Research


def with_pdf(resource: Resource) -> Resource:
    resource.file.save("report.pdf", ContentFile(pdf_bytes("Jobs")), save=False)
    resource.file_type = Resource.FileType.PDF
    resource.save()
    return resource


def test_a_public_report_is_a_report_with_authors_file_and_citation_tags(client, org_a):
    resource = with_pdf(ResourceFactory(title="Wages in Fulton", organizations=[org_a]))

    page = read(client.get(resource.get_absolute_url()))
    data = one(page, "Report")
    download = SITE + reverse("research:download", args=[resource.slug])

    assert data["name"] == "Wages in Fulton"
    assert [a["name"] for a in data["author"]] == ["Ana Díaz", "John Smith"]
    assert data["datePublished"] == "2025-03-01"
    assert [p["name"] for p in data["publisher"]] == [org_a.name]
    assert data["url"] == SITE + resource.get_absolute_url()
    assert data["contentUrl"] == download
    assert data["encodingFormat"] == "application/pdf"
    html = page["html"]
    assert '<meta name="citation_title" content="Wages in Fulton">' in html
    assert html.count('name="citation_author"') == 2
    assert '<meta name="citation_author" content="John Smith">' in html
    assert '<meta name="citation_publication_date" content="2025/03/01">' in html
    assert f'<meta name="citation_pdf_url" content="{download}">' in html
    assert f'<meta name="citation_publisher" content="{org_a.name}">' in html
    assert open_graph(page)["og:title"] == "Wages in Fulton"
    assert [name for name, _url in crumbs(page)] == ["Home", "Research library", "Wages in Fulton"]


def test_a_members_only_resource_does_not_name_its_file(member_a_client, org_a):
    resource = with_pdf(
        ResourceFactory(visibility=Resource.Visibility.MEMBERS, organizations=[org_a])
    )

    page = read(member_a_client.get(resource.get_absolute_url()))
    data = one(page, "Report")

    assert "contentUrl" not in data
    assert "citation_pdf_url" not in page["html"]
    assert data["name"] == resource.title


@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [(Resource.Kind.DATASET, "Dataset"), (Resource.Kind.ARTICLE, "ScholarlyArticle")],
)
def test_a_resource_has_the_type_of_its_kind(client, kind, schema_type):
    resource = ResourceFactory(kind=kind, by_pse=True)

    data = one(read(client.get(resource.get_absolute_url())), schema_type)

    assert data["name"] == resource.title
    assert data["description"] == resource.abstract
    assert data["publisher"][0]["name"] == "Partnership for Southern Equity"


# Volunteering


def test_each_upcoming_shift_is_an_event_with_its_places(client):
    opportunity = OpportunityFactory(title="Westside food pantry")
    ShiftFactory(opportunity=opportunity, role="Sorting", capacity=5)
    ShiftFactory(
        opportunity=opportunity,
        role="Packing",
        starts_at=timezone.now() + datetime.timedelta(days=4),
        ends_at=timezone.now() + datetime.timedelta(days=4, hours=2),
    )

    page = read(client.get(opportunity.get_absolute_url()))
    events = {event["name"]: event for event in of_type(page, "Event")}

    assert set(events) == {"Westside food pantry: Sorting", "Westside food pantry: Packing"}
    sorting = events["Westside food pantry: Sorting"]
    assert WITH_OFFSET.match(sorting["startDate"])
    assert sorting["location"]["@type"] == "Place"
    assert sorting["location"]["name"] == opportunity.location
    assert sorting["eventStatus"] == "https://schema.org/EventScheduled"
    assert sorting["offers"]["availability"] == "https://schema.org/InStock"
    assert sorting["remainingAttendeeCapacity"] == 5
    assert open_graph(page)["og:title"] == "Westside food pantry"
    assert crumbs(page)[-1] == ("Westside food pantry", SITE + opportunity.get_absolute_url())


def test_a_spanish_visitor_reads_the_breadcrumbs_in_spanish_after_an_english_one(client):
    forum = ForumFactory(title="Empleos dignos", online_url="")
    forum_page(Client(HTTP_ACCEPT_LANGUAGE="en"), forum)

    page = forum_page(Client(HTTP_ACCEPT_LANGUAGE="es"), forum)

    assert [name for name, _url in crumbs(page)] == ["Inicio", "Foros", "Empleos dignos"]
