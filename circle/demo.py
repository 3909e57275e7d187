"""Demo organizations of the Circle, their people, invitations and applications.

Names are invented; the sectors, stages and counties are those of real
Metro Atlanta work."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache
from io import BytesIO

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify

from circle.models import (
    County,
    Expertise,
    Invitation,
    JoinApplication,
    Membership,
    Organization,
    Stage,
)
from justop import images
from justop.demo import MEMBER_EMAIL, demo_person

Sector, Side = Organization.Sector, Organization.Side

# name, sector, side, stages, counties, expertise, mission, months in the Circle
ORGANIZATIONS = [
    ("Peachtree Skills Alliance", Sector.NONPROFIT, Side.SUPPLY,
     ["education-training", "workforce-readiness"], ["fulton", "dekalb"],
     ["Digital skills", "Career coaching"],
     "We train adults from low-income neighborhoods for jobs in technology and skilled trades, "
     "with paid training, childcare support and a coach from enrollment to the first "
     "promotion.", 30),
    ("Metro Atlanta Manufacturers Council", Sector.BUSINESS, Side.DEMAND,
     ["job-access", "retention-advancement"], ["cobb", "gwinnett", "douglas"],
     ["Apprenticeships", "Advanced manufacturing"],
     "Manufacturers of the region hiring and promoting local talent: we pool entry-level "
     "openings and design apprenticeships with training partners.", 28),
    ("Clayton County Workforce Office", Sector.GOVERNMENT, Side.BOTH,
     ["job-access", "workforce-readiness"], ["clayton", "henry", "fayette"],
     ["Job placement", "Training vouchers"],
     "The county's public workforce services: career centers, training vouchers and hiring "
     "events that connect residents with employers near the airport.", 26),
    ("Southside Community Fund", Sector.PHILANTHROPY, Side.BOTH,
     ["community-investment", "entrepreneurship"], ["fulton", "clayton"],
     ["Grantmaking", "Small business lending"],
     "A community foundation investing in Southside neighborhoods so that residents own the "
     "growth around them.", 24),
    ("Gwinnett Technical Pathways", Sector.EDUCATION, Side.SUPPLY,
     ["education-training"], ["gwinnett", "forsyth"],
     ["Industry credentials", "Dual enrollment"],
     "Short, stackable credentials built with employers, from high school dual enrollment to "
     "evening programs for working adults.", 20),
    ("Eastlake Neighbors Network", Sector.COMMUNITY, Side.SUPPLY,
     ["community-investment"], ["dekalb", "rockdale"],
     ["Community organizing", "Resident outreach"],
     "Neighbors organizing for good jobs and affordable homes, and making sure residents hear "
     "about opportunities first.", 18),
    ("Atlanta Health Careers Collaborative", Sector.BUSINESS, Side.DEMAND,
     ["retention-advancement", "job-access"], ["fulton", "dekalb", "cobb"],
     ["Healthcare careers", "Tuition assistance"],
     "Hospitals and clinics opening career ladders from environmental services and patient "
     "transport to nursing and allied health.", 15),
    ("Cobb Small Business Resource Center", Sector.NONPROFIT, Side.BOTH,
     ["entrepreneurship"], ["cobb", "cherokee"],
     ["Small business lending", "Business coaching"],
     "Coaching, microloans and procurement readiness for entrepreneurs of color in Cobb and "
     "Cherokee counties.", 12),
    ("Henry County Youth Apprenticeship", Sector.EDUCATION, Side.BOTH,
     ["education-training", "job-access"], ["henry"],
     ["Apprenticeships", "Youth employment"],
     "Paid apprenticeships for high school juniors and seniors with local employers.", 9),
    ("Greater Atlanta Logistics Employers", Sector.BUSINESS, Side.DEMAND,
     ["job-access"], ["clayton", "fulton", "henry"],
     ["Logistics", "Commercial driving"],
     "Warehousing, freight and airport employers hiring at scale, with fair-chance policies.", 6),
    ("Fairburn Financial Empowerment Center", Sector.NONPROFIT, Side.SUPPLY,
     ["entrepreneurship", "community-investment"], ["fulton", "douglas"],
     ["Financial coaching", "Credit building"],
     "Free financial coaching and credit building so that a raise turns into savings and "
     "wealth.", 3),
    ("Second Chance Employment Partners", Sector.NONPROFIT, Side.BOTH,
     ["workforce-readiness", "job-access", "retention-advancement"],
     ["fulton", "dekalb", "clayton"],
     ["Fair-chance hiring", "Career coaching"],
     "Preparing people returning from incarceration for work, and employers for fair-chance "
     "hiring, with support through the first year on the job.", 0),
]  # fmt: skip

# The Spanish missions of half the organizations; the others show the
# English with the "only in English" note on a Spanish page.
MISSIONS_ES = {
    "Peachtree Skills Alliance":
        "Capacitamos a personas adultas de barrios de bajos ingresos para empleos en "
        "tecnología y oficios calificados, con capacitación pagada, apoyo para el cuidado "
        "infantil y un orientador desde la inscripción hasta el primer ascenso.",
    "Metro Atlanta Manufacturers Council":
        "Fabricantes de la región que contratan y promueven el talento local: reunimos las "
        "vacantes de nivel inicial y diseñamos programas de aprendizaje con socios de "
        "capacitación.",
    "Clayton County Workforce Office":
        "Los servicios públicos de empleo del condado: centros de carreras, vales de "
        "capacitación y ferias de empleo que conectan a los residentes con empleadores cerca "
        "del aeropuerto.",
    "Southside Community Fund":
        "Una fundación comunitaria que invierte en los barrios del Southside para que los "
        "residentes sean dueños del crecimiento a su alrededor.",
    "Eastlake Neighbors Network":
        "Vecinos que se organizan por buenos empleos y viviendas asequibles, y que se "
        "aseguran de que los residentes se enteren primero de las oportunidades.",
    "Second Chance Employment Partners":
        "Preparamos para el trabajo a las personas que regresan de la prisión, y a los "
        "empleadores para la contratación de segunda oportunidad, con apoyo durante el "
        "primer año en el empleo.",
}  # fmt: skip

# "About the organization" of two of them: one in both languages, one in English.
DESCRIPTIONS = {
    "Peachtree Skills Alliance": (
        "Founded by neighbors and employers in 2012. Our programs:\n\n"
        "- **IT support**, 12 weeks\n- **Industrial maintenance**, 12 weeks\n\n"
        "Every participant has a coach for two years.",
        "Fundada por vecinos y empleadores en 2012. Nuestros programas:\n\n"
        "- **Soporte de TI**, 12 semanas\n- **Mantenimiento industrial**, 12 semanas\n\n"
        "Cada participante tiene un orientador durante dos años.",
    ),
    "Metro Atlanta Manufacturers Council": (
        "Forty plants in five counties, from food processing to aerospace parts.",
        None,
    ),
}

# The Spanish name of every area of expertise of the demo.
EXPERTISE_ES = {
    "Advanced manufacturing": "Manufactura avanzada",
    "Apprenticeships": "Programas de aprendizaje",
    "Business coaching": "Asesoría empresarial",
    "Career coaching": "Orientación profesional",
    "Commercial driving": "Conducción comercial",
    "Community organizing": "Organización comunitaria",
    "Credit building": "Construcción de crédito",
    "Digital skills": "Habilidades digitales",
    "Dual enrollment": "Doble inscripción",
    "Fair-chance hiring": "Contratación de segunda oportunidad",
    "Financial coaching": "Asesoría financiera",
    "Grantmaking": "Otorgamiento de subvenciones",
    "Healthcare careers": "Carreras en salud",
    "Industry credentials": "Credenciales de la industria",
    "Job placement": "Colocación laboral",
    "Logistics": "Logística",
    "Resident outreach": "Alcance a residentes",
    "Small business lending": "Préstamos a pequeñas empresas",
    "Training vouchers": "Vales de capacitación",
    "Tuition assistance": "Ayuda para la matrícula",
    "Youth employment": "Empleo juvenil",
}


def demo_tags(names: list[str]) -> list[Expertise]:
    """The areas of expertise of these English names, with their Spanish
    names (given to a tag that has none yet; one that has keeps its own)."""
    tags = []
    for name in names:
        spanish = EXPERTISE_ES.get(name)
        tag, created = Expertise.objects.get_or_create(
            slug=slugify(name), defaults={"name_en": name, "name_es": spanish}
        )
        if not created and spanish:
            Expertise.objects.filter(pk=tag.pk, name_es__isnull=True).update(name_es=spanish)
        tags.append(tag)
    return tags


PEOPLE = [
    ("Alicia Moore", "Executive director"),
    ("Marcus Johnson", "Program manager"),
    ("Dana Whitfield", "Partnerships lead"),
]


# Background colours of the demo logos, all dark enough for white initials.
LOGO_COLOURS = ["#0b5d3b", "#7a2e8c", "#1f4e96", "#a33b20", "#00676b", "#5b4a00"]


@cache
def demo_logo(name: str, colour: str) -> images.ProcessedImage:
    """A logo drawn for a demo organization: its initials on a coloured
    square with a ring, through the same re-encoding as an upload (computed
    once per process: seeding again, in tests too, costs nothing)."""
    from PIL import Image, ImageDraw, ImageFont

    initials = "".join(word[0] for word in name.split() if word[0].isupper())[:3]
    side = 480
    picture = Image.new("RGB", (side, side), colour)
    draw = ImageDraw.Draw(picture)
    draw.ellipse((36, 36, side - 36, side - 36), outline="#ffffff", width=14)
    font = ImageFont.load_default(size=190 if len(initials) < 3 else 140)
    draw.text((side / 2, side / 2), initials, fill="#ffffff", font=font, anchor="mm")
    out = BytesIO()
    picture.save(out, "PNG")
    return images.process(ContentFile(out.getvalue(), name="logo.png"))


def _give_logo(organization: Organization, index: int) -> None:
    # An organization keeps the logo it has (one uploaded, or the demo's).
    if organization.logo and organization.logo.storage.exists(str(organization.logo.name)):
        return
    logo = demo_logo(organization.name, LOGO_COLOURS[index % len(LOGO_COLOURS)])
    organization.logo.save(logo.main, logo)


def _domain(name: str) -> str:
    return slugify(name).replace("-", "")[:24] + ".example.org"


def _spanish_and_description(name: str) -> dict[str, str | None]:
    fields: dict[str, str | None] = {}
    if name in MISSIONS_ES:
        fields["mission_es"] = MISSIONS_ES[name]
    if name in DESCRIPTIONS:
        fields["description_en"], fields["description_es"] = DESCRIPTIONS[name]
    return fields


def seed_organizations() -> list[str]:
    today = timezone.localdate()
    stages = {s.key: s for s in Stage.objects.all()}
    counties = {c.key: c for c in County.objects.all()}
    created = []
    for number, row in enumerate(ORGANIZATIONS):
        name, sector, side, stage_keys, county_keys, tags, mission, months = row
        domain = _domain(name)
        organization, _ = Organization.objects.update_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "sector": sector,
                "side": side,
                "mission_en": mission,
                **_spanish_and_description(name),
                "website": f"https://www.{domain}",
                "contact_name": PEOPLE[0][0],
                "contact_email": f"hello@{domain}",
                "status": Organization.Status.ACTIVE,
                # The newest joined a few days ago, so the digests have news.
                "joined_on": today - timedelta(days=months * 30 + 3),
            },
        )
        _give_logo(organization, number)
        organization.stages.set([stages[k] for k in stage_keys if k in stages])
        organization.counties.set([counties[k] for k in county_keys if k in counties])
        organization.expertise.set(demo_tags(tags))
        for index, (person, title) in enumerate(PEOPLE):
            first, last = person.lower().split()
            user = demo_person(f"{first}.{last}@{domain}", name=person)
            Membership.objects.update_or_create(
                user=user,
                organization=organization,
                defaults={"role": "admin" if index == 0 else "member", "title": title},
            )
        created.append(organization)

    # The demo member runs the first organization and belongs to a second.
    member = demo_person(MEMBER_EMAIL, name="Morgan Member")
    Membership.objects.update_or_create(
        user=member, organization=created[0], defaults={"role": "admin", "title": "Operations"}
    )
    Membership.objects.update_or_create(
        user=member, organization=created[5], defaults={"role": "member", "title": "Volunteer"}
    )

    now = timezone.now()
    for email in ("jordan.lee@example.org", "sam.rivera@example.org"):
        Invitation.objects.get_or_create(
            organization=created[0],
            email=email,
            accepted_at=None,
            revoked_at=None,
            defaults={
                "nonce": secrets.token_hex(16),
                "expires_at": now + timedelta(days=7),
                "invited_by": member,
                "sent_count": 1,
                "last_sent_at": now,
            },
        )
    for organization_name, sector, applicant, email in [
        (
            "Westview Makers Cooperative",
            Sector.COMMUNITY,
            "Tasha Green",
            "tasha@westview.example.org",
        ),
        ("Decatur Code School", Sector.EDUCATION, "Luis Ortega", "luis@decaturcode.example.org"),
    ]:
        application, _ = JoinApplication.objects.get_or_create(
            applicant_email=email,
            organization_name=organization_name,
            defaults={
                "sector": sector,
                "mission": "Opening doors to good work for our neighbors.",
                "applicant_name": applicant,
                "message": "We would like to coordinate with employers in the Circle.",
            },
        )
        application.stages.set([stages["education-training"]])
        application.counties.set([counties["dekalb"], counties["fulton"]])
    return [
        f"  {len(created)} member organizations; {MEMBER_EMAIL} is an admin of {created[0].name}.",
    ]
