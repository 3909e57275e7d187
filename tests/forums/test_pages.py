"""The forum pages: lists with filters, a forum's page, materials, check-in
at the door, the admin, and the demo data."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forums import checkin, materials, registration
from forums.models import Forum, Material, Registration
from tests.access_forums import PDF
from tests.factories import (
    MemberFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
    sign_in_with_second_factor,
)
from tests.forums.factories import AgendaItemFactory, ForumFactory, registered

pytestmark = pytest.mark.django_db
A = Forum.Audience


def titles(response) -> list[str]:
    return [f.title for f in response.context["page"].object_list]


# --- Lists ----------------------------------------------------------------------------------------


def test_upcoming_and_past_lists_and_their_filters(client):
    host = OrganizationFactory(name="Westside Works", slug="westside-works")
    soon = ForumFactory(title="Soon", hosts=[host], starts_at=timezone.now() + timedelta(days=1))
    ForumFactory(title="Later", audience=A.MEMBERS, starts_at=timezone.now() + timedelta(days=40))
    ForumFactory(title="Before", starts_at=timezone.now() - timedelta(days=30))
    client.force_login(MemberFactory())

    assert titles(client.get(reverse("forums:list"))) == ["Soon", "Later"]
    assert titles(client.get(reverse("forums:past"))) == ["Before"]
    assert titles(client.get(reverse("forums:list"), {"audience": "members"})) == ["Later"]
    assert titles(client.get(reverse("forums:list"), {"host": "westside-works"})) == ["Soon"]
    month = timezone.localtime(soon.starts_at).strftime("%Y-%m")
    assert "Soon" in titles(client.get(reverse("forums:list"), {"month": month}))
    # An unknown value is left out with a note, not a failure.
    response = client.get(reverse("forums:list"), {"audience": "secret", "month": "soon"})
    assert response.status_code == 200
    assert titles(response) == ["Soon", "Later"]
    assert "could not be used" in response.content.decode()


def test_the_month_filter_uses_atlanta_time():
    from circle.viewers import ANONYMOUS
    from forums import listing

    # 11:30 pm on October 31 in Atlanta is already November in UTC.
    ForumFactory(
        title="Halloween night",
        starts_at=datetime(2030, 11, 1, 3, 30, tzinfo=UTC),
        ends_at=datetime(2030, 11, 1, 5, 0, tzinfo=UTC),
    )
    october = listing.matching(ANONYMOUS, {"month": datetime(2030, 10, 1).date()}, past=False)
    november = listing.matching(ANONYMOUS, {"month": datetime(2030, 11, 1).date()}, past=False)
    assert [f.title for f in october] == ["Halloween night"]
    assert list(november) == []


def test_with_htmx_the_filters_swap_only_the_results(client):
    ForumFactory(title="Soon")

    response = client.get(reverse("forums:list"), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert "Soon" in html
    assert 'data-hx-swap-oob="innerHTML"' in html
    assert "HX-Request" in response["Vary"]


def _fill(count: int, host) -> None:
    for _ in range(count):
        forum = ForumFactory(hosts=[host, OrganizationFactory()])
        registered(forum, UserFactory())
        registration.register_guest(
            forum, name="Guest", email_address=f"g{forum.pk}@example.org", language="en"
        )


def test_the_list_runs_the_same_number_of_queries_for_few_and_many_forums(client):
    host = OrganizationFactory()
    client.force_login(MemberFactory())
    url = reverse("forums:list")

    _fill(2, host)
    client.get(url)  # warm up sessions and caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _fill(10, host)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(response.context["page"].object_list) == 12
    assert len(few) == len(many), [q["sql"] for q in many.captured_queries]
    print(f"\nforum list: {len(many)} queries for 2 and 12 forums")


def test_a_card_shows_each_host_with_its_logo_beside_its_name(client, settings, tmp_path):
    from circle import demo as circle_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    with_logo = OrganizationFactory(name="Logo Works")
    logo = circle_demo.demo_logo(with_logo.name, "#1d4e89")
    with_logo.logo.save(logo.main, logo)
    plain = OrganizationFactory(name="Plain Org")
    forum = ForumFactory(audience=A.PUBLIC)
    forum.hosts.set([with_logo, plain])

    html = client.get(reverse("forums:list")).content.decode()
    hosts = re.search(r'<p class="meta forum-hosts">(.*?)</p>', html, re.S)
    assert hosts, html
    assert "Logo Works" in hosts[1] and "Plain Org" in hosts[1]
    images = re.findall(r"<img [^>]*>", hosts[1])
    assert len(images) == 1, images
    assert 'alt=""' in images[0] and 'width="32"' in images[0]
    assert with_logo.logo.url.rsplit(".", 1)[0] in hosts[1]


# --- A forum's page -----------------------------------------------------------------------------


def test_a_forums_page_has_its_agenda_places_left_and_the_visitors_state(client):
    forum = ForumFactory(
        title="Transit and jobs", capacity=3, description="We **meet**.<script>x</script>"
    )
    AgendaItemFactory(forum=forum, title="Panel: buses to job centers", speakers="MARTA")
    registered(forum, UserFactory())

    page = client.get(forum.get_absolute_url()).content.decode()

    assert "Panel: buses to job centers" in page
    assert "MARTA" in page
    assert "2 places left of 3." in page
    assert "<strong>meet</strong>" in page
    assert "<script>x</script>" not in page
    assert forum.online_url not in page  # only people registered see it
    assert reverse("forums:register", args=[forum.slug]) in page


def test_a_full_forum_offers_the_waitlist(client):
    forum = ForumFactory(capacity=1)
    registered(forum, UserFactory())
    client.force_login(MemberFactory())

    page = client.get(forum.get_absolute_url()).content.decode()

    assert "Full: new registrations join the waitlist." in page
    assert "Join the waitlist" in page


# --- Materials ------------------------------------------------------------------------------------


def test_materials_are_checked_by_content_and_size():
    good = SimpleUploadedFile("anything.exe", PDF, content_type="application/x-msdownload")
    assert materials.validate_material(good) == "pdf"

    for name, content in [
        ("slides.pdf", b"MZ\x90\x00 this is a program"),
        ("slides.pdf", b"%PDF-1.4\nbroken"),
        ("notes.html", b"<html><script>alert(1)</script></html>"),
    ]:
        with pytest.raises(ValidationError):
            materials.validate_material(SimpleUploadedFile(name, content))
    with pytest.raises(ValidationError, match="limit"):
        materials.validate_material(SimpleUploadedFile("big.pdf", PDF), max_bytes=10)


def test_a_material_downloads_under_a_safe_name_and_is_stored_under_a_server_name(
    client, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    forum = ForumFactory()
    upload = materials.checked_material(SimpleUploadedFile('evil"; x=.pdf', PDF))
    material = Material.objects.create(forum=forum, title='Slides: "Jobs" & transit', file=upload)
    assert material.file.name.startswith("forums/")
    assert "evil" not in material.file.name

    response = client.get(reverse("forums:material", args=[forum.slug, material.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="slides-jobs-transit.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_staff_upload_materials_in_the_admin_where_content_is_checked(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from forums.admin import MaterialForm

    forum = ForumFactory()
    bad = MaterialForm(
        data={"title": "Slides", "url": "", "order": 0},
        files={"file": SimpleUploadedFile("slides.pdf", b"not a pdf")},
        instance=Material(forum=forum),
    )
    assert not bad.is_valid()
    good = MaterialForm(
        data={"title": "Slides", "url": "", "order": 0},
        files={"file": SimpleUploadedFile("slides.PDF", PDF)},
        instance=Material(forum=forum),
    )
    assert good.is_valid(), good.errors
    assert good.save().file.name.endswith(".pdf")


# --- Check-in -------------------------------------------------------------------------------------


def test_staff_find_a_registrant_and_check_them_in_without_javascript(client):
    forum = ForumFactory()
    ana = registered(forum, email="ana.lima@example.org", name="Ana Lima")
    registered(forum, email="bo@example.org", name="Bo Park")
    sign_in_with_second_factor(client, StaffFactory())
    url = reverse("forums:checkin", args=[forum.slug])

    page = client.get(url, {"q": "lima"})
    assert [p.name for p in page.context["results"]] == ["Ana Lima"]
    assert [p.name for p in client.get(url, {"q": "bo@example"}).context["results"]] == ["Bo Park"]

    response = client.post(reverse("forums:checkin_mark", args=[forum.slug, ana.pk]), {"q": "lima"})

    assert response.status_code == 302
    assert response["Location"] == f"{url}?q=lima"
    ana.refresh_from_db()
    assert ana.attended is True and ana.checked_in_at is not None


def test_with_htmx_a_tap_swaps_the_persons_row(client):
    forum = ForumFactory()
    ana = registered(forum, email="ana@example.org", name="Ana Lima")
    sign_in_with_second_factor(client, StaffFactory())

    search = client.get(
        reverse("forums:checkin", args=[forum.slug]), {"q": "ana"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in search.content.decode()
    assert "Ana Lima" in search.content.decode()
    tap = client.post(
        reverse("forums:checkin_mark", args=[forum.slug, ana.pk]),
        {"q": "ana", "present": "yes"},
        headers={"HX-Request": "true"},
    )
    html = tap.content.decode()
    assert html.lstrip().startswith(f'<li id="person-{ana.pk}"')
    assert "Present" in html
    undo = client.post(
        reverse("forums:checkin_mark", args=[forum.slug, ana.pk]),
        {"present": "no"},
        headers={"HX-Request": "true"},
    )
    assert "Check in" in undo.content.decode()
    ana.refresh_from_db()
    assert ana.attended is False


def test_a_walk_in_is_added_and_checked_in_even_when_the_forum_is_full(client):
    forum = ForumFactory(capacity=1)
    registered(forum, UserFactory())
    sign_in_with_second_factor(client, StaffFactory())

    response = client.post(
        reverse("forums:walk_in", args=[forum.slug]),
        {"name": "Sam Rivera", "email": "sam@example.org", "organization": ""},
    )

    assert response.status_code == 302
    sam = Registration.objects.get(email="sam@example.org")
    assert sam.walk_in and sam.attended and sam.status == Registration.Status.CONFIRMED
    # Someone registered who walks in is checked in, not counted twice.
    waiting = registration.register_guest(
        forum, name="Dee", email_address="dee@example.org", language="en"
    ).registration
    checkin.add_walk_in(forum, name="Dee", email_address="DEE@example.org")
    assert Registration.objects.filter(forum=forum, email="dee@example.org").count() == 1
    waiting.refresh_from_db()
    assert waiting.attended and waiting.status == Registration.Status.CONFIRMED


def test_members_cannot_open_the_check_in(client):
    forum = ForumFactory()
    client.force_login(MemberFactory())
    assert client.get(reverse("forums:checkin", args=[forum.slug])).status_code == 403


# --- Admin ----------------------------------------------------------------------------------------


def test_the_admin_list_shows_counts_in_a_fixed_number_of_queries(client):
    staff = StaffFactory()
    sign_in_with_second_factor(client, staff)
    url = reverse("admin:forums_forum_changelist")

    forum = ForumFactory(capacity=1)
    registered(forum, UserFactory(), attended=True)
    registration.rsvp(forum, MemberFactory(), going=True)  # waitlisted
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    row = response.context["cl"].result_list[0]
    assert (row.registered_count, row.waitlisted_count, row.attended_count) == (1, 1, 1)

    for _ in range(6):
        other = ForumFactory()
        registered(other, UserFactory())
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)


def test_the_admin_exports_attendees_as_csv_safely_and_marks_attendance(client):
    forum = ForumFactory()
    ana = registered(forum, email="ana@example.org", name='=HYPERLINK("x")')
    sign_in_with_second_factor(client, StaffFactory())

    response = client.post(
        reverse("admin:forums_forum_changelist"),
        {"action": "export_attendees", ACTION_CHECKBOX_NAME: [forum.pk]},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["forum", "starts", "name"]
    assert rows[1][2].startswith("'=")  # not a formula in a spreadsheet

    client.post(
        reverse("admin:forums_registration_changelist"),
        {"action": "mark_attended", ACTION_CHECKBOX_NAME: [ana.pk]},
    )
    ana.refresh_from_db()
    assert ana.attended is True


def test_the_admin_cancels_a_forum_and_everyone_is_told(client):
    forum = ForumFactory()
    person = registered(forum, MemberFactory())
    sign_in_with_second_factor(client, StaffFactory())

    client.post(
        reverse("admin:forums_forum_changelist"),
        {"action": "cancel_forums", ACTION_CHECKBOX_NAME: [forum.pk]},
    )

    forum.refresh_from_db()
    assert forum.status == Forum.Status.CANCELLED
    from justop.models import OutboxEmail

    assert OutboxEmail.objects.filter(
        kind="forums.forum_cancelled", recipient=person.email
    ).exists()


def test_a_forum_needs_a_venue_or_a_link_and_cannot_take_a_pages_address():
    forum = ForumFactory.build(venue_name="", online_url="", slug="past")
    with pytest.raises(ValidationError) as error:
        forum.full_clean()
    assert "slug" in error.value.message_dict
    assert "__all__" in error.value.message_dict


# --- Demo data ------------------------------------------------------------------------------------


def test_the_demo_has_past_and_upcoming_forums_of_each_audience_and_is_idempotent(
    tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    first = sorted(Registration.objects.values_list("forum__slug", "email", "status"))
    materials_before = Material.objects.count()
    call_command("seed_demo")

    assert sorted(Registration.objects.values_list("forum__slug", "email", "status")) == first
    assert Material.objects.count() == materials_before > 0
    now = timezone.now()
    for audience in A.values:
        assert Forum.objects.filter(audience=audience, starts_at__gt=now).exists()
        assert Forum.objects.filter(audience=audience, ends_at__lt=now).exists()
    assert Registration.objects.filter(status=Registration.Status.WAITLISTED).exists()
    assert Registration.objects.filter(attended=True).exists()


def test_staff_without_a_second_factor_are_sent_to_set_one_up_first(client):
    forum = ForumFactory()
    client.force_login(StaffFactory(totp=False))

    response = client.get(reverse("forums:checkin", args=[forum.slug]))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")


def test_the_main_menu_links_the_forums_and_the_home_page_puts_them_between_news_and_continuum(
    client,
):
    from justop.registry import home_sections

    ForumFactory(title="Next one")
    page = client.get(reverse("home"))
    html = page.content.decode()

    assert f'href="{reverse("forums:list")}"' in html
    assert "Next one" in html
    orders = {s.key: s.order for s, _context in home_sections(page.wsgi_request)}
    news, continuum = orders.get("news", 10), orders.get("continuum", 20)
    assert news < orders["forums"] < continuum
