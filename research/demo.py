"""Demo research: a few dozen resources across kinds, topics and
visibilities, each report with a small real PDF whose text is searchable;
about half described in Spanish too (title and abstract), as are the
topics and the common tags."""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from io import BytesIO

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from circle.models import Organization
from justop.uploads import private_storage
from research.extraction import extract
from research.models import Resource, Tag, Topic
from research.publishing import set_tags
from research.search import refresh_vectors

K, V = Resource.Kind, Resource.Visibility

# title, kind, topic keys, tags, abstract
SUBJECTS = [
    ("The cost of living in Metro Atlanta, county by county", K.REPORT, ["family-well-being"],
     ["wages", "housing"], "What a family needs to earn in each county of the region to cover "
     "housing, food, transit, child care and health care."),
    ("Untapped talent: hiring from low-income neighborhoods", K.BRIEF, ["untapped-assets"],
     ["hiring"], "Employers who recruit in neighborhoods they overlooked report strong retention "
     "and lower hiring costs."),
    ("Apprenticeship outcomes, 2020 to 2025", K.DATASET, ["equitable-education"],
     ["apprenticeships", "data"], "Completion, credential and wage outcomes of registered "
     "apprenticeships in the region, by program and by county."),
    ("Soft skills that employers ask for", K.TOOLKIT, ["workforce-skills"],
     ["soft skills", "training"], "A facilitator's guide to twelve workshops on communication, "
     "teamwork and problem solving, tested with training partners."),
    ("Community voices on the regional workforce plan", K.REPORT, ["community-voice"],
     ["listening sessions"], "What residents of under-resourced neighborhoods told us about "
     "jobs, training and the barriers between them."),
    ("Place-based investment along the transit corridors", K.PRESENTATION, ["place-based"],
     ["transit", "investment"], "Slides from the Circle's convening on investing where workers "
     "live, along the region's transit corridors."),
    ("Fair-chance hiring: what the numbers say", K.ARTICLE, ["untapped-assets", "workforce-skills"],
     ["fair chance", "hiring"], "Retention and performance of workers hired with a record, "
     "from five employers of the Circle."),
    ("Child care as workforce infrastructure", K.BRIEF, ["family-well-being", "place-based"],
     ["child care"], "Why the supply of child care limits the region's workforce, and what "
     "employers can do about it."),
    ("Digital skills for entry-level jobs", K.TOOLKIT, ["equitable-education", "workforce-skills"],
     ["digital skills"], "A self-assessment and a curriculum map for the digital skills that "
     "entry-level job postings ask for."),
    ("Wealth building through small business", K.REPORT, ["family-well-being", "untapped-assets"],
     ["entrepreneurship"], "How microloans and coaching helped entrepreneurs of color grow, and "
     "what lenders learned."),
    ("Salarios y costo de vida en el área metropolitana", K.BRIEF, ["family-well-being"],
     ["salarios"], "Lo que una familia necesita ganar en cada condado de la región para cubrir "
     "vivienda, comida, transporte y cuidado infantil."),
    ("Guía de entrevistas de trabajo", K.TOOLKIT, ["workforce-skills"], ["entrevistas"],
     "Una guía práctica para preparar entrevistas de trabajo, con ejercicios y consejos de "
     "empleadores del Círculo."),
]  # fmt: skip
# The Spanish title and abstract of some English subjects, by English title
# (the file stays in English). The two Spanish subjects above are Spanish
# already: their text is their Spanish version too.
IN_SPANISH = {
    "The cost of living in Metro Atlanta, county by county": (
        "El costo de vida en el área metropolitana de Atlanta, condado por condado",
        "Lo que una familia necesita ganar en cada condado de la región para cubrir vivienda, "
        "comida, transporte, cuidado infantil y atención médica.",
    ),
    "Apprenticeship outcomes, 2020 to 2025": (
        "Resultados de los programas de aprendizaje, de 2020 a 2025",
        "Finalización, credenciales y salarios de los programas de aprendizaje registrados en la "
        "región, por programa y por condado.",
    ),
    "Community voices on the regional workforce plan": (
        "Voces de la comunidad sobre el plan regional de fuerza laboral",
        "Lo que nos dijeron los residentes de vecindarios con pocos recursos sobre los empleos, "
        "las capacitaciones y las barreras que hay entre ellos.",
    ),
    "Fair-chance hiring: what the numbers say": (
        "Contratación con segunda oportunidad: lo que dicen las cifras",
        "Permanencia y desempeño de trabajadores contratados con antecedentes penales, según "
        "cinco empleadores del Círculo.",
    ),
    "Child care as workforce infrastructure": (
        "El cuidado infantil como infraestructura de la fuerza laboral",
        "Por qué la oferta de cuidado infantil limita la fuerza laboral de la región y qué "
        "pueden hacer los empleadores al respecto.",
    ),
}
# The Spanish names of the common tags.
TAGS_IN_SPANISH = {
    "wages": "sueldos",
    "housing": "vivienda",
    "hiring": "contratación",
    "training": "capacitación",
    "transit": "transporte",
    "child care": "cuidado infantil",
    "data": "datos",
    "soft skills": "habilidades interpersonales",
    "digital skills": "habilidades digitales",
}
# Each subject comes in a few editions, so the library holds a few dozen.
EDITIONS = 3
VISIBILITIES = [V.PUBLIC, V.PUBLIC, V.MEMBERS, V.ORGANIZATION]


def demo_pdf(title: str, abstract: str, unique: str) -> bytes:
    """A small real PDF (fpdf2's core fonts take Latin-1 text)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, title.encode("latin-1", "replace").decode("latin-1"))
    pdf.set_font("Helvetica", size=11)
    pdf.ln(4)
    body = (
        f"{abstract}\n\nThis document is demo content of the JUST Opportunity Portal. "
        f"Reference {unique}."
    )
    pdf.multi_cell(0, 6, body.encode("latin-1", "replace").decode("latin-1"))
    out = BytesIO()
    pdf.output(out)
    return out.getvalue()


def topics_in_spanish() -> None:
    """The six principles' Spanish, as migration 0002 wrote them, where a
    database has lost them."""
    seeded = importlib.import_module("research.migrations.0002_topics").TOPICS
    lost = Q(name_es=None) | Q(name_es="") | Q(principle_es=None) | Q(principle_es="")
    for key, _name, name_es, _principle, principle_es in seeded:
        Topic.objects.filter(lost, key=key).update(name_es=name_es, principle_es=principle_es)


def seed_research() -> list[str]:
    topics_in_spanish()
    topics = {t.key: t for t in Topic.objects.all()}
    organizations = list(Organization.objects.active().order_by("pk")[:6])
    count = 0
    for edition in range(EDITIONS):
        for index, (title, kind, topic_keys, tags, abstract) in enumerate(SUBJECTS):
            number = edition * len(SUBJECTS) + index
            full_title = title if edition == 0 else f"{title} ({2025 - edition})"
            slug = slugify(full_title)[:100]
            visibility = VISIBILITIES[number % len(VISIBILITIES)]
            organization = organizations[number % len(organizations)] if organizations else None
            if visibility == V.ORGANIZATION and organization is None:
                visibility = V.MEMBERS
            language = Resource.Language.SPANISH if index >= 10 else Resource.Language.ENGLISH
            title_es, abstract_es = IN_SPANISH.get(title, (None, None))
            if language == Resource.Language.SPANISH:
                title_es, abstract_es = title, abstract
            if title_es and edition:
                title_es = f"{title_es} ({2025 - edition})"
            resource, _created = Resource.objects.update_or_create(
                slug=slug,
                defaults={
                    "title_en": full_title,
                    "title_es": title_es,
                    "kind": kind,
                    "abstract_en": abstract,
                    "abstract_es": abstract_es,
                    "authors": "Ana Díaz; John Smith" if number % 2 else "",
                    "by_pse": organization is None or number % 3 == 0,
                    "published_on": date(2025 - edition, 1 + index, 10),
                    "language": language,
                    "visibility": visibility,
                    # The last few are drafts, for staff to see.
                    "status": Resource.Status.DRAFT
                    if number % 17 == 5
                    else Resource.Status.PUBLISHED,
                    "published_at": timezone.now() - timedelta(days=number * 9),
                },
            )
            resource.topics.set([topics[k] for k in topic_keys if k in topics])
            resource.organizations.set([organization] if organization else [])
            set_tags(resource, tags)
            if kind != K.DATASET and not resource.file:
                # One file per demo resource, whatever the number of runs.
                name = f"research/files/demo-{number:03d}.pdf"
                storage = private_storage()
                if not storage.exists(name):
                    content = demo_pdf(full_title, abstract, f"JOC-{number:03d}")
                    storage.save(name, ContentFile(content))
                resource.file.name = name
                resource.file_type = Resource.FileType.PDF
                resource.file_size = resource.file.size
                # Read the text now: the demo is searchable without a worker.
                result = extract(resource)
                resource.extraction, resource.extracted_text = result.state, result.text
                resource.save()
            elif kind == K.DATASET:
                resource.external_url = "https://psequity.org/"
                resource.save()
            count += 1
    for name, name_es in TAGS_IN_SPANISH.items():
        Tag.objects.filter(name_en=name).update(name_es=name_es)
    refresh_vectors(Resource.objects.all())
    in_spanish = Resource.objects.exclude(title_es=None).exclude(title_es="").count()
    return [
        f"  {count} research resources with PDFs ({in_spanish} also in Spanish), "
        f"{len(topics)} topics."
    ]
