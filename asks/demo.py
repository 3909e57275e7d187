"""Demo asks and offers between the demo organizations (circle/demo.py):
open posts on both sides of the continuum, marked matches, conversations
and outcomes spread over the last year. Existing rows are kept as they are,
so running the seeder again changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from asks.models import Conversation, Match, Outcome, Post, PostResponse
from circle.demo import demo_tags
from circle.models import County, Organization, Stage

ASK, OFFER = Post.Kind.ASK, Post.Kind.OFFER
SUPPLY, DEMAND, BOTH = Organization.Side.SUPPLY, Organization.Side.DEMAND, Organization.Side.BOTH
MATCHED = Post.Status.MATCHED

# organization, kind, title, description, side, stages, counties, tags,
# (quantity, unit), deadline in days (None: ongoing), chosen organizations
# (None: all members), posted days ago, status
POSTS: list[tuple[Any, ...]] = [
    ("Metro Atlanta Manufacturers Council", ASK,
     "20 entry-level production technicians for spring hiring",
     "Our member plants in Cobb, Gwinnett and Douglas will hire **20 entry-level "
     "technicians** in March. No experience needed: a training certificate and reliable "
     "transportation. Starting pay $19 to $22 an hour, with a paid apprenticeship track.\n\n"
     "We are looking for training programs whose graduates are ready in the next two months.",
     DEMAND, ["job-access"], ["cobb", "gwinnett", "douglas"],
     ["Advanced manufacturing", "Apprenticeships"], (20, "jobs"), 45, None, 6, "open"),
    ("Peachtree Skills Alliance", OFFER,
     "15 graduates of our skilled-trades and IT programs, ready to start",
     "Fifteen graduates of our 12-week programs (industrial maintenance, IT support) finish "
     "in January. Every graduate completed our **soft-skills and workplace readiness** "
     "module, and a coach stays with them through their first promotion.",
     SUPPLY, ["education-training", "job-access"], ["fulton", "dekalb", "cobb"],
     ["Digital skills", "Career coaching"], (15, "people"), 30, None, 4, "open"),
    ("Second Chance Employment Partners", OFFER,
     "Soft-skills coaching for new hires in their first 90 days",
     "Our coaches meet new hires and their supervisors every two weeks during the first "
     "90 days: attendance, conflict, asking for help. Free for employers in the Circle.",
     SUPPLY, ["workforce-readiness", "retention-advancement"], ["fulton", "dekalb", "clayton"],
     ["Career coaching", "Fair-chance hiring"], None, None, None, 12, "open"),
    ("Clayton County Workforce Office", ASK,
     "County agency partners for a Riverdale hiring event",
     "The county's career center hosts a hiring event in Riverdale next month. We ask for "
     "**employers with openings** and nonprofits offering résumé help and childcare on site.",
     BOTH, ["job-access"], ["clayton"], ["Job placement"], (6, "places"), 21, None, 3, "open"),
    ("Gwinnett Technical Pathways", OFFER,
     "Evening industrial maintenance cohort: 12 places for working adults",
     "A 16-week evening cohort leading to an industry credential, tuition covered by "
     "training vouchers for eligible residents.",
     SUPPLY, ["education-training"], ["gwinnett", "forsyth"], ["Industry credentials"],
     (12, "places"), 60, None, 9, "open"),
    ("Atlanta Health Careers Collaborative", ASK,
     "30 patient transport and environmental services openings with a career ladder",
     "Entry-level roles with tuition assistance toward patient care technician and nursing. "
     "We want partners who prepare candidates and support them in the first months.",
     DEMAND, ["job-access", "retention-advancement"], ["fulton", "dekalb"],
     ["Healthcare careers", "Career coaching"], (30, "jobs"), None, None, 15, "open"),
    ("Eastlake Neighbors Network", OFFER,
     "Door-to-door outreach so residents hear about openings first",
     "Our neighbors knock on doors and run a text line in DeKalb and Rockdale. Send us "
     "openings and we make sure the people who live here apply.",
     SUPPLY, ["community-investment", "job-access"], ["dekalb", "rockdale"],
     ["Resident outreach"], None, None, None, 20, "open"),
    ("Greater Atlanta Logistics Employers", ASK,
     "Forklift-certified warehouse associates near the airport",
     "Twenty-five openings on three shifts, fair-chance employers. Shared first with the "
     "county and our fair-chance partners.",
     DEMAND, ["job-access"], ["clayton", "henry"], ["Logistics", "Fair-chance hiring"],
     (25, "jobs"), 14, ["Clayton County Workforce Office", "Second Chance Employment Partners"],
     2, "open"),
    ("Henry County Youth Apprenticeship", ASK,
     "Employers to host paid summer apprentices",
     "High school juniors and seniors, eight weeks, paid by the employer with a wage "
     "subsidy from the program.",
     SUPPLY, ["education-training", "job-access"], ["henry"], ["Apprenticeships"],
     (10, "places"), 50, None, 7, "open"),
    ("Peachtree Skills Alliance", ASK,
     "An employer partner for a CNC machining cohort",
     "We design the curriculum with the employer who hires the graduates.",
     SUPPLY, ["education-training"], ["cobb", "fulton"], ["Advanced manufacturing"],
     None, None, None, 120, MATCHED),
    ("Fairburn Financial Empowerment Center", OFFER,
     "Financial coaching for employees in their first year",
     "One-on-one coaching on a first paycheck: banking, credit, saving for emergencies.",
     SUPPLY, ["entrepreneurship", "retention-advancement"], ["fulton", "douglas"],
     ["Financial coaching"], None, None, None, 230, MATCHED),
    ("Cobb Small Business Resource Center", OFFER,
     "Procurement readiness workshops for small contractors",
     "Six sessions to get certified and bid on county and corporate contracts.",
     BOTH, ["entrepreneurship"], ["cobb", "cherokee"], ["Business coaching"],
     (20, "places"), None, None, 320, MATCHED),
]  # fmt: skip

# The Spanish title and description of some posts, by English title; the
# others show the English with the "only in English" note on a Spanish page.
SPANISH: dict[str, tuple[str, str]] = {
    "20 entry-level production technicians for spring hiring": (
        "20 técnicos de producción de nivel inicial para las contrataciones de primavera",
        "Las plantas de nuestros miembros en Cobb, Gwinnett y Douglas contratarán a **20 "
        "técnicos de nivel inicial** en marzo. No se necesita experiencia: un certificado de "
        "capacitación y transporte confiable. Salario inicial de $19 a $22 por hora, con una "
        "vía de aprendizaje pagado.\n\n"
        "Buscamos programas de capacitación cuyos graduados estén listos en los próximos dos "
        "meses.",
    ),
    "15 graduates of our skilled-trades and IT programs, ready to start": (
        "15 graduados de nuestros programas de oficios calificados y de TI, listos para empezar",
        "Quince graduados de nuestros programas de 12 semanas (mantenimiento industrial, "
        "soporte de TI) terminan en enero. Cada graduado completó nuestro módulo de "
        "**habilidades interpersonales y preparación para el trabajo**, y un orientador los "
        "acompaña hasta su primer ascenso.",
    ),
    "Soft-skills coaching for new hires in their first 90 days": (
        "Orientación en habilidades interpersonales para nuevos empleados en sus primeros 90 días",
        "Nuestros orientadores se reúnen cada dos semanas con los nuevos empleados y sus "
        "supervisores durante los primeros 90 días: asistencia, conflictos, cómo pedir ayuda. "
        "Gratis para los empleadores del Circle.",
    ),
    "County agency partners for a Riverdale hiring event": (
        "Socios para una feria de empleo del condado en Riverdale",
        "El centro de carreras del condado organiza una feria de empleo en Riverdale el "
        "próximo mes. Buscamos **empleadores con vacantes** y organizaciones sin fines de "
        "lucro que ofrezcan ayuda con el currículum y cuidado infantil en el lugar.",
    ),
    "Door-to-door outreach so residents hear about openings first": (
        "Visitas casa por casa para que los residentes se enteren primero de las vacantes",
        "Nuestros vecinos tocan puertas y atienden una línea de mensajes de texto en DeKalb y "
        "Rockdale. Envíenos sus vacantes y nos aseguramos de que las personas que viven aquí "
        "se postulen.",
    ),
}

# title, people placed, partnership started, partner, days ago, notes
OUTCOMES = [
    ("An employer partner for a CNC machining cohort", 8, True,
     "Metro Atlanta Manufacturers Council", 40,
     "Eight graduates hired at two plants; the council co-designs the next cohort."),
    ("Financial coaching for employees in their first year", 0, True,
     "Atlanta Health Careers Collaborative", 150,
     "Coaching is now part of onboarding for new environmental services staff."),
    ("Procurement readiness workshops for small contractors", 0, True,
     "Southside Community Fund", 250, "Fourteen contractors certified; three won bids."),
]  # fmt: skip

# ask, offer, state
MATCHES = [
    ("20 entry-level production technicians for spring hiring",
     "15 graduates of our skilled-trades and IT programs, ready to start", "conversation"),
    ("30 patient transport and environmental services openings with a career ladder",
     "Soft-skills coaching for new hires in their first 90 days", "done"),
]  # fmt: skip

# post, responding organization, [(from the poster's side?, message)]
CONVERSATIONS = [
    ("20 entry-level production technicians for spring hiring", "Peachtree Skills Alliance", [
        (False, "Our January graduates include eight from industrial maintenance. Could we set "
                "up interviews at your Marietta plant?"),
        (True, "Yes: the second week of February works. Please send the list of graduates "
               "interested in second shift."),
    ]),
    ("Forklift-certified warehouse associates near the airport",
     "Second Chance Employment Partners", [
        (False, "Six of our participants hold forklift certification. We also coach them "
                "through the first 90 days."),
    ]),
]  # fmt: skip


def _author(organization: Organization) -> Any:
    membership = organization.memberships.select_related("user").order_by("pk").first()
    return membership.user if membership else None


def seed_posts() -> list[str]:
    organizations = {o.name: o for o in Organization.objects.all()}
    if not organizations:
        return []
    stages = {s.key: s for s in Stage.objects.all()}
    counties = {c.key: c for c in County.objects.all()}
    today, now = timezone.localdate(), timezone.now()
    posts: dict[str, Post] = {}
    for row in POSTS:
        (org_name, kind, title, text, side, stage_keys, county_keys, tags, amount, deadline,
         chosen, age, status) = row  # fmt: skip
        organization = organizations.get(org_name)
        if organization is None:
            continue
        quantity, unit = amount or (None, "")
        title_es, text_es = SPANISH.get(title, (None, None))
        post, created = Post.objects.get_or_create(
            organization=organization,
            title_en=title,
            defaults={
                "kind": kind,
                "author": _author(organization),
                "description_en": text,
                "title_es": title_es,
                "description_es": text_es,
                "side": side,
                "quantity": quantity,
                "unit": unit,
                "deadline": today + timedelta(days=deadline) if deadline else None,
                "audience": Post.Audience.CHOSEN if chosen else Post.Audience.MEMBERS,
                "status": status,
                "created_at": now - timedelta(days=age),
                "closed_at": now - timedelta(days=age // 3) if status == MATCHED else None,
            },
        )
        if created:
            post.stages.set([stages[k] for k in stage_keys if k in stages])
            post.counties.set([counties[k] for k in county_keys if k in counties])
            post.expertise.set(demo_tags(tags))
            post.shared_with.set([organizations[n] for n in chosen or [] if n in organizations])
        elif title_es:
            # A demo seeded before posts had a Spanish version gets it once.
            Post.objects.filter(pk=post.pk, title_es__isnull=True).update(
                title_es=title_es, description_es=text_es
            )
        posts[title] = post

    for title, people, partnership, partner, days, notes in OUTCOMES:
        if title in posts:
            Outcome.objects.get_or_create(
                post=posts[title],
                defaults={
                    "people_placed": people,
                    "partnership_started": partnership,
                    "partner": organizations.get(partner),
                    "notes": notes,
                    "recorded_by": posts[title].author,
                    "recorded_at": now - timedelta(days=days),
                },
            )
    for ask, offer, state in MATCHES:
        if ask in posts and offer in posts:
            Match.objects.get_or_create(
                ask=posts[ask],
                offer=posts[offer],
                defaults={"state": state, "marked_by": posts[ask].author},
            )
    for title, org_name, messages in CONVERSATIONS:
        about = posts.get(title)
        responder = organizations.get(org_name)
        if about is None or responder is None:
            continue
        conversation, _ = Conversation.objects.get_or_create(post=about, organization=responder)
        for from_poster, body in messages:
            side = about.organization if from_poster else responder
            PostResponse.objects.get_or_create(
                conversation=conversation,
                organization=side,
                body=body,
                defaults={"author": _author(side)},
            )
    return [f"  {len(posts)} asks and offers, {len(MATCHES)} matches, {len(OUTCOMES)} outcomes."]
