"""An organization asks to join the Circle through the public form; PSE staff
approve it (the organization is created and the applicant invited as its
admin) or decline it (with a courteous email)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from circle import applications
from circle.invitations import token_for
from circle.models import County, Invitation, JoinApplication, Membership, Organization, Stage
from justop.models import OutboxEmail, Suppression
from tests.factories import UserFactory, sign_in, sign_in_with_second_factor
from tests.smtp import html_of, text_of

JOIN = "/join/"
THANKS = "/join/thanks/"


@pytest.fixture
def places(db):
    """A stage and two counties. Tests reading mail flush the database between
    tests, which takes the seeded rows with it."""
    stage, _ = Stage.objects.get_or_create(
        key="job-access", defaults={"name": "Job access & placement", "order": 3}
    )
    fulton, _ = County.objects.get_or_create(key="fulton", defaults={"name": "Fulton"})
    dekalb, _ = County.objects.get_or_create(key="dekalb", defaults={"name": "DeKalb"})
    return {"stage": stage, "counties": [fulton, dekalb]}


@pytest.fixture
def answers(places):
    def make(**changes):
        data = {
            "organization_name": "Westside Works",
            "sector": Organization.Sector.NONPROFIT,
            "website": "https://westside.example.org",
            "mission": "Training and placing Westside neighbors in construction careers.",
            "side": Organization.Side.SUPPLY,
            "stages": [places["stage"].pk],
            "counties": [c.pk for c in places["counties"]],
            "applicant_name": "Dana Brooks",
            "applicant_email": "Dana@Westside.example.org",
            "applicant_title": "Executive director",
            "message": "We want to work with employers on the demand side.",
            "website_confirm": "",
        }
        data.update(changes)
        return data

    return make


def application(places, **fields):
    values = {
        "organization_name": "Westside Works",
        "sector": Organization.Sector.NONPROFIT,
        "website": "https://westside.example.org",
        "mission": "Training and placing Westside neighbors in construction careers.",
        "side": Organization.Side.SUPPLY,
        "applicant_name": "Dana Brooks",
        "applicant_email": "dana@westside.example.org",
        "applicant_title": "Executive director",
    }
    values.update(fields)
    made = JoinApplication.objects.create(**values)
    made.stages.set([places["stage"]])
    made.counties.set(places["counties"])
    return made


def organization(name, slug, status=Organization.Status.ACTIVE):
    return Organization.objects.create(
        name=name, slug=slug, sector=Organization.Sector.BUSINESS, status=status
    )


# --- The form ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "user", "staff"])
def test_the_form_is_public(client, who, user, staff, places):
    if who != "anonymous":
        sign_in(client, user if who == "user" else staff)
    response = client.get(JOIN)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="organization_name"' in page
    assert 'type="checkbox" name="stages"' in page
    assert 'type="checkbox" name="counties"' in page
    assert "Fulton" in page


def test_the_honeypot_is_out_of_sight_and_out_of_reach(client, places):
    page = client.get(JOIN).content.decode()
    trap = re.search(r'<div class="form-trap" aria-hidden="true">(.*?)</div>', page, re.S)
    assert trap is not None
    assert 'name="website_confirm"' in trap.group(1)
    assert 'tabindex="-1"' in trap.group(1)
    assert 'autocomplete="off"' in trap.group(1)


def test_an_organization_applies_and_the_acknowledgement_arrives(client, answers, smtp_sink):
    response = client.post(JOIN, answers())

    assert response.status_code == 302
    assert response["Location"] == THANKS
    assert client.get(THANKS).status_code == 200
    stored = JoinApplication.objects.get()
    assert stored.organization_name == "Westside Works"
    assert stored.applicant_email == "dana@westside.example.org"
    assert stored.status == JoinApplication.Status.PENDING
    assert stored.language == "en"
    assert list(stored.stages.values_list("key", flat=True)) == ["job-access"]
    assert set(stored.counties.values_list("key", flat=True)) == {"fulton", "dekalb"}

    row = OutboxEmail.objects.get(recipient="dana@westside.example.org")
    assert row.kind == "circle.application_received"
    assert row.stream == ""  # transactional: always sent
    [message] = smtp_sink.to("dana@westside.example.org")
    assert "Westside Works" in message["Subject"]
    assert message["List-Unsubscribe"] is None
    assert "Hello Dana Brooks," in text_of(message)
    assert "PSE staff read every application" in html_of(message)


def test_an_application_sent_in_spanish_is_answered_in_spanish(client, answers, places):
    client.cookies["django_language"] = "es"
    client.post(JOIN, answers())
    assert JoinApplication.objects.get().language == "es"
    assert OutboxEmail.objects.get().language == "es"


def test_names_with_markup_are_escaped_in_the_html_but_not_in_the_subject(
    client, answers, smtp_sink
):
    client.post(JOIN, answers(organization_name="Smith & Sons <Builders>"))
    [message] = smtp_sink.to("dana@westside.example.org")
    assert "Smith & Sons <Builders>" in message["Subject"]
    assert "Smith &amp; Sons &lt;Builders&gt;" in html_of(message)
    assert "<Builders>" not in html_of(message)


def test_a_filled_honeypot_pretends_success_and_stores_nothing(client, answers):
    response = client.post(JOIN, answers(website_confirm="https://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == THANKS
    assert not JoinApplication.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_a_wrong_answer_is_pointed_out_and_the_others_are_kept(client, answers):
    response = client.post(JOIN, answers(applicant_email="not-an-address", stages=[]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert "Choose at least one stage." in page
    assert 'href="#id_applicant_email"' in page  # the summary links to the field
    assert 'value="Westside Works"' in page
    assert "construction careers" in page
    assert not JoinApplication.objects.exists()


# --- Rate limits -----------------------------------------------------------------------------


def test_too_many_attempts_from_one_address_get_429_with_the_answers_kept(client, answers):
    for n in range(10):
        client.post(JOIN, answers(mission="", applicant_email=f"p{n}@example.org"))

    response = client.post(JOIN, answers())

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many applications" in page
    assert 'value="Westside Works"' in page
    assert 'value="dana@westside.example.org"' in page.lower()
    assert "construction careers" in page
    assert not JoinApplication.objects.exists()


def test_another_address_is_not_limited(client, answers):
    for n in range(11):
        client.post(JOIN, answers(mission="", applicant_email=f"p{n}@example.org"))
    response = client.post(JOIN, answers(), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302


def test_one_email_address_cannot_apply_over_and_over(client, answers):
    for n in range(3):
        client.post(JOIN, answers(organization_name=f"Org {n}"), REMOTE_ADDR=f"203.0.113.{n + 1}")
    response = client.post(JOIN, answers(organization_name="Org 4"), REMOTE_ADDR="203.0.113.50")
    assert response.status_code == 429
    assert 'value="Org 4"' in response.content.decode()
    assert JoinApplication.objects.count() == 1


# --- Duplicates ---------------------------------------------------------------------------


def test_a_second_application_from_the_same_email_is_refused(client, answers, places):
    application(
        places, organization_name="Another Org", applicant_email="dana@westside.example.org"
    )

    response = client.post(JOIN, answers())

    assert response.status_code == 200
    page = response.content.decode()
    assert "An application from this email address is already waiting for review" in page
    assert 'value="Westside Works"' in page
    assert JoinApplication.objects.count() == 1


@pytest.mark.parametrize(
    "typed", ["Westside Works", "westside works", "The Westside-Works!", "WESTSIDE  WORKS."]
)
def test_a_second_application_for_the_same_organization_is_refused(client, answers, places, typed):
    application(places, applicant_email="colleague@westside.example.org")

    response = client.post(JOIN, answers(organization_name=typed))

    assert response.status_code == 200
    page = response.content.decode()
    assert "An application for this organization is already waiting for review" in page
    assert "construction careers" in page
    assert JoinApplication.objects.count() == 1


def test_an_existing_member_organization_is_told_to_ask_its_admin(client, answers):
    organization("The Westside Works", "westside-works")

    response = client.post(JOIN, answers())

    page = response.content.decode()
    assert response.status_code == 200
    assert "is already a member of the Circle" in page
    assert "Ask one of its admins to invite you" in page
    assert not JoinApplication.objects.exists()


def test_a_decided_application_does_not_block_a_new_one(client, answers, places):
    application(places, status=JoinApplication.Status.DECLINED)
    response = client.post(JOIN, answers())
    assert response.status_code == 302
    assert JoinApplication.objects.filter(status=JoinApplication.Status.PENDING).count() == 1


def test_names_are_compared_as_people_mean_them():
    same = applications.name_key
    assert same("The Atlanta Fund, Inc.") == same("atlanta fund inc")
    assert same("Fundación Latina") == same("Fundacion Latina")
    assert same("Theatre Atlanta") != same("Atlanta")
    assert same("Atlanta Fund") != same("Atlanta Funds")


def test_applying_costs_the_same_queries_whatever_the_number_of_members(client, answers):
    def queries_to_apply(members: int, n: int) -> int:
        Organization.objects.bulk_create(
            Organization(name=f"Member {n}-{i}", slug=f"member-{n}-{i}", sector="business")
            for i in range(members)
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                JOIN, answers(organization_name=f"Applicant {n}", applicant_email=f"a{n}@ex.org")
            )
        assert response.status_code == 302
        return len(queries)

    assert queries_to_apply(10, 1) == queries_to_apply(190, 2) == 16  # 10, then 200 members


# --- Staff decisions --------------------------------------------------------------------------


def test_approving_creates_the_organization_and_invites_the_applicant_as_admin(
    client, places, staff, smtp_sink
):
    applied = application(places, message="Hello")

    created = applications.approve(applied, by=staff)

    assert created.name == "Westside Works"
    assert created.slug == "westside-works"
    assert created.status == Organization.Status.ACTIVE
    assert created.joined_on == timezone.localdate()
    assert created.sector == Organization.Sector.NONPROFIT
    assert created.side == Organization.Side.SUPPLY
    assert created.website == "https://westside.example.org"
    assert "construction careers" in created.mission
    assert created.contact_name == "Dana Brooks"
    assert created.contact_email == "dana@westside.example.org"
    assert list(created.stages.all()) == [places["stage"]]
    assert set(created.counties.all()) == set(places["counties"])
    applied.refresh_from_db()
    assert applied.status == JoinApplication.Status.APPROVED
    assert applied.reviewed_by == staff
    assert applied.reviewed_at is not None
    assert applied.organization == created

    invitation = Invitation.objects.get(organization=created)
    assert invitation.email == "dana@westside.example.org"
    assert invitation.role == Membership.Role.ADMIN
    [message] = smtp_sink.to("dana@westside.example.org")
    link = re.search(r"https?://\S+/invitations/\S+/", text_of(message)).group(0)
    page = client.get("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert page.status_code == 200
    assert "Westside Works" in page.content.decode()


def test_an_application_cannot_be_approved_twice(places, staff):
    applied = application(places)
    applications.approve(applied, by=staff)

    with pytest.raises(applications.ApplicationError, match="already approved"):
        applications.approve(applied, by=staff)
    assert Organization.objects.count() == 1
    assert Invitation.objects.count() == 1


def test_the_applicant_is_invited_even_after_declining_invitations_earlier(places, staff):
    Suppression.objects.create(email="dana@westside.example.org", stream="invitations")
    created = applications.approve(application(places), by=staff)
    assert Invitation.objects.filter(organization=created).exists()
    # The approval email carries the invitation link in place of the invitation.
    assert OutboxEmail.objects.filter(kind="circle.application_approved").count() == 1
    assert not OutboxEmail.objects.filter(kind="circle.invitation").exists()


def test_approving_picks_a_free_address_for_the_organization(places, staff):
    organization("Somebody Else", "westside-works")
    organization("Somebody Else Again", "westside-works-2")
    created = applications.approve(application(places), by=staff)
    assert created.slug == "westside-works-3"


def test_approving_is_refused_when_the_organization_exists_meanwhile(places, staff):
    applied = application(places)
    organization("The Westside-Works", "wsw")

    with pytest.raises(applications.ApplicationError, match="already exists"):
        applications.approve(applied, by=staff)
    applied.refresh_from_db()
    assert applied.status == JoinApplication.Status.PENDING
    assert Organization.objects.count() == 1


def test_the_applicant_accepting_becomes_admin_of_the_new_organization(client, places, staff):
    created = applications.approve(application(places), by=staff)
    invitation = Invitation.objects.get(organization=created)
    client.post(
        reverse("circle:accept_invitation", args=[token_for(invitation)]),
        {
            "name": "Dana Brooks",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
        },
    )
    membership = Membership.objects.get(organization=created)
    assert membership.user.email == "dana@westside.example.org"
    assert membership.role == Membership.Role.ADMIN


def test_declining_sends_a_courteous_email(places, staff, smtp_sink):
    applied = application(places)

    applications.decline(applied, by=staff)

    applied.refresh_from_db()
    assert applied.status == JoinApplication.Status.DECLINED
    assert applied.reviewed_by == staff
    assert not Organization.objects.exists()
    row = OutboxEmail.objects.get(kind="circle.application_declined")
    assert row.stream == ""
    [message] = smtp_sink.to("dana@westside.example.org")
    assert "Westside Works" in message["Subject"]
    text = text_of(message)
    assert "Thank you for asking for Westside Works to join" in text
    assert "info@psequity.org" in text
    assert "Thank you for asking for Westside Works to join" in html_of(message)


def test_a_spanish_application_is_declined_in_spanish(places, staff):
    applications.decline(application(places, language="es"), by=staff)
    assert OutboxEmail.objects.get().language == "es"


def test_an_application_cannot_be_declined_twice_or_after_approval(places, staff):
    declined = application(places)
    applications.decline(declined, by=staff)
    with pytest.raises(applications.ApplicationError, match="already declined"):
        applications.decline(declined, by=staff)
    assert OutboxEmail.objects.filter(kind="circle.application_declined").count() == 1

    approved = application(places, organization_name="Eastside", applicant_email="e@example.org")
    applications.approve(approved, by=staff)
    with pytest.raises(applications.ApplicationError, match="already approved"):
        applications.decline(approved, by=staff)


def test_staff_approve_and_decline_from_the_admin(client, places, staff):
    first = application(places)
    second = application(places, organization_name="Eastside", applicant_email="e@example.org")
    sign_in_with_second_factor(client, staff)
    changelist = reverse("admin:circle_joinapplication_changelist")

    client.post(changelist, {"action": "approve", "_selected_action": [first.pk]})
    client.post(changelist, {"action": "decline", "_selected_action": [second.pk]})
    response = client.post(
        changelist, {"action": "approve", "_selected_action": [first.pk]}, follow=True
    )

    assert Organization.objects.get().name == "Westside Works"
    second.refresh_from_db()
    assert second.status == JoinApplication.Status.DECLINED
    assert "This application was already approved." in response.content.decode()


def test_a_person_with_an_account_is_invited_to_sign_in(client, places, staff):
    UserFactory(email="dana@westside.example.org")
    created = applications.approve(application(places), by=staff)
    token = token_for(Invitation.objects.get(organization=created))
    page = client.get(reverse("circle:accept_invitation", args=[token]))
    assert page.status_code == 200
    assert reverse("account_login") in page.content.decode()


# --- In a real browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}]
)
def test_a_person_applies_with_the_keyboard_in_a_browser(browser, live_server, places, viewport):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        page.goto(live_server.url + JOIN)
        assert _serious(axe, page) == []

        page.get_by_label("Name of the organization").fill("Westside Works")
        page.get_by_label("Your email address").fill("not an address")
        page.get_by_role("button", name="Send the application").click()
        assert page.get_by_role("alert").is_visible()
        assert _serious(axe, page) == []  # the page with its error summary

        page.get_by_label("Sector").select_option("nonprofit")
        page.get_by_label("Mission statement").fill("Training Westside neighbors.")
        page.get_by_label("Talent supply").check()
        page.get_by_label("Job access & placement").check()
        page.get_by_label("Fulton").check()
        page.get_by_label("Your name").fill("Dana Brooks")
        page.get_by_label("Your email address").fill("dana@westside.example.org")
        # The honeypot is off-screen and out of the tab order.
        assert page.locator("#id_website_confirm").bounding_box()["x"] < 0
        page.get_by_label("Why does your organization want to join? (optional)").focus()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Send the application"
        page.keyboard.press("Enter")

        page.wait_for_url(live_server.url + THANKS)
        assert _serious(axe, page) == []
    finally:
        context.close()
    assert JoinApplication.objects.get().organization_name == "Westside Works"


def _serious(axe, page) -> list[str]:
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in axe.run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
