"""The capacity engine (justop/places.py) under both of its configurations:
forum registrations (one place each) and volunteer sign-ups (a party takes
as many places as it has people). The same story must hold for both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from forums import registration
from justop import places
from justop.models import OutboxEmail
from tests.forums.factories import ForumFactory
from tests.volunteering.factories import ShiftFactory
from volunteering import services as volunteering


@dataclass(frozen=True)
class Config:
    places: places.Places[Any, Any]
    make_parent: Any
    details: dict[str, object]


CONFIGS = {
    "forum registrations": Config(
        registration.PLACES,
        lambda capacity: ForumFactory(capacity=capacity),
        {"name": "Guest", "language": "en"},
    ),
    "volunteer sign-ups": Config(
        volunteering.PLACES,
        lambda capacity: ShiftFactory(capacity=capacity),
        {"name": "Volunteer", "language": "en", "party_size": 1},
    ),
}


@pytest.fixture(params=list(CONFIGS), ids=list(CONFIGS))
def config(request) -> Config:
    return CONFIGS[request.param]


def _hold(config: Config, parent: Any, address: str) -> Any:
    return config.places.hold(parent, email=address, details=config.details).claim


def _status(claim: Any) -> str:
    claim.refresh_from_db()
    return str(claim.status)


@pytest.mark.django_db
def test_holds_take_places_and_the_next_person_waits(config):
    parent = config.make_parent(2)
    first, second = (_hold(config, parent, f"p{i}@example.org") for i in (1, 2))
    third = _hold(config, parent, "p3@example.org")
    assert [_status(c) for c in (first, second, third)] == ["held", "held", "waitlisted"]
    assert config.places.taken(parent) == 2
    assert config.places.left(parent) == 0
    # Each was asked to confirm their address.
    assert OutboxEmail.objects.filter(kind__endswith="confirm").count() == 3


@pytest.mark.django_db
def test_asking_again_with_a_live_claim_emails_the_link_instead_of_a_second_claim(config):
    parent = config.make_parent(2)
    first = _hold(config, parent, "p1@example.org")
    again = config.places.hold(parent, email=" P1@Example.org ", details=config.details)
    assert again.already and again.claim.pk == first.pk
    assert config.places.claims_of(parent).count() == 1


@pytest.mark.django_db
def test_a_cancellation_promotes_the_confirmed_person_waiting_first(config):
    parent = config.make_parent(1)
    holder = _hold(config, parent, "holder@example.org")
    unconfirmed = _hold(config, parent, "unconfirmed@example.org")
    waiting = _hold(config, parent, "waiting@example.org")
    config.places.confirm(waiting)
    config.places.cancel(holder)
    # Only a person whose address is confirmed is promoted; order otherwise.
    assert _status(unconfirmed) == "waitlisted"
    assert _status(waiting) == "confirmed"
    assert _status(holder) == "cancelled"


@pytest.mark.django_db
def test_confirming_a_hold_confirms_the_place(config):
    parent = config.make_parent(1)
    claim = _hold(config, parent, "p@example.org")
    config.places.confirm(claim)
    assert _status(claim) == "confirmed"
    # A second confirmation changes nothing and sends nothing more.
    queued = OutboxEmail.objects.count()
    config.places.confirm(claim)
    assert _status(claim) == "confirmed"
    assert OutboxEmail.objects.count() == queued


@pytest.mark.django_db
def test_holds_nobody_confirmed_in_time_expire_and_free_their_places(config):
    parent = config.make_parent(1)
    stale = _hold(config, parent, "stale@example.org")
    waiting = _hold(config, parent, "waiting@example.org")
    config.places.confirm(waiting)
    later = timezone.now() + config.places.confirm_within + timedelta(minutes=1)
    assert config.places.expire_unconfirmed(later) == 1
    assert _status(stale) == "expired"
    assert _status(waiting) == "confirmed"


@pytest.mark.django_db
def test_the_signed_link_opens_its_own_claim_only(config):
    parent = config.make_parent(2)
    claim = _hold(config, parent, "p@example.org")
    token = config.places.token(claim)
    assert config.places.from_token(token) == claim
    assert config.places.from_token(token[:-2] + "xx") is None
    assert config.places.from_token("not-a-token") is None
    assert config.places.url(claim).endswith(f"/{token}/")


@pytest.mark.django_db
def test_the_page_behind_the_link_confirms_and_cancels(config, client):
    parent = config.make_parent(1)
    claim = _hold(config, parent, "p@example.org")
    page = config.places.url(claim)
    assert client.get(page).status_code == 200
    assert client.post(page, {"action": "confirm"}).status_code == 302
    assert _status(claim) == "confirmed"
    # Cancelling asks first: the button leads to a confirmation step, and
    # only its form cancels.
    asked = client.post(page, {"action": "cancel"})
    assert asked.status_code == 302 and asked["Location"].endswith("?step=cancel")
    assert _status(claim) == "confirmed"
    step = client.get(asked["Location"]).content.decode()
    assert 'name="confirmed" value="yes"' in step and "Keep my place" in step
    assert client.post(page, {"action": "cancel", "confirmed": "yes"}).status_code == 302
    assert _status(claim) == "cancelled"
    assert client.get(page.replace("/p", "/x", 1)[:-3] + "zz/").status_code == 404


@pytest.mark.django_db
def test_a_party_larger_than_the_places_left_waits_and_a_smaller_one_goes_first():
    shift = ShiftFactory(capacity=3)
    engine = volunteering.PLACES

    def sign(address: str, size: int) -> Any:
        details = {"name": "V", "language": "en", "party_size": size}
        claim = engine.hold(shift, email=address, details=details).claim
        engine.confirm(claim)
        return claim

    holder = sign("holder@example.org", 3)
    big = sign("big@example.org", 3)
    small = sign("small@example.org", 1)
    assert [_status(c) for c in (holder, big, small)] == ["confirmed", "waitlisted", "waitlisted"]
    holder.party_size = 2  # only two places free up below
    holder.save(update_fields=["party_size"])
    engine.cancel(holder)
    assert _status(big) == "confirmed"  # three places free: the first fits
    assert _status(small) == "waitlisted"


@pytest.mark.django_db
def test_a_closed_parent_takes_no_claims():
    forum = ForumFactory(capacity=5, registration_deadline=timezone.now() - timedelta(hours=1))
    with pytest.raises(places.Closed):
        registration.PLACES.hold(forum, email="p@example.org", details={"name": "G"})
