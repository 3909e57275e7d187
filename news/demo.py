"""A year of demo news: happenings, advocacy, volunteering, ways to get involved."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from io import BytesIO
from random import Random

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify

from justop import images
from justop.demo import STAFF_EMAIL, demo_person
from news.models import NewsPost

C = NewsPost.Category

# title, category, summary, body
POSTS = [
    ("The JUST Opportunity Circle meets for its fall convening", C.HAPPENINGS,
     "Thirty member organizations compared notes on hiring, training and wealth building "
     "along the continuum.",
     "Members of the Circle met at the Southside to look at **where talent and employers meet** "
     "and where they miss each other.\n\n- Employers shared entry-level openings for the winter.\n"
     "- Training partners shared graduation dates.\n"
     "- Everyone agreed on three gaps to work on first."),
    ("Why transit access is a jobs issue", C.ADVOCACY,
     "A job across the county is no opportunity without a bus that gets there on time.",
     "Half of the entry-level openings shared by Circle employers are more than an hour away by "
     "transit from the neighborhoods our training partners serve.\n\nWe are asking the region's "
     "transit agencies to look at **early-morning and late-night service** to job centers."),
    ("Volunteers needed for the spring career fair", C.VOLUNTEER,
     "Help job seekers find their way, practice interviews and meet employers.",
     "We need greeters, résumé reviewers and interview coaches for four-hour shifts.\n\n"
     "No experience needed: we train every volunteer the week before."),
    ("Five ways your organization can join the continuum", C.GET_INVOLVED,
     "From sharing job openings to hosting an apprentice: what members of the Circle do.",
     "1. Share your entry-level openings with training partners.\n2. Host a site visit.\n"
     "3. Offer paid apprenticeships.\n4. Commit to fair-chance hiring.\n"
     "5. Invest in neighborhoods where your workers live."),
    ("Shared prosperity starts with shared data", C.HAPPENINGS,
     "The Circle's continuum map now shows which stages and counties have no partner yet.",
     "Members can now see the coverage of the continuum, county by county, and the gaps that "
     "no member organization serves yet."),
    ("Testimony on the regional workforce plan", C.ADVOCACY,
     "PSE asked the workforce board to measure job quality, not only job placements.",
     "A placement is a start. We asked the board to also count **wages, benefits and "
     "advancement** one year after placement."),
    ("Tax season: volunteer preparers wanted", C.VOLUNTEER,
     "Free tax preparation puts refunds back in the pockets of working families.",
     "Certified volunteers prepare returns for families earning under the threshold. "
     "Training and certification are free."),
    ("Host a neighborhood listening session", C.GET_INVOLVED,
     "Residents know best what stands between them and a good job. Help us listen.",
     "We provide the facilitator, the questions and the food; you provide a room and your "
     "neighbors."),
    ("New members join the Circle", C.HAPPENINGS,
     "A logistics employers' group and a financial empowerment center bring new strengths.",
     "Welcome to our newest member organizations. Members can find them in the directory."),
    ("Fair-chance hiring works: what employers told us", C.ADVOCACY,
     "Employers who hire people returning from incarceration report strong retention.",
     "Five Circle employers shared their numbers: **retention after a year was as good or better** "
     "than for other hires."),
    ("Mentors for young apprentices", C.VOLUNTEER,
     "One hour a week can keep an apprentice on track to a credential.",
     "Mentors meet their apprentice once a week, by phone or in person, for a school year."),
    ("Sign up for the Circle's newsletter", C.GET_INVOLVED,
     "News on PSE happenings, volunteer opportunities and advocacy, once a week.",
     "The newsletter gathers what is new in the Circle. You can leave it in one click."),
    ("Summer convening: wealth building along the continuum", C.HAPPENINGS,
     "Entrepreneurs, lenders and funders on what it takes to turn a paycheck into savings.",
     "Members heard from entrepreneurs who grew with microloans and coaching, and from funders "
     "on what they learned."),
    ("A living wage for the region's essential workers", C.ADVOCACY,
     "What it costs to live in Metro Atlanta, and what it means for the jobs we create.",
     "We published the numbers behind a living wage in each county of the region."),
    ("Back-to-school supply drive", C.VOLUNTEER,
     "Sort and pack supplies for families in training programs.",
     "Two Saturday shifts at the community center; families pick up the week after."),
    ("Bring the continuum to your board meeting", C.GET_INVOLVED,
     "A ten-minute briefing on the Circle for your board or staff.",
     "We will come to you, in person or online, with the continuum map and what members do."),
]  # fmt: skip


# The Spanish version of half of the posts (title, summary, body), by the
# English title: the others show their English, marked as such.
SPANISH = {
    "Why transit access is a jobs issue": (
        "Por qué el acceso al transporte es un tema de empleo",
        "Un empleo al otro lado del condado no es una oportunidad sin un autobús que llegue a "
        "tiempo.",
        "La mitad de las vacantes de nivel inicial que comparten los empleadores del Circle "
        "quedan a más de una hora en transporte público de los barrios que atienden nuestros "
        "socios de capacitación.\n\nPedimos a las agencias de transporte de la región que "
        "revisen el **servicio de madrugada y de noche** hacia los centros de empleo.",
    ),
    "Five ways your organization can join the continuum": (
        "Cinco maneras de que su organización se sume al continuo",
        "Desde compartir vacantes hasta recibir a un aprendiz: lo que hacen los miembros del "
        "Circle.",
        "1. Comparta sus vacantes de nivel inicial con los socios de capacitación.\n"
        "2. Reciba una visita.\n3. Ofrezca aprendizajes pagados.\n"
        "4. Comprométase con la contratación con segunda oportunidad.\n"
        "5. Invierta en los barrios donde viven sus trabajadores.",
    ),
    "Testimony on the regional workforce plan": (
        "Testimonio sobre el plan regional de fuerza laboral",
        "PSE pidió a la junta de fuerza laboral medir la calidad del empleo, no solo las "
        "colocaciones.",
        "Una colocación es un comienzo. Pedimos a la junta que también cuente **salarios, "
        "beneficios y ascensos** un año después de la colocación.",
    ),
    "Host a neighborhood listening session": (
        "Organice una sesión para escuchar al vecindario",
        "Los residentes saben mejor que nadie qué los separa de un buen empleo. Ayúdenos a "
        "escuchar.",
        "Nosotros ponemos la facilitación, las preguntas y la comida; usted pone un salón y a "
        "sus vecinos.",
    ),
    "Fair-chance hiring works: what employers told us": (
        "La contratación con segunda oportunidad funciona: lo que nos dijeron los empleadores",
        "Los empleadores que contratan a personas que salen de prisión reportan una buena "
        "permanencia.",
        "Cinco empleadores del Circle compartieron sus cifras: **la permanencia después de un "
        "año fue igual o mejor** que la de otras contrataciones.",
    ),
    "Sign up for the Circle's newsletter": (
        "Suscríbase al boletín del Circle",
        "Noticias de PSE, oportunidades de voluntariado e incidencia, una vez por semana.",
        "El boletín reúne lo nuevo del Circle. Puede darse de baja con un clic.",
    ),
    "A living wage for the region's essential workers": (
        "Un salario digno para los trabajadores esenciales de la región",
        "Lo que cuesta vivir en el área metropolitana de Atlanta y lo que significa para los "
        "empleos que creamos.",
        "Publicamos las cifras de un salario digno en cada condado de la región.",
    ),
    "Bring the continuum to your board meeting": (
        "Lleve el continuo a la reunión de su junta directiva",
        "Una presentación de diez minutos sobre el Circle para su junta o su personal.",
        "Iremos a verle, en persona o en línea, con el mapa del continuo y lo que hacen los "
        "miembros.",
    ),
}


# (description, from, to) of the hero images' gradients.
HERO_PALETTES = [
    ("green and gold", (11, 93, 59), (233, 180, 40)),
    ("blue and teal", (31, 78, 150), (0, 150, 140)),
    ("plum and coral", (122, 46, 140), (240, 120, 90)),
    ("rust and sand", (163, 59, 32), (236, 206, 150)),
]


@cache
def demo_hero(number: int) -> images.ProcessedImage:
    """A hero image drawn for a demo post: a gradient with overlapping
    circles, through the same re-encoding as an upload (once per process)."""
    from PIL import Image, ImageDraw

    _name, start, end = HERO_PALETTES[number % len(HERO_PALETTES)]
    width, height = 1200, 630
    gradient = Image.linear_gradient("L").rotate(90).resize((width, height))
    picture = Image.composite(
        Image.new("RGB", (width, height), start), Image.new("RGB", (width, height), end), gradient
    )
    draw = ImageDraw.Draw(picture, "RGBA")
    rng = Random(number)  # noqa: S311 -- a drawing, no secret
    for _ in range(7):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(60, 260)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, rng.randrange(30, 90)))
    out = BytesIO()
    picture.save(out, "JPEG", quality=90)
    return images.process(ContentFile(out.getvalue(), name="hero.jpg"))


def _give_hero(post: NewsPost, number: int) -> None:
    # A post keeps the image it has (one uploaded, or the demo's).
    if post.hero_image and post.hero_image.storage.exists(str(post.hero_image.name)):
        return
    hero = demo_hero(number)
    colours = HERO_PALETTES[number % len(HERO_PALETTES)][0]
    # The English column (modeltranslation's): the Spanish one falls back to it.
    setattr(post, "hero_alt_en", f"Abstract illustration: light circles on a {colours} gradient.")  # noqa: B010
    post.hero_image.save(hero.main, hero)


def seed_posts() -> list[str]:
    author = demo_person(STAFF_EMAIL, name="Pat Staff", staff=True)
    now = timezone.now()
    for index, (title, category, summary, body) in enumerate(POSTS):
        # From about a year ago to last week, newest last.
        published = now - timedelta(days=360 - index * 23)
        title_es, summary_es, body_es = SPANISH.get(title, ("", "", ""))
        post, _created = NewsPost.objects.update_or_create(
            slug=slugify(title)[:90],
            defaults={
                "title_en": title,
                "title_es": title_es,
                "category": category,
                "summary_en": summary,
                "summary_es": summary_es,
                "body_en": body,
                "body_es": body_es,
                "author": author,
                "status": NewsPost.Status.PUBLISHED,
                "publish_at": published,
            },
        )
        _give_hero(post, index)
    NewsPost.objects.update_or_create(
        slug="winter-convening-announced",
        defaults={
            "title_en": "Winter convening announced",
            "title_es": "Anunciamos la convocatoria de invierno",
            "category": C.HAPPENINGS,
            "summary_en": "Save the date: the Circle meets again in the new year.",
            "summary_es": "Reserve la fecha: el Circle se reúne de nuevo en el año nuevo.",
            "body_en": "Details and registration will follow.",
            "body_es": "Pronto daremos los detalles y la inscripción.",
            "author": author,
            "status": NewsPost.Status.PUBLISHED,
            "publish_at": now + timedelta(days=7),  # scheduled: hidden until then
        },
    )
    return [
        f"  {len(POSTS)} news posts over the past year ({len(SPANISH)} also in Spanish), "
        "one scheduled for next week."
    ]
