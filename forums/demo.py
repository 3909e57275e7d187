"""Demo forums: past and upcoming, of each audience, with registrations,
an agenda and materials. Idempotent: a second run changes nothing."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from pypdf import PdfWriter

from circle.models import Organization, User
from forums.models import AgendaItem, Forum, ForumInvitation, Material, Registration
from justop.demo import MEMBER_EMAIL, STAFF_EMAIL
from justop.uploads import private_storage

A = Forum.Audience
FORUMS = [
    # title, audience, days from today, start hour, hours, capacity, venue, online
    ("Equity in Apprenticeships: Employer Roundtable", A.PUBLIC, 12, 18, 2, 40,
     "Atlanta University Center, Woodruff Library", False),
    ("Transit and Jobs: Southside Community Forum", A.PUBLIC, 26, 10, 3, 3,
     "Southwest Arts Center", True),
    ("Circle Members' Quarterly Convening", A.MEMBERS, 19, 9, 4, 60,
     "PSE Offices, 50 Hurt Plaza", True),
    ("Funders and Practitioners: Closing Continuum Gaps", A.INVITED, 33, 14, 2, 20, "", True),
    ("Wealth Building in Place: Lessons from the Westside", A.PUBLIC, -20, 18, 2, 50,
     "Westside Works", False),
    ("Members' Workshop: Measuring Retention and Advancement", A.MEMBERS, -45, 13, 3, 30,
     "", True),
    ("Invited Briefing: Regional Workforce Data", A.INVITED, -60, 9, 2, 15,
     "PSE Offices, 50 Hurt Plaza", False),
]  # fmt: skip

# The Spanish title of each forum, by its English one.
SPANISH_TITLES = {
    "Equity in Apprenticeships: Employer Roundtable":
        "Equidad en los aprendizajes: mesa redonda de empleadores",
    "Transit and Jobs: Southside Community Forum":
        "Transporte y empleo: foro comunitario del Southside",
    "Circle Members' Quarterly Convening":
        "Convocatoria trimestral de los miembros del Circle",
    "Funders and Practitioners: Closing Continuum Gaps":
        "Financiadores y profesionales: cerrar las brechas del continuo",
    "Wealth Building in Place: Lessons from the Westside":
        "Crear riqueza en el lugar: lecciones del Westside",
    "Members' Workshop: Measuring Retention and Advancement":
        "Taller para miembros: medir la permanencia y el ascenso",
    "Invited Briefing: Regional Workforce Data":
        "Sesión informativa por invitación: datos regionales de la fuerza laboral",
}  # fmt: skip
DESCRIPTION_ES = (
    "Miembros, socios y vecinos se reúnen para hacer avanzar el **continuo de oportunidades "
    "económicas** en el área metropolitana de Atlanta.\n\n"
    "- Escuchar lo que funciona\n- Nombrar las brechas\n- Salir con los próximos pasos"
)

# How to get into each venue, in English and Spanish.
DIRECTIONS = {
    "Atlanta University Center, Woodruff Library": (
        "Enter from the main doors on James P. Brawley Dr; the room is on the first floor. "
        "Free parking in the visitor lot. Step-free entrance and elevator. Nearest MARTA "
        "stop: Vine City station, a 10-minute walk.",
        "Entre por las puertas principales de James P. Brawley Dr; la sala está en el primer "
        "piso. Estacionamiento gratuito para visitantes. Entrada sin escalones y ascensor. "
        "Estación de MARTA más cercana: Vine City, a 10 minutos a pie.",
    ),
    "Southwest Arts Center": (
        "Follow the signs to the theater lobby. Free parking in front. Step-free entrance. "
        "MARTA bus 83 stops at the door.",
        "Siga los letreros hasta el vestíbulo del teatro. Estacionamiento gratuito al frente. "
        "Entrada sin escalones. El autobús 83 de MARTA para en la puerta.",
    ),
    "PSE Offices, 50 Hurt Plaza": (
        "Sign in at the lobby desk and take the elevator to the 12th floor. Paid parking "
        "in the Hurt Plaza deck. Nearest MARTA stop: Peachtree Center station, a 5-minute walk.",
        "Anúnciese en la recepción del vestíbulo y tome el ascensor al piso 12. "
        "Estacionamiento de pago en el garaje de Hurt Plaza. Estación de MARTA más cercana: "
        "Peachtree Center, a 5 minutos a pie.",
    ),
    "Westside Works": (
        "Enter by the training center doors. Free parking on site. Step-free entrance. "
        "Nearest MARTA stop: Vine City station, a 15-minute walk.",
        "Entre por las puertas del centro de capacitación. Estacionamiento gratuito en el "
        "lugar. Entrada sin escalones. Estación de MARTA más cercana: Vine City, a 15 "
        "minutos a pie.",
    ),
}

# minutes after the start, title, Spanish title, speakers
AGENDA = [
    (0, "Welcome and the guiding principles", "Bienvenida y principios rectores",
     "Partnership for Southern Equity"),
    (20, "Panel: what works for talent and employers",
     "Panel: lo que funciona para el talento y los empleadores",
     "Member organizations of the Circle"),
    (80, "Tables: next steps on the continuum", "Mesas: próximos pasos en el continuo", ""),
]  # fmt: skip
GUESTS = [
    ("Jordan Lee", "jordan.lee@example.org"),
    ("Sam Rivera", "sam.rivera@example.org"),
    ("Alex Kim", "alex.kim@example.org"),
    ("Dana Brooks", "dana.brooks@example.org"),
]


def one_page_pdf(title: str = "") -> bytes:
    """A real one-page PDF (demo materials, tests)."""
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    if title:
        writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _demo_file(slug: str, title: str) -> str:
    """A demo PDF at a fixed name, written once: seeding again (or a fresh
    database in tests) reuses it instead of piling up copies."""
    name = f"forums/demo-{slug}.pdf"
    if not private_storage().exists(name):
        private_storage().save(name, ContentFile(one_page_pdf(title)))
    return name


def seed_forums() -> list[str]:
    today = timezone.localdate()
    hosts = list(Organization.objects.active().order_by("name")[:3])
    members = list(User.objects.filter(memberships__isnull=False).distinct().order_by("email")[:6])
    member = User.objects.filter(email=MEMBER_EMAIL).first()
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    for index, (title, audience, days, hour, hours, capacity, venue, online) in enumerate(FORUMS):
        start = timezone.make_aware(datetime.combine(today + timedelta(days=days), time(hour)))
        forum, _ = Forum.objects.update_or_create(
            slug=slugify(title)[:90],
            defaults={
                "title_en": title,
                "title_es": SPANISH_TITLES[title],
                "summary_en": f"{title}: a JUST Opportunity Circle forum convened by PSE.",
                "summary_es": (
                    f"{SPANISH_TITLES[title]}: un foro del JUST Opportunity Circle convocado "
                    "por PSE."
                ),
                "description_en": (
                    "Members, partners and neighbors meet to move the **continuum of "
                    "economic opportunity** forward in Metro Atlanta.\n\n"
                    "- Hear what is working\n- Name the gaps\n- Leave with next steps"
                ),
                "description_es": DESCRIPTION_ES,
                "starts_at": start,
                "ends_at": start + timedelta(hours=hours),
                "venue_name": venue,
                "venue_address": "Atlanta, GA" if venue else "",
                "venue_directions_en": DIRECTIONS[venue][0] if venue else "",
                "venue_directions_es": DIRECTIONS[venue][1] if venue else "",
                "online_url": "https://meet.example.org/joc-forum" if online or not venue else "",
                "audience": audience,
                "capacity": capacity,
                "status": Forum.Status.PUBLISHED,
                "contact_email": STAFF_EMAIL,
                "notes_en": "Thank you for coming. **Next steps** are in the slides."
                if days < 0
                else "",
                "notes_es": "Gracias por venir. Los **próximos pasos** están en las diapositivas."
                if days < 0
                else "",
            },
        )
        if hosts:
            forum.hosts.set([hosts[index % len(hosts)]])
        for minutes, item_title, item_title_es, speakers in AGENDA:
            moment = (datetime.combine(today, time(hour)) + timedelta(minutes=minutes)).time()
            AgendaItem.objects.update_or_create(
                forum=forum,
                title_en=item_title,
                defaults={"time": moment, "speakers": speakers, "title_es": item_title_es},
            )
        if audience == A.INVITED:
            for person in [p for p in (member, *members[:3]) if p is not None]:
                ForumInvitation.objects.get_or_create(
                    forum=forum, user=person, defaults={"invited_by": staff}
                )
        _seed_registrations(forum, members, member, past=days < 0)
        if days < 0:
            Material.objects.get_or_create(
                forum=forum,
                title_en="Slides",
                defaults={"title_es": "Diapositivas", "file": _demo_file(forum.slug, title)},
            )
            Material.objects.get_or_create(
                forum=forum,
                title_en="Recording",
                defaults={"title_es": "Grabación", "url": "https://video.example.org/joc"},
            )
    return [f"  {len(FORUMS)} forums (past and upcoming, each audience) with registrations."]


def _seed_registrations(
    forum: Forum, members: list[User], member: User | None, *, past: bool
) -> None:
    now = timezone.now()
    people: list[tuple[str, str, User | None]] = [(u.get_full_name(), u.email, u) for u in members]
    if member is not None and forum.audience != A.INVITED:
        people.insert(0, (member.get_full_name(), member.email, member))
    if forum.audience == A.PUBLIC:
        people += [(name, email, None) for name, email in GUESTS]
    taken = 0
    for name, email, user in people:
        fits = taken < forum.capacity
        taken += 1 if fits else 0
        Registration.objects.get_or_create(
            forum=forum,
            email=email,
            defaults={
                "user": user,
                "name": name or email,
                "status": Registration.Status.CONFIRMED if fits else Registration.Status.WAITLISTED,
                "email_confirmed_at": now,
                "confirmed_at": now if fits else None,
                "attended": True if past and fits else None,
            },
        )
