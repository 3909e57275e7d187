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
    post.hero_alt = f"Abstract illustration: light circles on a {colours} gradient."
    post.hero_image.save(hero.main, hero)


def seed_posts() -> list[str]:
    author = demo_person(STAFF_EMAIL, name="Pat Staff", staff=True)
    now = timezone.now()
    for index, (title, category, summary, body) in enumerate(POSTS):
        # From about a year ago to last week, newest last.
        published = now - timedelta(days=360 - index * 23)
        post, _created = NewsPost.objects.update_or_create(
            slug=slugify(title)[:90],
            defaults={
                "title": title,
                "category": category,
                "summary": summary,
                "body": body,
                "author": author,
                "status": NewsPost.Status.PUBLISHED,
                "publish_at": published,
            },
        )
        _give_hero(post, index)
    NewsPost.objects.update_or_create(
        slug="winter-convening-announced",
        defaults={
            "title": "Winter convening announced",
            "category": C.HAPPENINGS,
            "summary": "Save the date: the Circle meets again in the new year.",
            "body": "Details and registration will follow.",
            "author": author,
            "status": NewsPost.Status.PUBLISHED,
            "publish_at": now + timedelta(days=7),  # scheduled: hidden until then
        },
    )
    return [f"  {len(POSTS)} news posts over the past year, one scheduled for next week."]
