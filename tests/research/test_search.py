"""Searching the library: words inside files, ranking, snippets, filter
counts, htmx fragments, and a fixed number of queries."""

from __future__ import annotations

import importlib

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circle.viewers import ANONYMOUS, viewer_of
from research import search
from research.models import Resource, Topic
from research.tasks import extract_text
from tests.factories import OrganizationFactory, member_of
from tests.research.factories import ResourceFactory, pdf_bytes, research_setup, upload  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_word_inside_an_uploaded_pdf_is_found_once_its_extraction_ran(client):
    """The upload commits, its extraction task runs (eagerly here, from
    on_commit as in production), and the word becomes searchable."""
    organization = OrganizationFactory(slug="org-a")
    client.force_login(member_of(organization, "admin"))
    word = "xylophonicity"
    response = client.post(
        reverse("research:manage_add", args=["org-a"]),
        {
            "title_en": "Transit and jobs",
            "kind": "report",
            "abstract_en": "Bus lines and job centers.",
            "published_on": "2025-06-01",
            "language": "en",
            "visibility": "public",
            "status": "published",
            "file": upload("study.pdf", pdf_bytes(f"Page one mentions {word} once.")),
        },
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.extraction == Resource.Extraction.DONE
    client.logout()
    found = client.get(reverse("research:search"), {"q": word})
    results = found.context["results"]
    assert [r.pk for r in results.page.object_list] == [resource.pk]
    assert f"<mark>{word}</mark>" in found.content.decode()


@pytest.mark.postgres
def test_the_word_is_not_found_before_the_extraction_ran():
    resource = ResourceFactory(title="Transit", abstract="Buses.")
    resource.file.save("s.pdf", ContentFile(pdf_bytes("quetzalcoatlus")), save=False)
    resource.file_type = "pdf"
    resource.save()
    assert search.search(ANONYMOUS, {"q": "quetzalcoatlus"}).page.paginator.count == 0
    assert extract_text(resource.pk) == "done"
    assert search.search(ANONYMOUS, {"q": "quetzalcoatlus"}).page.paginator.count == 1
    # Running the task again changes nothing.
    assert extract_text(resource.pk) == "done"
    assert search.search(ANONYMOUS, {"q": "quetzalcoatlus"}).page.paginator.count == 1


@pytest.mark.postgres
def test_a_title_match_ranks_above_a_match_in_the_text():
    in_text = ResourceFactory(title="Annual review", abstract="Numbers.")
    Resource.objects.filter(pk=in_text.pk).update(extracted_text="apprenticeship " * 3)
    search.refresh_vectors(Resource.objects.filter(pk=in_text.pk))
    in_title = ResourceFactory(title="Apprenticeship outcomes", abstract="Completion rates.")
    found = search.search(ANONYMOUS, {"q": "apprenticeships"}).page.object_list
    assert [r.pk for r in found] == [in_title.pk, in_text.pk]


@pytest.mark.postgres
def test_spanish_resources_are_found_by_their_stemmed_words():
    resource = ResourceFactory(title="Salarios en la región", language="es", abstract="Familias.")
    assert [r.pk for r in search.search(ANONYMOUS, {"q": "salario"}).page.object_list] == [
        resource.pk
    ]


def test_file_text_reaches_the_page_only_escaped_with_our_own_highlights(client):
    resource = ResourceFactory(title="Wages", abstract="Summary in <b>bold</b> & more.")
    Resource.objects.filter(pk=resource.pk).update(
        extracted_text='wages <script>alert("x")</script> <img src=x onerror=alert(1)> wages'
    )
    search.refresh_vectors(Resource.objects.filter(pk=resource.pk))
    # A word only in the file: the snippet quotes the file's text.
    body = client.get(reverse("research:search"), {"q": "wages"}).content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    # PostgreSQL's parser drops what it reads as tags; the rest is escaped.
    assert "&lt;img src=x onerror=alert(1)&gt;" in body or "&lt;script&gt;" in body
    assert "<mark>" in body
    # A word in the abstract: the snippet quotes the abstract, escaped too.
    body = client.get(reverse("research:search"), {"q": "summary"}).content.decode()
    assert "<b>bold</b>" not in body
    assert "<mark>" in body


def two_reports_and_a_toolkit() -> None:
    ResourceFactory(kind="report", topics=["place-based"], published_on="2024-02-01")
    ResourceFactory(kind="report", topics=["place-based"], published_on="2025-02-01")
    ResourceFactory(kind="toolkit", topics=["workforce-skills"], published_on="2025-03-01")


def counts(values: list[search.FacetValue]) -> set[tuple[str, int]]:
    return {(v.value, v.count) for v in values}


def test_filters_narrow_the_results_and_count_what_is_left(client):
    two_reports_and_a_toolkit()
    found = search.search(ANONYMOUS, {"year": "2025"})
    assert found.page.paginator.count == 2
    assert {(v.value, v.count) for v in found.facets.kind} == {("report", 1), ("toolkit", 1)}
    assert {(v.value, v.count) for v in found.facets.topic} == {
        ("place-based", 1),
        ("workforce-skills", 1),
    }
    found = search.search(ANONYMOUS, {"kind": "report"})
    assert {(v.value, v.count) for v in found.facets.year} == {("2024", 1), ("2025", 1)}
    # A value nothing has finds nothing, and the page still answers.
    assert search.search(ANONYMOUS, {"topic": "no-such-topic"}).page.paginator.count == 0
    assert client.get(reverse("research:search"), {"year": "abc"}).status_code == 200


def test_htmx_gets_the_results_fragment_with_the_filters_out_of_band(client):
    ResourceFactory(title="Corridor study")
    response = client.get(
        reverse("research:search"), {"q": "corridor"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="research-facets" data-hx-swap-oob="innerHTML"' in body
    assert "Corridor study" in body
    assert "HX-Request" in response["Vary"]
    # Without JavaScript, the same address is a whole page.
    assert "<html" in client.get(reverse("research:search"), {"q": "corridor"}).content.decode()


def _search_queries(client, params) -> int:
    search.new_generation()  # the counts computed, not read from the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("research:search"), params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"q": "jobs"}, {"q": "jobs", "topic": "place-based"}])
def test_the_search_page_runs_the_same_number_of_queries_for_5_or_40_resources(client, params):
    organization = OrganizationFactory()
    member = member_of(organization)
    client.force_login(member)

    def add(count: int) -> None:
        for number in range(count):
            resource = ResourceFactory(
                title=f"Jobs report {number}",
                topics=["place-based", "untapped-assets"],
                organizations=[organization],
                visibility=["public", "members", "organization"][number % 3],
            )
            resource.tags.create(name=f"tag {resource.pk}", slug=f"tag-{resource.pk}")

    add(5)
    client.get(reverse("research:search"), params)  # warm the session and caches
    small = _search_queries(client, params)
    add(35)
    large = _search_queries(client, params)
    assert small == large, f"{small} queries for 5 resources, {large} for 40"
    assert large <= 16


def test_filter_counts_are_shared_by_an_audience_and_renewed_by_any_change():
    organization = OrganizationFactory()
    member = member_of(organization)
    from circle.viewers import viewer_of

    ResourceFactory(kind="report")
    viewer = viewer_of(member)
    assert search.search(viewer, {}).page.paginator.count == 1
    with CaptureQueriesContext(connection) as cached:
        assert search.search(viewer, {}).page.paginator.count == 1
    assert not any("WITH m AS MATERIALIZED" in q["sql"] for q in cached.captured_queries)
    # A new resource, a changed topic, a deletion: the counts follow at once.
    added = ResourceFactory(kind="toolkit", visibility="organization", organizations=[organization])
    found = search.search(viewer, {})
    assert found.page.paginator.count == 2
    added.topics.set(Topic.objects.filter(key="place-based"))
    assert [v.value for v in search.search(viewer, {}).facets.topic] == ["place-based"]
    added.delete()
    assert search.search(viewer, {}).page.paginator.count == 1
    # Someone outside the organization never shares the member's counts.
    assert search.search(ANONYMOUS, {"kind": "toolkit"}).page.paginator.count == 0
    assert search.audience(viewer) != search.audience(ANONYMOUS)


def test_a_broad_search_lists_the_best_of_its_newest_matches_with_estimated_counts(monkeypatch):
    """Above search.CANDIDATES matches, the newest candidates are ranked and
    the counts come from the sample: here every row is sampled, so the
    estimate must equal what the visitor may see, never more."""
    monkeypatch.setattr(search.query, "CANDIDATES", 3)
    monkeypatch.setattr(search.query, "SAMPLE_EVERY", 1)
    visible = [
        ResourceFactory(title=f"Corridor note {n}", kind="brief", published_on=f"202{n}-01-01")
        for n in range(5)
    ]
    ResourceFactory(title="Corridor members", kind="dataset", visibility="members")
    ResourceFactory(title="Corridor draft", kind="dataset", status="draft")
    found = search.search(ANONYMOUS, {"q": "corridor"})
    assert found.estimated
    assert found.page.paginator.count == 5
    assert found.page.paginator.num_pages == 1
    # The three newest visible matches, and nothing the visitor may not open.
    assert {r.pk for r in found.page.object_list} == {r.pk for r in visible[2:]}
    assert {(v.value, v.count) for v in found.facets.kind} == {("brief", 5)}
    assert ("brief", "Brief (≈5)") in found.form.fields["kind"].choices
    # Below the limit, the counts are exact and say so.
    exact = search.search(ANONYMOUS, {"q": "corridor", "year": "2024"})
    assert not exact.estimated
    assert ("brief", "Brief (1)") in exact.form.fields["kind"].choices


def test_the_page_says_a_broad_search_total_is_an_estimate(client, monkeypatch):
    monkeypatch.setattr(search.query, "CANDIDATES", 3)
    monkeypatch.setattr(search.query, "SAMPLE_EVERY", 1)
    for n in range(5):
        ResourceFactory(title=f"Corridor note {n}", published_on=f"202{n}-01-01")
    broad = client.get(reverse("research:search"), {"q": "corridor"}).content.decode()
    assert "About 5 resources" in broad
    narrow = client.get(reverse("research:search"), {"q": "corridor", "year": "2024"})
    assert "1 resource" in narrow.content.decode()
    assert "About" not in narrow.content.decode().split("research-results-heading")[1][:80]


def test_estimates_keep_two_significant_digits():
    assert search.estimate(0) == 0
    assert search.estimate(3) == 3 * search.SAMPLE_EVERY
    assert search.estimate(1_234) == 62_000  # 61,700 at 1 in 50


def test_the_sample_indexes_hold_the_rows_the_sample_reads():
    """The planner uses a partial index only when the query's condition is
    the index's: the migration and search.sampled must say the same."""
    migration = importlib.import_module("research.migrations.0005_rank_vector")
    assert f"id % {search.SAMPLE_EVERY} = 0" == migration.SAMPLE
    sql = str(search.sampled(Resource.objects.all()).query)
    assert f'"research_resource"."id" % {search.SAMPLE_EVERY}) = 0' in sql


@pytest.mark.postgres
def test_ranking_reads_only_the_title_and_abstract_vector():
    resource = ResourceFactory(title="Transit equity", abstract="Bus lines.", authors="Ana Díaz")
    resource.refresh_from_db()
    assert "transit" in resource.rank_vector
    assert "díaz" in resource.rank_vector
    Resource.objects.filter(pk=resource.pk).update(extracted_text="ferrocarril " * 5)
    search.refresh_vectors(Resource.objects.filter(pk=resource.pk))
    resource.refresh_from_db()
    assert "ferrocarril" in resource.search_vector
    assert "ferrocarril" not in resource.rank_vector


def test_each_filter_counts_as_if_its_own_choice_were_not_made():
    """Choosing a kind keeps the other kinds on offer with their counts,
    while the other filters follow the choice; still only what the visitor
    may see."""
    two_reports_and_a_toolkit()
    ResourceFactory(kind="dataset", topics=["place-based"], visibility="members")
    found = search.search(ANONYMOUS, {"kind": "report"})
    assert found.page.paginator.count == 2
    assert counts(found.facets.kind) == {("report", 2), ("toolkit", 1)}
    assert counts(found.facets.topic) == {("place-based", 2)}
    found = search.search(ANONYMOUS, {"kind": "report", "year": "2025"})
    assert found.page.paginator.count == 1
    assert counts(found.facets.kind) == {("report", 1), ("toolkit", 1)}
    assert counts(found.facets.year) == {("2024", 1), ("2025", 1)}
    # A member sees the members-only dataset among the kinds on offer.
    member = viewer_of(member_of(OrganizationFactory()))
    kinds = search.search(member, {"kind": "report"}).facets.kind
    assert counts(kinds) == {("report", 2), ("toolkit", 1), ("dataset", 1)}


@pytest.mark.parametrize("name", ["topic", "tag", "organization"])
def test_a_filter_value_that_names_nothing_finds_nothing_without_reading_resources(client, name):
    ResourceFactory(title="Transit and jobs")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("research:search"), {"q": "transit", name: "no-such-thing"})

    assert response.status_code == 200
    assert "Transit and jobs" not in response.content.decode()
    # At 100,000 resources such a search used to read every one to find none;
    # now only the value is looked up (the filter's own counts leave it out).
    assert not [
        q for q in queries if '"research_resource"' in q["sql"] and "no-such-thing" in q["sql"]
    ]
