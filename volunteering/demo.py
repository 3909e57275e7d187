"""Demo volunteer opportunities, with upcoming shifts and people signed up
(one shift full, with someone waiting)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.text import slugify

from justop.demo import STAFF_EMAIL
from volunteering.models import Opportunity, Shift, Signup

OPPORTUNITIES = [
    ("Spring career fair helpers", "Southside Community Center, 2600 Main St",
     "Greet job seekers, review résumés and run practice interviews.",
     "Volunteers are the first faces job seekers meet. We train everyone the week before.",
     [("Greeter", 3, 9, 13, 6), ("Résumé reviewer", 3, 12, 16, 4),
      ("Interview coach", 4, 9, 13, 2)]),
    ("Free tax preparation", "Fairburn Financial Empowerment Center",
     "Prepare returns for working families with certified volunteers.",
     "Certification is free and takes an evening. Returns are checked twice.",
     [("Tax preparer", 10, 17, 20, 5), ("Intake volunteer", 10, 17, 20, 3)]),
    ("Mentor a young apprentice", "",
     "One hour a week, by phone or video, for a school year.",
     "Mentors help apprentices stay on track to their credential.",
     [("Mentor orientation", 6, 18, 19, 20)]),
]  # fmt: skip


def seed_volunteering() -> list[str]:
    today = timezone.localdate()
    created = 0
    for title, location, summary, description, shifts in OPPORTUNITIES:
        opportunity, _ = Opportunity.objects.update_or_create(
            slug=slugify(title),
            defaults={
                "title": title,
                "summary": summary,
                "description": description,
                "location": location,
                "remote": not location,
                "contact_name": "Pat Staff",
                "contact_email": STAFF_EMAIL,
                "status": Opportunity.Status.PUBLISHED,
            },
        )
        for role, days_ahead, start_hour, end_hour, capacity in shifts:
            day = today + timedelta(days=days_ahead)
            start = timezone.make_aware(datetime.combine(day, time(start_hour)))
            shift, _ = Shift.objects.update_or_create(
                opportunity=opportunity,
                role=role,
                defaults={
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=end_hour - start_hour),
                    "capacity": capacity,
                },
            )
            created += 1
            # The smallest shift is full, with someone waiting.
            people = [("Jordan Lee", 1), ("Sam Rivera", 2)]
            if capacity <= 2:
                people.append(("Alex Kim", 1))
            taken = 0
            for name, party in people:
                email = name.lower().replace(" ", ".") + "@example.org"
                status = (
                    Signup.Status.CONFIRMED
                    if taken + party <= capacity
                    else Signup.Status.WAITLISTED
                )
                taken += party if status == Signup.Status.CONFIRMED else 0
                Signup.objects.get_or_create(
                    shift=shift,
                    email=email,
                    status__in=Signup.ACTIVE,
                    defaults={
                        "name": name,
                        "party_size": party,
                        "status": status,
                        "confirmed_at": timezone.now(),
                    },
                )
    return [f"  {len(OPPORTUNITIES)} volunteer opportunities with {created} upcoming shifts."]
