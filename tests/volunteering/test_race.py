"""Fifty people pressing "Sign up" at the same moment for a shift of twelve
places: the places hold, nobody is lost, and a cancellation promotes the
first on the waitlist who fits."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from volunteering import services as volunteering
from volunteering.models import Opportunity, Shift, Signup

PEOPLE = 50
PLACES = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_sign_ups_never_overfill_a_shift_of_twelve():
    shift = Shift.objects.create(
        opportunity=Opportunity.objects.create(
            title="Career fair",
            slug="career-fair",
            summary="s",
            description="d",
            status="published",
        ),
        role="Greeter",
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=4),
        capacity=PLACES,
    )
    parties = [random.Random(seed).randint(1, 3) for seed in range(PEOPLE)]
    start = threading.Barrier(PEOPLE)
    errors: list[BaseException] = []

    def sign_up(i: int) -> None:
        try:
            start.wait()
            volunteering.sign_up(
                shift,
                name=f"Person {i}",
                email=f"person{i}@example.org",
                phone="",
                party_size=parties[i],
                language="en",
            )
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    # Everyone confirms by the emailed link.
    for signup in Signup.objects.filter(shift=shift):
        volunteering.confirm(signup)

    signups = Signup.objects.filter(shift=shift)
    assert signups.count() == PEOPLE  # none lost
    confirmed = signups.filter(status=Signup.Status.CONFIRMED)
    taken = confirmed.aggregate(n=Sum("party_size"))["n"]
    assert taken <= PLACES
    assert set(signups.values_list("status", flat=True)) <= {"confirmed", "waitlisted"}
    waitlisted = list(signups.filter(status=Signup.Status.WAITLISTED).order_by("created_at", "pk"))
    summary = (
        f"\n{PEOPLE} sign-ups, {sum(parties)} people for {PLACES} places: "
        f"{confirmed.count()} parties confirmed ({taken} people), {len(waitlisted)} waitlisted"
    )
    assert waitlisted, "fifty parties of one to three people cannot all fit in twelve places"
    # Nobody waits who would have fitted in the places left.
    assert all(w.party_size > PLACES - taken for w in waitlisted)

    # A cancellation promotes the first on the waitlist who fits.
    leaving = confirmed.order_by("-party_size").first()
    free = PLACES - taken + leaving.party_size
    expected = next(w for w in waitlisted if w.party_size <= free)
    volunteering.cancel(leaving)
    expected.refresh_from_db()
    assert expected.status == Signup.Status.CONFIRMED
    assert (
        Signup.objects.filter(shift=shift, status__in=Signup.HOLDING).aggregate(
            n=Sum("party_size")
        )["n"]
        <= PLACES
    )
    print(summary)
