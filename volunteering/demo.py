"""Demo volunteer opportunities, with upcoming shifts and people signed up
(one shift full, with someone waiting)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.text import slugify

from justop.demo import STAFF_EMAIL
from volunteering.models import Opportunity, Shift, Signup

# Each opportunity in English and Spanish: title, location, summary,
# description, then its shifts (role, Spanish role, days ahead, start and
# end hour, places).
OPPORTUNITIES = [
    (("Spring career fair helpers", "Voluntarios para la feria de empleo de primavera"),
     ("Southside Community Center, 2600 Main St",
      "Centro Comunitario Southside, 2600 Main St"),
     ("Greet job seekers, review résumés and run practice interviews.",
      "Reciba a quienes buscan empleo, revise currículums y haga entrevistas de práctica."),
     ("Volunteers are the first faces job seekers meet. We train everyone the week before.",
      "Los voluntarios son las primeras caras que ven quienes buscan empleo. Capacitamos "
      "a todos la semana anterior."),
     [("Greeter", "Recepción", 3, 9, 13, 6),
      ("Résumé reviewer", "Revisión de currículums", 3, 12, 16, 4),
      ("Interview coach", "Entrenamiento para entrevistas", 4, 9, 13, 2)]),
    (("Free tax preparation", "Preparación gratuita de impuestos"),
     ("Fairburn Financial Empowerment Center",
      "Centro de Empoderamiento Financiero de Fairburn"),
     ("Prepare returns for working families with certified volunteers.",
      "Prepare declaraciones de impuestos para familias trabajadoras junto con voluntarios "
      "certificados."),
     ("Certification is free and takes an evening. Returns are checked twice.",
      "La certificación es gratuita y toma una tarde. Cada declaración se revisa dos veces."),
     [("Tax preparer", "Preparación de impuestos", 10, 17, 20, 5),
      ("Intake volunteer", "Recepción de documentos", 10, 17, 20, 3)]),
    (("Mentor a young apprentice", "Sea mentor de un aprendiz joven"), ("", ""),
     ("One hour a week, by phone or video, for a school year.",
      "Una hora a la semana, por teléfono o video, durante un año escolar."),
     ("Mentors help apprentices stay on track to their credential.",
      "Los mentores ayudan a los aprendices a seguir el camino hacia su credencial."),
     [("Mentor orientation", "Orientación para mentores", 6, 18, 19, 20)]),
]  # fmt: skip


def _both(field: str, texts: tuple[str, str]) -> dict[str, str]:
    return {f"{field}_en": texts[0], f"{field}_es": texts[1]}


def seed_volunteering() -> list[str]:
    today = timezone.localdate()
    created = 0
    for title, location, summary, description, shifts in OPPORTUNITIES:
        opportunity, _ = Opportunity.objects.update_or_create(
            slug=slugify(title[0]),
            defaults={
                **_both("title", title),
                **_both("summary", summary),
                **_both("description", description),
                **_both("location", location),
                "remote": not location[0],
                "contact_name": "Pat Staff",
                "contact_email": STAFF_EMAIL,
                "status": Opportunity.Status.PUBLISHED,
            },
        )
        for role, role_es, days_ahead, start_hour, end_hour, capacity in shifts:
            day = today + timedelta(days=days_ahead)
            start = timezone.make_aware(datetime.combine(day, time(start_hour)))
            shift, _ = Shift.objects.update_or_create(
                opportunity=opportunity,
                role_en=role,
                defaults={
                    "role_es": role_es,
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
