"""An admin invites many people at once: every line with a problem is named
with its number and reason, nothing is invited until they are fixed (or the
admin asks to skip them), and the list of invitations waiting for an answer
stays short and searchable however long it grows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from circle import invitations
from circle.models import Invitation
from justop.models import OutboxEmail
from justop.outbox.rendering import render
from tests.factories import member_of


def url(org, **query) -> str:
    base = reverse("circle:manage_invitations", args=[org.slug])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def post(client, org, emails: str, **extra):
    return client.post(url(org), {"emails": emails, "role": "member", **extra})


def problems_of(response) -> list[str]:
    html = response.content.decode()
    block = re.search(r'id="invite-problems".*?</ul>', html, re.S)
    assert block, "no list of problems on the page"
    return [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", block[0])]


def pending_for(org, count: int) -> None:
    now = timezone.now()
    Invitation.objects.bulk_create(
        Invitation(
            organization=org,
            email=f"person{i:03d}@example.org",
            nonce=f"{i:032d}",
            expires_at=now + timedelta(days=7),
            sent_count=1,
            last_sent_at=now,
        )
        for i in range(count)
    )


# --- Reading a pasted list ---------------------------------------------------------


def test_a_display_name_is_read_as_one_address():
    entries = invitations.read_addresses(
        'Ana Díaz <ana@example.org>\n"Díaz, Ana" <ANA.D@example.org>\nben@example.org (Ben)'
    )
    assert [(e.line, e.name, e.email, e.problem) for e in entries] == [
        (1, "Ana Díaz", "ana@example.org", None),
        (2, "Díaz, Ana", "ana.d@example.org", None),
        (3, "Ben", "ben@example.org", None),
    ]


def test_several_addresses_on_a_line_by_commas_semicolons_or_spaces():
    entries = invitations.read_addresses(
        'Ana Díaz <ana@example.org>, "Lee, Kim" <kim@example.org>; carl@example.org\n'
        "dee@example.org eve@example.org"
    )
    assert [(e.line, e.email) for e in entries] == [
        (1, "ana@example.org"),
        (1, "kim@example.org"),
        (1, "carl@example.org"),
        (2, "dee@example.org"),
        (2, "eve@example.org"),
    ]
    assert all(e.problem is None for e in entries)


def test_words_that_are_not_an_address_are_one_problem_not_several():
    [entry] = invitations.read_addresses("Ana Díaz ana@example.org")
    assert entry.problem == invitations.Problem.INVALID
    assert entry.text == "Ana Díaz ana@example.org"


def test_the_address_past_the_maximum_is_marked_and_nothing_after_it_is_read():
    text = "\n".join(f"p{i}@example.org" for i in range(invitations.MAX_PER_REQUEST + 5))
    entries = invitations.read_addresses(text)
    assert len(entries) == invitations.MAX_PER_REQUEST + 1
    last = entries[-1]
    assert last.problem == invitations.Problem.TOO_MANY
    assert last.line == invitations.MAX_PER_REQUEST + 1


# --- The admin's page ----------------------------------------------------------------


def test_every_line_with_a_problem_is_named_and_nobody_is_invited(admin_a_client, org_a):
    member_of(org_a, user__email="in@example.org")
    invitations.invite(org_a, ["waiting@example.org"], "member", by=None)
    pasted = "\n".join(
        [
            "Ana Díaz <ana@example.org>",
            "ben(at)example.org",
            "in@example.org",
            "waiting@example.org",
            "ana@example.org",
            "carl@example.org",
        ]
    )
    response = post(admin_a_client, org_a, pasted)

    assert response.status_code == 200
    assert problems_of(response) == [
        "Line 2: “ben(at)example.org” is not a valid email address.",
        "Line 3: in@example.org is already a member.",
        "Line 4: waiting@example.org is already invited and has not answered yet.",
        "Line 5: ana@example.org is a duplicate of line 1.",
    ]
    html = response.content.decode()
    assert "4 lines need attention" in html
    # The pasted text is kept for correcting, names and all.
    assert "Ana Díaz &lt;ana@example.org&gt;" in html
    assert not Invitation.objects.filter(email__in=["ana@example.org", "carl@example.org"]).exists()


def test_the_admin_may_skip_the_lines_with_a_problem(admin_a_client, org_a):
    member_of(org_a, user__email="in@example.org")
    response = post(
        admin_a_client,
        org_a,
        "Ana Díaz <ana@example.org>; in@example.org\nnot-an-address",
        skip_problems="on",
    )
    assert response.status_code == 302
    page = admin_a_client.get(response["Location"]).content.decode()
    assert "1 invitation is on its way." in page
    assert "2 lines with a problem were skipped." in page
    assert list(Invitation.objects.values_list("email", flat=True)) == ["ana@example.org"]


def test_skipping_leaves_nothing_to_invite_is_said(admin_a_client, org_a):
    response = post(admin_a_client, org_a, "nope", skip_problems="on")
    assert response.status_code == 200
    assert "No line is left to invite once the others are skipped." in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_csv_duplicate_of_the_pasted_list_names_both_places(admin_a_client, org_a):
    upload = SimpleUploadedFile(
        "people.csv", b"name,email\nAna,ana@example.org\nBen,ben@\n", "text/csv"
    )
    response = admin_a_client.post(
        url(org_a), {"emails": "ana@example.org", "csv_file": upload, "role": "member"}
    )
    assert problems_of(response) == [
        "CSV file, line 2: ana@example.org is a duplicate of line 1 of the pasted list.",
        "CSV file, line 3: “ben@” is not a valid email address.",
    ]


def test_an_expired_invitation_is_no_problem_and_is_sent_again(admin_a_client, org_a):
    invitations.invite(org_a, ["late@example.org"], "member", by=None)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    response = post(admin_a_client, org_a, "late@example.org")
    assert response.status_code == 302
    assert Invitation.objects.get().sent_count == 2


# --- The list of invitations waiting for an answer --------------------------------------


def test_a_long_list_is_paged_and_the_page_is_short(admin_a_client, org_a):
    pending_for(org_a, 250)
    first = admin_a_client.get(url(org_a)).content.decode()
    assert first.count("@example.org</th>") == 50
    assert "1\u201350 of 250 invitations, by email address" in first
    assert "person000@example.org" in first and "person050@example.org" not in first

    last = admin_a_client.get(url(org_a, page=5)).content.decode()
    assert "person249@example.org" in last and "person000@example.org" not in last


@pytest.mark.parametrize("page", ["abc", "99999", "-1", "0", "%00", "9" * 30])
def test_a_page_number_that_is_not_one_still_shows_a_page(admin_a_client, org_a, page):
    pending_for(org_a, 60)
    response = admin_a_client.get(url(org_a, page=page))
    assert response.status_code == 200
    assert response.content.decode().count("@example.org</th>") in (50, 10)


def test_the_list_finds_an_address_by_part_of_it(admin_a_client, org_a):
    pending_for(org_a, 60)
    invitations.invite(org_a, ["rosa.parks@example.net"], "member", by=None)
    html = admin_a_client.get(url(org_a, q="ROSA")).content.decode()
    assert "rosa.parks@example.net" in html
    assert "person001@example.org" not in html

    nothing = admin_a_client.get(url(org_a, q="nobody-here")).content.decode()
    assert "No invitation waiting for an answer matches “nobody-here”." in nothing


def test_a_hostile_search_is_cut_and_never_an_error(admin_a_client, org_a):
    pending_for(org_a, 3)
    for q in ["%00", "a" * 5000, "%25_%5C", "' OR 1=1 --"]:
        assert admin_a_client.get(url(org_a, q=q)).status_code == 200


def test_htmx_gets_the_list_alone(admin_a_client, org_a):
    pending_for(org_a, 60)
    response = admin_a_client.get(url(org_a, page=2), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert "person059@example.org" in html


def test_the_list_costs_the_same_queries_at_five_and_at_sixty(admin_a_client, org_a, org_b):
    pending_for(org_a, 5)
    pending_for(org_b, 60)  # another organization's invitations are not shown
    admin_b = member_of(org_b, "admin")
    admin_a_client.get(url(org_a))  # warm sessions and caches

    with CaptureQueriesContext(connection) as small:
        assert admin_a_client.get(url(org_a)).status_code == 200
    from django.test import Client

    client_b = Client()
    client_b.force_login(admin_b)
    client_b.get(url(org_b))
    with CaptureQueriesContext(connection) as large:
        assert client_b.get(url(org_b)).status_code == 200
    assert len(small) == len(large)


def test_dates_read_as_on_the_rest_of_the_site(admin_a_client, org_a):
    invitations.invite(org_a, ["rosa@example.org"], "member", by=None)
    invitation = Invitation.objects.get()
    html = admin_a_client.get(url(org_a)).content.decode()
    sent = date_format(timezone.localtime(invitation.last_sent_at), "DATE_FORMAT")
    until = date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")
    assert f">{sent}</time>" in html
    assert f"Until {until}" in html


# --- The email ---------------------------------------------------------------------------


def test_the_invitation_email_does_not_say_the_invitee_signed_up(org_a):
    invitations.invite(org_a, ["new@example.org"], "member", by=None)
    message = render(OutboxEmail.objects.get(recipient="new@example.org"))
    text = message.body
    html = message.alternatives[0][0]
    for body in (text, html):
        flat = re.sub(r"\s+", " ", str(body))
        assert "signed up" not in flat
        assert "because Organization A invited this address to the portal" in flat
    assert "Unsubscribe" in text


# --- The name written with an address ------------------------------------------------


def test_the_name_written_with_an_address_greets_the_invitee_and_fills_their_form(
    admin_a_client, org_a, client
):
    response = post(admin_a_client, org_a, '"Díaz, Ana" <ana@example.org>, solo@example.org')
    assert response.status_code == 302
    named = Invitation.objects.get(email="ana@example.org")
    assert named.name == "Díaz, Ana"
    assert Invitation.objects.get(email="solo@example.org").name == ""

    message = render(OutboxEmail.objects.get(recipient="ana@example.org"))
    assert "Hello Díaz, Ana," in message.body
    assert "Hello Díaz, Ana," in str(message.alternatives[0][0])
    plain = render(OutboxEmail.objects.get(recipient="solo@example.org"))
    assert "Hello," in plain.body

    page = client.get(reverse("circle:accept_invitation", args=[invitations.token_for(named)]))
    assert re.search(r'<input[^>]*name="name"[^>]*value="Díaz, Ana"', page.content.decode())


def test_a_name_with_markup_is_text_in_the_email_and_the_list(admin_a_client, org_a):
    invitations.invite(
        org_a, ["x@example.org"], "member", by=None, names={"x@example.org": "<b>Ana</b>"}
    )
    html = str(render(OutboxEmail.objects.get(recipient="x@example.org")).alternatives[0][0])
    assert "<b>Ana</b>" not in html and "&lt;b&gt;Ana&lt;/b&gt;" in html
    page = admin_a_client.get(url(org_a)).content.decode()
    assert "<b>Ana</b>" not in page and "&lt;b&gt;Ana&lt;/b&gt;" in page


def test_the_pending_list_shows_and_finds_the_name(admin_a_client, org_a):
    pending_for(org_a, 3)
    invitations.invite(
        org_a, ["rp@example.net"], "member", by=None, names={"rp@example.net": "Rosa Parks"}
    )
    html = admin_a_client.get(url(org_a, q="parks")).content.decode()
    assert "Rosa Parks" in html and "rp@example.net" in html
    assert "person001@example.org" not in html


def test_sending_an_expired_invitation_again_keeps_or_takes_the_name(org_a):
    invitations.invite(org_a, ["a@example.org"], "member", by=None, names={"a@example.org": "Ana"})
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    invitations.invite(org_a, ["a@example.org"], "member", by=None)
    assert Invitation.objects.get().name == "Ana"
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    invitations.invite(
        org_a, ["a@example.org"], "member", by=None, names={"a@example.org": "Ana D."}
    )
    assert Invitation.objects.get().name == "Ana D."
