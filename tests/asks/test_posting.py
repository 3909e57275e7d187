"""Posting, editing and closing asks and offers; responding and marking
matches, and the emails they send through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from asks import services
from asks.models import Match, Outcome, Post
from asks.tasks import close_expired_posts
from circle.models import Membership, Organization
from justop.models import OutboxEmail
from tests.asks.factories import PostFactory, offer
from tests.factories import OrganizationFactory, StaffFactory, member_of, sign_in
from tests.forms import post_data
from tests.smtp import html_of, text_of

pytestmark = pytest.mark.django_db
Side = Organization.Side
Role = Membership.Role


@pytest.fixture
def employer():
    return OrganizationFactory(name="Metro Manufacturers", side=Side.DEMAND)


@pytest.fixture
def trainer():
    return OrganizationFactory(name="Peachtree Skills", side=Side.SUPPLY)


# --- Posting -------------------------------------------------------------------------------


def test_a_member_posts_an_ask_on_behalf_of_their_organization(client, employer):
    person = member_of(employer)
    sign_in(client, person)
    response = client.post(reverse("asks:post_create"), post_data(organization=employer.pk))
    post = Post.objects.get()
    assert response.status_code == 302 and response.url == post.get_absolute_url()
    assert (post.organization, post.author, post.kind, post.quantity) == (
        employer,
        person,
        "ask",
        20,
    )
    assert sorted(t.name for t in post.expertise.all()) == [
        "Advanced manufacturing",
        "apprenticeships",
    ]
    page = client.get(post.get_absolute_url()).text
    assert "<strong>March</strong>" in page


def test_a_member_of_two_organizations_chooses_which_one_posts(client, employer, trainer):
    person = member_of(employer)
    Membership.objects.create(user=person, organization=trainer)
    sign_in(client, person)
    form = client.get(reverse("asks:post_create")).context["form"]
    assert list(form.fields["organization"].queryset) == [employer, trainer]
    client.post(reverse("asks:post_create"), post_data(organization=trainer.pk, kind="offer"))
    assert Post.objects.get().organization == trainer


def test_nobody_posts_for_an_organization_they_do_not_belong_to(client, employer, trainer):
    sign_in(client, member_of(employer))
    response = client.post(reverse("asks:post_create"), post_data(organization=trainer.pk))
    assert response.status_code == 400
    # Said at the top of the form: the organization is chosen by its button.
    assert response.context["form"].non_field_errors()
    assert not Post.objects.exists()


def test_a_post_for_chosen_organizations_needs_at_least_one(client, employer):
    sign_in(client, member_of(employer))
    response = client.post(
        reverse("asks:post_create"), post_data(organization=employer.pk, audience="chosen")
    )
    assert "shared_with" in response.context["form"].errors


def test_a_number_needs_its_unit_and_a_deadline_cannot_be_past(client, employer):
    sign_in(client, member_of(employer))
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        reverse("asks:post_create"),
        post_data(organization=employer.pk, unit="", deadline=yesterday),
    )
    assert set(response.context["form"].errors) == {"unit", "deadline"}


def test_markdown_in_a_description_cannot_run_a_script(client, employer):
    post = PostFactory(
        organization=employer, description="<script>alert(1)</script> [x](javascript:alert(1))"
    )
    sign_in(client, member_of(employer))
    page = client.get(post.get_absolute_url()).text
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page


# --- Editing and closing ---------------------------------------------------------------------


def test_the_author_and_the_organizations_admins_edit_a_post_others_get_403(
    client, employer, trainer
):
    author = member_of(employer)
    post = PostFactory(organization=employer, author=author)
    url = reverse("asks:post_edit", args=[post.pk])
    for person, status in [
        (author, 200),
        (member_of(employer, Role.ADMIN), 200),
        (StaffFactory(), 200),
        (member_of(employer), 403),
        (member_of(trainer), 403),
    ]:
        sign_in(client, person)
        assert client.get(url).status_code == status


def test_an_edit_keeps_the_organization(client, employer):
    author = member_of(employer)
    post = PostFactory(organization=employer, author=author, title="Old")
    sign_in(client, author)
    client.post(reverse("asks:post_edit", args=[post.pk]), post_data(title="New"))
    post.refresh_from_db()
    assert (post.title, post.organization) == ("New", employer)


def test_closing_as_matched_records_the_outcome(client, employer, trainer):
    author = member_of(employer)
    post = PostFactory(organization=employer, author=author)
    sign_in(client, author)
    response = client.post(
        reverse("asks:post_close", args=[post.pk]),
        {
            "status": "matched",
            "people_placed": "12",
            "partnership_started": "on",
            "partner": trainer.pk,
            "notes": "Twelve graduates hired.",
        },
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == "matched" and post.closed_at
    outcome = Outcome.objects.get(post=post)
    assert (outcome.people_placed, outcome.partnership_started, outcome.partner) == (
        12,
        True,
        trainer,
    )
    assert outcome.recorded_by == author
    assert "Twelve graduates hired." in client.get(post.get_absolute_url()).text


def test_closing_without_a_match_records_no_outcome(client, employer):
    author = member_of(employer)
    post = PostFactory(organization=employer, author=author)
    sign_in(client, author)
    client.post(
        reverse("asks:post_close", args=[post.pk]), {"status": "closed", "people_placed": "0"}
    )
    post.refresh_from_db()
    assert post.status == "closed" and not Outcome.objects.exists()
    client.post(reverse("asks:post_reopen", args=[post.pk]))
    post.refresh_from_db()
    assert post.status == "open" and post.closed_at is None


def test_a_post_past_its_deadline_counts_as_expired_before_the_task_closes_it(employer):
    yesterday = timezone.localdate() - timedelta(days=1)
    late = PostFactory(organization=employer, deadline=yesterday)
    today = PostFactory(organization=employer, deadline=timezone.localdate())
    ongoing = PostFactory(organization=employer)
    assert set(Post.objects.open()) == {today, ongoing}
    assert late.state == "expired" and not late.is_open
    assert close_expired_posts() == 1
    late.refresh_from_db()
    assert late.status == "closed"
    assert close_expired_posts() == 0


# --- Responding and matching emails ----------------------------------------------------------


def test_a_response_emails_the_posters_admins_and_the_author(smtp_sink, employer, trainer):
    author = member_of(employer)
    admin = member_of(employer, Role.ADMIN)
    bystander = member_of(employer)
    responder = member_of(trainer)
    post = PostFactory(organization=employer, author=author, title="20 technicians")
    services.respond(
        post, organization=trainer, author=responder, body="Our 15 graduates are ready."
    )
    assert not smtp_sink.to(bystander.email) and not smtp_sink.to(responder.email)
    for person in (author, admin):
        [message] = smtp_sink.to(person.email)
        assert str(message["Subject"]) == "Peachtree Skills wrote about “20 technicians”"
        assert "Our 15 graduates are ready." in text_of(message)
        assert "/conversations/" in html_of(message)
        assert "List-Unsubscribe" not in message  # transactional


def test_the_posters_answer_emails_the_people_who_wrote_from_the_other_side(
    smtp_sink, employer, trainer
):
    author = member_of(employer)
    responder = member_of(trainer)
    silent = member_of(trainer, Role.ADMIN)
    post = PostFactory(organization=employer, author=author)
    thread = services.respond(
        post, organization=trainer, author=responder, body="Hello"
    ).conversation
    services.reply(thread, organization=employer, author=author, body="Let us meet on Tuesday.")
    assert "Let us meet on Tuesday." in text_of(smtp_sink.to(responder.email)[0])
    assert not smtp_sink.to(silent.email)


def test_a_second_organization_responding_opens_its_own_conversation(employer, trainer):
    post = PostFactory(organization=employer, author=member_of(employer))
    other = OrganizationFactory()
    first = services.respond(
        post, organization=trainer, author=member_of(trainer), body="1"
    ).conversation
    again = services.respond(
        post, organization=trainer, author=member_of(trainer), body="2"
    ).conversation
    second = services.respond(
        post, organization=other, author=member_of(other), body="3"
    ).conversation
    assert first == again != second
    assert [r.body for r in first.responses.all()] == ["1", "2"]


def test_responding_through_the_page(client, employer, trainer):
    post = PostFactory(organization=employer, author=member_of(employer))
    sign_in(client, member_of(trainer))
    response = client.post(
        reverse("asks:post_respond", args=[post.pk]),
        {"organization": trainer.pk, "body": "We can help."},
    )
    thread = post.conversations.get()
    assert response.url == thread.get_absolute_url()
    assert thread.organization == trainer
    # An empty message is refused with the form again.
    response = client.post(
        reverse("asks:post_respond", args=[post.pk]), {"organization": trainer.pk, "body": ""}
    )
    assert response.status_code == 400


def test_the_poster_cannot_respond_to_its_own_post(client, employer):
    post = PostFactory(organization=employer)
    sign_in(client, member_of(employer))
    response = client.post(reverse("asks:post_respond", args=[post.pk]), {"body": "Me?"})
    assert response.status_code == 403


def test_marking_a_match_tells_both_organizations_once_per_state(client, employer, trainer):
    ask_author, offer_author = member_of(employer), member_of(trainer)
    ask = PostFactory(organization=employer, author=ask_author, stages=["job-access"])
    graduates = offer(organization=trainer, author=offer_author, stages=["job-access"])
    sign_in(client, offer_author)
    url = reverse("asks:mark_match", args=[graduates.pk, ask.pk])
    client.post(url, {"state": "conversation"})
    client.post(url, {"state": "conversation"})  # a double click
    match = Match.objects.get()
    assert (match.ask, match.offer, match.state, match.marked_by) == (
        ask,
        graduates,
        "conversation",
        offer_author,
    )
    kinds = list(OutboxEmail.objects.values_list("kind", "recipient"))
    assert kinds == [("circle.match_conversation", ask_author.email)]
    client.post(url, {"state": "done"})
    assert OutboxEmail.objects.filter(kind="circle.match_done").count() == 1
    page = client.get(reverse("asks:post_matches", args=[ask.pk]))
    assert page.context["rows"][0]["match"].state == "done"


def test_only_the_two_organizations_mark_their_match(client, employer, trainer):
    ask = PostFactory(organization=employer, stages=["job-access"])
    graduates = offer(organization=trainer, stages=["job-access"])
    sign_in(client, member_of(OrganizationFactory()))
    response = client.post(
        reverse("asks:mark_match", args=[ask.pk, graduates.pk]), {"state": "done"}
    )
    assert response.status_code == 403
    assert not Match.objects.exists()


def test_an_ask_cannot_be_matched_with_an_ask(client, employer, trainer):
    ask = PostFactory(organization=employer)
    other_ask = PostFactory(organization=trainer)
    sign_in(client, member_of(employer))
    response = client.post(
        reverse("asks:mark_match", args=[ask.pk, other_ask.pk]), {"state": "done"}
    )
    assert response.status_code == 404


def test_a_closed_post_takes_no_new_responses(client, employer, trainer):
    post = PostFactory(organization=employer, status=Post.Status.CLOSED)
    sign_in(client, member_of(trainer))
    assert client.get(post.get_absolute_url()).context["response_form"] is None
    response = client.post(
        reverse("asks:post_respond", args=[post.pk]), {"organization": trainer.pk, "body": "Hi"}
    )
    assert response.status_code == 403
