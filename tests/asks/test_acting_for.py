"""Acting for the right organization in asks and offers: a person in two
organizations sees on every button which one they post or reply as (the
one whose page they came from, else the one they acted for last, else the
first), chooses another by its button, cannot act for an organization they
do not belong to, and is offered no "Respond" on their own organization's
posts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from asks import services
from asks.models import Conversation, Post, PostResponse
from circle.access import acting_organization
from circle.models import Membership, User
from tests.acting import acting_buttons
from tests.asks.factories import PostFactory
from tests.factories import OrganizationFactory, member_of, sign_in

pytestmark = pytest.mark.django_db
NEW = "asks:post_create"


@pytest.fixture
def alpha():
    return OrganizationFactory(name="Alpha Workforce", slug="alpha")


@pytest.fixture
def zeta():
    return OrganizationFactory(name="Zeta Employers", slug="zeta")


@pytest.fixture
def both(alpha, zeta):
    """A person in both; alphabetically Alpha would come first."""
    person = member_of(alpha)
    Membership.objects.create(user=person, organization=zeta)
    return person


def post_data(organization, **extra):
    return {
        "organization": organization.pk,
        "kind": "ask",
        "title_en": "Employers to interview our graduates",
        "description_en": "Twelve graduates ready in March.",
        "side": "supply",
        "audience": "members",
    } | extra


def remembered(person: User):
    return User.objects.get(pk=person.pk).acting_organization


# --- The rule ---------------------------------------------------------------------------------


def test_the_rule_prefers_the_page_then_the_last_choice_then_the_first(alpha, zeta, both):
    choices = [alpha, zeta]
    assert acting_organization(both, choices).organization == alpha
    both.acting_organization = zeta
    assert acting_organization(both, choices).organization == zeta
    assert acting_organization(both, choices, "alpha").organization == alpha
    # A slug or a remembered organization outside the choices is passed over.
    assert acting_organization(both, [alpha], "zeta").organization == alpha
    assert acting_organization(both, []) is None


# --- Posting ----------------------------------------------------------------------------------


def test_a_single_organization_is_named_on_the_post_button(client, alpha):
    sign_in(client, member_of(alpha))
    page = client.get(reverse(NEW)).text
    assert acting_buttons(page) == ["Post as Alpha Workforce"]
    assert '<select name="organization"' not in page


def test_posting_starts_with_the_organization_acted_for_last(client, both, alpha, zeta):
    sign_in(client, both)
    assert acting_buttons(client.get(reverse(NEW)).text) == [
        "Post as Alpha Workforce",
        "Post as Zeta Employers",
    ]
    # They press Zeta's button: the post is Zeta's, and Zeta is remembered.
    response = client.post(reverse(NEW), post_data(zeta))
    assert response.status_code == 302
    assert Post.objects.get().organization == zeta
    assert remembered(both) == zeta
    assert acting_buttons(client.get(reverse(NEW)).text) == [
        "Post as Zeta Employers",
        "Post as Alpha Workforce",
    ]


def test_posting_from_an_organizations_page_acts_for_it(client, both, alpha, zeta):
    both.acting_organization = zeta
    both.save()
    sign_in(client, both)
    # Alpha's page links to the form with ?org=alpha.
    page = client.get(alpha.get_absolute_url()).text
    assert f"{reverse(NEW)}?org=alpha" in page
    assert acting_buttons(client.get(reverse(NEW), {"org": "alpha"}).text)[0] == (
        "Post as Alpha Workforce"
    )


def test_a_foreign_organization_is_refused(client, both):
    outsider = OrganizationFactory(name="Outsider Org", slug="outsider")
    sign_in(client, both)
    # As a page to come from it is passed over; as a choice it is refused.
    response = client.get(reverse(NEW), {"org": "outsider"})
    assert response.status_code == 200
    assert "Post as Outsider Org" not in response.text
    response = client.post(reverse(NEW), post_data(outsider))
    assert response.status_code == 400
    assert "You cannot act for this organization here" in response.text
    assert not Post.objects.exists() and remembered(both) is None


def test_an_organization_left_since_is_not_acted_for(client, both, alpha, zeta):
    both.acting_organization = zeta
    both.save()
    Membership.objects.filter(user=both, organization=zeta).delete()
    sign_in(client, both)
    assert acting_buttons(client.get(reverse(NEW)).text) == ["Post as Alpha Workforce"]


# --- Responding -------------------------------------------------------------------------------


@pytest.fixture
def poster():
    return OrganizationFactory(name="Metro Manufacturers", slug="metro")


def test_the_respond_form_replies_as_the_organization_acted_for_last(client, poster, both, zeta):
    post = PostFactory(organization=poster)
    both.acting_organization = zeta
    both.save()
    sign_in(client, both)
    page = client.get(post.get_absolute_url()).text
    assert acting_buttons(page) == ["Reply as Zeta Employers", "Reply as Alpha Workforce"]
    alpha = both.memberships.exclude(organization=zeta).get().organization
    response = client.post(
        reverse("asks:post_respond", args=[post.pk]), {"organization": alpha.pk, "body": "Hi"}
    )
    assert response.status_code == 302
    assert Conversation.objects.get().organization == alpha
    assert remembered(both) == alpha


def test_nobody_responds_for_an_organization_they_do_not_belong_to(client, poster, alpha):
    post = PostFactory(organization=poster)
    outsider = OrganizationFactory()
    sign_in(client, member_of(alpha))
    response = client.post(
        reverse("asks:post_respond", args=[post.pk]), {"organization": outsider.pk, "body": "Hi"}
    )
    assert response.status_code == 400
    assert not Conversation.objects.exists()


def test_ones_own_organizations_post_offers_no_respond(client, both, alpha):
    # Alpha posts; the person is in Alpha and Zeta: Zeta does not answer Alpha.
    post = PostFactory(organization=alpha)
    sign_in(client, both)
    response = client.get(post.get_absolute_url())
    assert response.context["response_form"] is None
    assert "Respond to" not in response.text and not acting_buttons(response.text)
    zeta = both.memberships.exclude(organization=alpha).get().organization
    response = client.post(
        reverse("asks:post_respond", args=[post.pk]), {"organization": zeta.pk, "body": "Me?"}
    )
    assert response.status_code == 403
    assert not Conversation.objects.exists()


# --- Replying in a conversation ----------------------------------------------------------------


def test_someone_in_both_organizations_of_a_conversation_chooses_which_replies(
    client, both, alpha, zeta
):
    post = PostFactory(organization=alpha)
    thread = services.respond(
        post, organization=zeta, author=member_of(zeta), body="We can help."
    ).conversation
    both.acting_organization = alpha
    both.save()
    sign_in(client, both)
    page = client.get(thread.get_absolute_url()).text
    assert acting_buttons(page) == ["Reply as Alpha Workforce", "Reply as Zeta Employers"]
    response = client.post(thread.get_absolute_url(), {"organization": zeta.pk, "body": "Yes"})
    assert response.status_code == 302
    assert PostResponse.objects.get(body="Yes").organization == zeta
    assert remembered(both) == zeta
    # An organization that is not in the conversation is refused.
    outsider = OrganizationFactory()
    Membership.objects.create(user=both, organization=outsider)
    response = client.post(thread.get_absolute_url(), {"organization": outsider.pk, "body": "X"})
    assert response.status_code == 400
    assert not PostResponse.objects.filter(body="X").exists()


def test_a_single_side_names_its_organization_on_the_reply_button(client, alpha, zeta):
    post = PostFactory(organization=alpha)
    responder = member_of(zeta)
    thread = services.respond(post, organization=zeta, author=responder, body="Hi").conversation
    sign_in(client, member_of(alpha))
    assert acting_buttons(client.get(thread.get_absolute_url()).text) == [
        "Reply as Alpha Workforce"
    ]


def test_closing_names_the_posting_organization(client, alpha):
    admin = member_of(alpha, Membership.Role.ADMIN)
    post = PostFactory(organization=alpha, author=admin)
    sign_in(client, admin)
    page = client.get(reverse("asks:post_close", args=[post.pk])).text
    assert "Close as Alpha Workforce" in page


def test_marking_a_match_says_which_organization_marks_it(client, alpha, zeta):
    ask = PostFactory(organization=alpha, side="demand", stages=["job-access"])
    PostFactory(organization=zeta, kind="offer", side="supply", stages=["job-access"])
    sign_in(client, member_of(zeta))
    page = client.get(reverse("asks:post_matches", args=[ask.pk])).text
    assert "As Zeta Employers:" in page and "As Alpha Workforce:" not in page
