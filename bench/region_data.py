"""The data of a region-sized Circle for the page benchmark (bench/region.py):
organizations and their members, the research library, forums with their
registrations, news, volunteering and asks and offers.

Rows go in with PostgreSQL's COPY, built from model instances so that every
column gets the value (or the default) the model gives it: a field added
later by a migration is filled like bulk_create would fill it. Rows of
many-to-many tables, which hold only the two ids, are written as pairs. The
search vectors are then computed by the application's own UPDATE
(research.search.refresh_vectors), with the GIN indexes dropped meanwhile and
built again after, as bench/search.py does.
"""

from __future__ import annotations

import itertools
import json
import operator
import random
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

from bench.common import say
from bench.search import DOMAIN, vocabulary, words

SEED = 2027
BATCH = 5_000
# The resources whose text holds the rare word, as in bench/search.py.
RARE_WORD = "zorbeltrim"
RARE_EVERY = 20_000
# The accounts whose sessions the signed-in pages are measured with.
SESSION_MEMBERS = 8


@dataclass(frozen=True)
class Sizes:
    """How many of each, at scale 1 the size of a busy region."""

    organizations: int = 300
    members: int = 20_000
    resources: int = 100_000
    forums: int = 2_000
    registrations: int = 100_000
    news: int = 3_000
    opportunities: int = 500
    shifts: int = 5_000
    posts: int = 3_000

    @classmethod
    def at(cls, scale: float) -> Sizes:
        full = cls()
        minimum = {"organizations": 10, "members": 50, "forums": 20, "opportunities": 5}
        return cls(
            **{
                f.name: max(round(getattr(full, f.name) * scale), minimum.get(f.name, 10))
                for f in fields(cls)
            }
        )


@dataclass
class Seeded:
    sizes: dict[str, int] = field(default_factory=dict)
    # Rows written, by table.
    rows: dict[str, int] = field(default_factory=dict)
    # Seconds per part, in the order they ran.
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return round(sum(self.seconds.values()), 1)


# --- Writing rows -------------------------------------------------------------------------


# Types whose Python value COPY takes as it is; any other field (JSON,
# files, auto_now dates, a type added later) goes through the field's own
# conversion, as bulk_create would.
PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "FloatField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "TimeField",
}


def copy_text(value: Any) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float | date | clock):  # datetime is a date
        return str(value)
    if hasattr(value, "obj") and hasattr(value, "dumps"):  # psycopg's Json/Jsonb
        value = (value.dumps or json.dumps)(value.obj)
    text = str(value)
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Copier:
    """COPY of model instances. Ids are given here (the database is new),
    so the rows of many-to-many tables can point at them without reading
    anything back; the sequences are moved past them at the end."""

    def __init__(self) -> None:
        self.next_id: dict[str, int] = {}
        self.rows: dict[str, int] = {}

    def ids(self, model: Any, count: int) -> range:
        from django.db import connection

        table = model._meta.db_table
        if table not in self.next_id:
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT coalesce(max(id), 0) + 1 FROM "{table}"')  # noqa: S608
                self.next_id[table] = int(cursor.fetchone()[0])
        first = self.next_id[table]
        self.next_id[table] = first + count
        return range(first, first + count)

    def write(self, model: Any, objects: Iterable[Any]) -> list[Any]:
        """Insert the objects (pk set here when missing); returns them."""
        from django.db import connection

        objects = list(objects)
        if not objects:
            return objects
        missing = [obj for obj in objects if obj.pk is None]
        for obj, pk in zip(missing, self.ids(model, len(missing)), strict=True):
            obj.pk = pk
        columns = model._meta.concrete_fields
        getters = [self._getter(f, connection) for f in columns]
        lines = ("\t".join([copy_text(get(obj)) for get in getters]) + "\n" for obj in objects)
        self._copy(model._meta.db_table, [f.column for f in columns], lines, len(objects))
        return objects

    def link(self, through: Any, left: str, right: str, pairs: Iterable[tuple[int, int]]) -> None:
        """Rows of a many-to-many table: (left id, right id) pairs, by the
        attribute names of its two foreign keys (e.g. resource_id, topic_id)."""
        pairs = list(pairs)
        if not pairs:
            return
        ids = self.ids(through, len(pairs))
        lines = (f"{pk}\t{a}\t{b}\n" for pk, (a, b) in zip(ids, pairs, strict=True))
        names = {f.attname: f.column for f in through._meta.concrete_fields}
        self._copy(through._meta.db_table, ["id", names[left], names[right]], lines, len(pairs))

    @staticmethod
    def _getter(f: Any, connection: Any) -> Callable[[Any], Any]:
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        if f.get_internal_type() in PLAIN_TYPES and not auto:
            return operator.attrgetter(f.attname)
        return lambda obj: f.get_db_prep_save(f.pre_save(obj, True), connection)

    def _copy(self, table: str, columns: list[str], lines: Iterable[str], count: int) -> None:
        from django.db import connection

        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
        ):
            for chunk in batched(lines, 500):
                copy.write("".join(chunk))
        self.rows[table] = self.rows.get(table, 0) + count

    def finish(self) -> None:
        """Move every sequence past the ids given."""
        from django.db import connection

        with connection.cursor() as cursor:
            for table in self.next_id:
                # Table names of the models, not input.
                largest = f'SELECT coalesce(max(id), 1) FROM "{table}"'  # noqa: S608
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({largest}))",
                    [f'"{table}"'],
                )


def batched(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


# --- Text ------------------------------------------------------------------------------------


FIRST_NAMES = [
    *("Aaliyah", "Amara", "Andre", "Angela", "Brandon", "Camila", "Carlos", "Chloe", "Darius"),
    *("Deja", "Diego", "Elena", "Ebony", "Gabriel", "Imani", "Isaiah", "Jada", "Jamal"),
    *("Jasmine", "Jordan", "Keisha", "Kevin", "Lamar", "Latoya", "Lucia", "Malik", "Marcus"),
    *("Maria", "Maya", "Nia", "Omar", "Patrice", "Rosa", "Samuel", "Sofia", "Tamika"),
    *("Terrell", "Valeria", "Xavier", "Zoe"),
]
LAST_NAMES = [
    *("Adams", "Allen", "Baker", "Brown", "Carter", "Clark", "Davis", "Díaz", "Evans"),
    *("Flores", "Garcia", "Green", "Hall", "Harris", "Jackson", "Johnson", "Jones", "King"),
    *("Lee", "Lewis", "López", "Martin", "Mitchell", "Moore", "Nelson", "Parker", "Pérez"),
    *("Robinson", "Rodríguez", "Scott", "Smith", "Taylor", "Thomas", "Thompson", "Walker"),
    *("Washington", "White", "Williams", "Wilson", "Wright", "Young"),
]
KINDS_OF_ORGANIZATION = ("Alliance", "Council", "Fund", "Network", "Partners", "Works")
TITLES = ("Program manager", "Director", "Coordinator", "Case manager", "Analyst", "")


class Text:
    """Words of the synthetic library (bench/search.py's vocabulary: domain
    words among Zipf-distributed fillers) shaped as titles, paragraphs and
    Markdown. Long texts are drawn from a pool of sentences, which keeps
    the word frequencies and costs a tenth of drawing every word."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.vocab = vocabulary(rng)
        weights = [1 / (rank + 1) ** 0.9 for rank in range(len(self.vocab))]
        weights[DOMAIN.index("economic")] = weights[0] * 6  # in most documents
        self.cumulative = list(itertools.accumulate(weights))
        self.sentences = [self.sentence() for _ in range(8_000)]

    def words(self, count: int) -> str:
        return words(self.rng, self.vocab, self.cumulative, count)

    def title(self, low: int = 3, high: int = 8) -> str:
        return self.words(self.rng.randint(low, high)).capitalize()

    def sentence(self, low: int = 6, high: int = 18) -> str:
        return self.words(self.rng.randint(low, high)).capitalize() + "."

    def paragraph(self, low: int = 3, high: int = 7) -> str:
        return " ".join(self.rng.choices(self.sentences, k=self.rng.randint(low, high)))

    def summary(self, limit: int = 280) -> str:
        return self.paragraph(1, 3)[:limit].rsplit(" ", 1)[0] + "."

    def long(self, word_count: int) -> str:
        """About word_count words (a file's extracted text)."""
        return " ".join(self.rng.choices(self.sentences, k=max(word_count // 12, 1)))

    def markdown(self, paragraphs: int) -> str:
        """Paragraphs with what people write in Markdown: headings, lists,
        bold words and links."""
        parts: list[str] = []
        for n in range(paragraphs):
            if n and n % 3 == 0:
                parts.append(f"## {self.title(2, 5)}")
            parts.append(self.paragraph())
            if n % 4 == 1:
                parts.append(
                    "\n".join(f"- **{self.title(1, 2)}**: {self.sentence()}" for _ in range(3))
                )
            if n % 5 == 2:
                slug = self.words(1)
                parts.append(f"Read more on [{self.title(2, 4)}](https://example.org/{slug}).")
        return "\n\n".join(parts)


# --- The Circle ---------------------------------------------------------------------------


@dataclass
class Circle:
    organizations: list[Any]
    active: list[Any]
    # Members of each organization (user ids), the first ones its admins.
    members_of: dict[int, list[int]]
    member_ids: list[int]
    staff_id: int
    session_user_ids: list[int]


def seed_circle(
    sizes: Sizes, rng: random.Random, text: Text, copier: Copier, now: datetime
) -> Circle:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from circle.models import County, Expertise, Membership, Organization, Stage, User

    stages, counties = list(Stage.objects.all()), list(County.objects.all())
    expertise = copier.write(
        Expertise,
        (Expertise(name=f"{text.title(1, 3)} {n}", slug=f"expertise-{n}") for n in range(120)),
    )
    sectors, sides = Organization.Sector.values, Organization.Side.values
    organizations = []
    for n in range(sizes.organizations):
        # The largest organizations (the first ones) are active.
        status = "active"
        if n >= 10 and n % 33 == 5:
            status = "applicant"
        elif n >= 10 and n % 50 == 7:
            status = "inactive"
        organizations.append(
            Organization(
                name=f"{text.title(1, 3)} {rng.choice(KINDS_OF_ORGANIZATION)} {n}",
                slug=f"organization-{n}",
                sector=rng.choice(sectors),
                mission=text.paragraph(2, 4)[:900],
                website=f"https://organization-{n}.example.org",
                side=rng.choice(sides),
                contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                contact_email=f"contact@organization-{n}.example.org",
                contact_phone=f"404-555-{n % 10_000:04d}",
                status=status,
                joined_on=(now - timedelta(days=rng.randint(30, 2_200))).date()
                if status != "applicant"
                else None,
                created_at=now - timedelta(days=rng.randint(30, 2_200)),
            )
        )
    copier.write(Organization, organizations)
    copier.link(
        Organization.counties.through,
        "organization_id",
        "county_id",
        ((o.pk, c.pk) for o in organizations for c in rng.sample(counties, rng.randint(1, 4))),
    )
    copier.link(
        Organization.stages.through,
        "organization_id",
        "stage_id",
        ((o.pk, s.pk) for o in organizations for s in rng.sample(stages, rng.randint(1, 3))),
    )
    copier.link(
        Organization.expertise.through,
        "organization_id",
        "expertise_id",
        ((o.pk, e.pk) for o in organizations for e in rng.sample(expertise, rng.randint(1, 3))),
    )

    # People: unusable passwords (no hashing), a verified address each.
    unusable = make_password(None)
    staff = User(
        email="staff@region.example.org",
        name="PSE Staff",
        is_staff=True,
        password=unusable,
        date_joined=now - timedelta(days=2_000),
    )
    copier.write(User, [staff])
    member_ids: list[int] = []
    for chunk in batched(range(sizes.members)):
        users = copier.write(
            User,
            (
                User(
                    email=f"member{n}@region.example.org",
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    language="es" if n % 7 == 3 else "en",
                    password=unusable,
                    date_joined=now - timedelta(days=rng.randint(1, 2_000)),
                )
                for n in chunk
            ),
        )
        copier.write(
            EmailAddress,
            (EmailAddress(user_id=u.pk, email=u.email, verified=True, primary=True) for u in users),
        )
        member_ids += [u.pk for u in users]

    # Organizations of very different sizes: the nth has a share of about
    # 1/sqrt(n+1) (the largest about 3% of all members, the median about 50).
    weights = list(itertools.accumulate(1 / (n + 1) ** 0.5 for n in range(len(organizations))))
    members_of: dict[int, list[int]] = {o.pk: [] for o in organizations}
    for user_id in member_ids:
        first = rng.choices(organizations, cum_weights=weights)[0]
        members_of[first.pk].append(user_id)
        if rng.random() < 0.1:  # one in ten belongs to a second organization
            second = rng.choice(organizations)
            if second.pk != first.pk:
                members_of[second.pk].append(user_id)
    memberships = (
        Membership(
            user_id=user_id,
            organization_id=org_id,
            role="admin" if rank < 2 else "member",
            title=rng.choice(TITLES),
            joined_at=now - timedelta(days=rng.randint(1, 1_500)),
        )
        for org_id, people in members_of.items()
        for rank, user_id in enumerate(people)
    )
    for chunk in batched(memberships):
        copier.write(Membership, chunk)

    active = [o for o in organizations if o.status == "active"]
    # A plain member (not an admin) of each of the largest organizations.
    session_users = [
        members_of[o.pk][2] for o in active[:SESSION_MEMBERS] if len(members_of[o.pk]) > 2
    ]
    return Circle(
        organizations=organizations,
        active=active,
        members_of=members_of,
        member_ids=member_ids,
        staff_id=staff.pk,
        session_user_ids=session_users,
    )


# --- Research ----------------------------------------------------------------------------------


def seed_research(
    sizes: Sizes, rng: random.Random, text: Text, copier: Copier, circle: Circle, now: datetime
) -> None:
    """bench/search.py's library, published by the region's organizations."""
    from research.models import Resource, Tag, Topic

    topics = list(Topic.objects.all())
    tags = copier.write(Tag, (Tag(name=f"tag {n}", slug=f"tag-{n}") for n in range(300)))
    kinds = Resource.Kind.values
    # 5% drafts; of the published 60% public, 25% members, 15% organization.
    visibilities = ["public"] * 12 + ["members"] * 5 + ["organization"] * 3
    publishers = circle.organizations
    weights = list(itertools.accumulate(1 / (n + 1) ** 0.5 for n in range(len(publishers))))
    made = 0
    for chunk in batched(range(sizes.resources)):
        batch = []
        for n in chunk:
            rare = n % RARE_EVERY == 7
            batch.append(
                Resource(
                    title=text.title(4, 10),
                    slug=f"resource-{n}",
                    kind=rng.choice(kinds),
                    abstract=text.words(rng.randint(40, 90)),
                    authors=f"Author {rng.randint(1, 5000)}; Author {rng.randint(1, 5000)}",
                    by_pse=n % 10 == 4,
                    published_on=date(2015, 1, 1) + timedelta(days=rng.randint(0, 3900)),
                    language="es" if n % 10 == 0 else "en",
                    # The rare word is in public resources, so a visitor finds it.
                    visibility="public" if rare else rng.choice(visibilities),
                    status="draft" if n % 20 == 3 else "published",
                    published_at=now - timedelta(minutes=n),
                    file_type="pdf",
                    file_size=rng.randint(50_000, 5_000_000),
                    extraction="done",
                    extracted_text=text.long(rng.randint(150, 600))
                    + (f" {RARE_WORD}" if rare else ""),
                    created_at=now - timedelta(minutes=n),
                )
            )
        created = copier.write(Resource, batch)
        copier.link(
            Resource.topics.through,
            "resource_id",
            "topic_id",
            ((r.pk, t.pk) for r in created for t in rng.sample(topics, rng.randint(1, 2))),
        )
        copier.link(
            Resource.tags.through,
            "resource_id",
            "tag_id",
            ((r.pk, t.pk) for r in created for t in rng.sample(tags, rng.randint(0, 3))),
        )
        copier.link(
            Resource.organizations.through,
            "resource_id",
            "organization_id",
            (
                (r.pk, rng.choices(publishers, cum_weights=weights)[0].pk)
                for r in created
                if rng.random() < 0.7 or r.visibility == "organization"
            ),
        )
        made += len(chunk)
        if made % 20_000 == 0 or made == sizes.resources:
            say(f"   {made:,} resources")


def fill_search_vectors(parallel: int = 2) -> None:
    """The application's own UPDATE of the search documents
    (research.search.refresh_vectors) over every row, with the table's GIN
    indexes (whatever the migrations made of them) dropped meanwhile and
    built again after. Parts of the table are updated on `parallel`
    connections at once: PostgreSQL runs one statement on one core, and
    to_tsvector over the files' text is most of the seeding time."""
    from django.db import connection

    from research.models import Resource
    from research.search import refresh_vectors

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'research_resource' AND indexdef ILIKE %s",
            ["% USING gin %"],
        )
        gin = cursor.fetchall()
        for name, _ in gin:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM research_resource")
        first, last = cursor.fetchone()
    step = max((last - first + 1) // (parallel * 4), 1)
    parts = [(low, low + step) for low in range(first, last + 1, step)]

    def update(part: tuple[int, int]) -> None:
        try:
            refresh_vectors(Resource.objects.filter(pk__gte=part[0], pk__lt=part[1]))
        finally:
            connection.close()  # this thread's connection, back to the pool

    def build(definition: str) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                cursor.execute(definition)
        finally:
            connection.close()

    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(update, parts))
        list(pool.map(build, [definition for _, definition in gin]))


# --- Forums ----------------------------------------------------------------------------------


def seed_forums(
    sizes: Sizes, rng: random.Random, text: Text, copier: Copier, circle: Circle, now: datetime
) -> None:
    """Forums over the last five years and the next six months; most are
    past. Registrations: members by RSVP and guests by email, more for
    past forums, a waitlist where a forum is full."""
    from forums.models import AgendaItem, Forum, ForumInvitation, Material, Registration

    upcoming = max(sizes.forums * 15 // 100, 1)
    forums = []
    for n in range(sizes.forums):
        if n < upcoming:
            starts = now + timedelta(days=1 + n * 180 / upcoming, hours=rng.randint(0, 8))
        else:
            starts = now - timedelta(days=(n - upcoming + 1) * 1_825 / (sizes.forums - upcoming))
        starts = starts.replace(minute=0, second=0, microsecond=0)
        roll = rng.random()
        status = "draft" if roll < 0.05 else "cancelled" if roll < 0.08 else "published"
        audience = rng.choice(["public"] * 6 + ["members"] * 3 + ["invited"])
        past = starts < now
        forums.append(
            Forum(
                title=f"{text.title(3, 7)} forum",
                slug=f"forum-{n}",
                summary=text.summary(),
                description=text.markdown(rng.randint(3, 8)),
                starts_at=starts,
                ends_at=starts + timedelta(hours=rng.choice((2, 3, 4))),
                venue_name=f"{text.title(1, 3)} Center",
                venue_address=f"{rng.randint(10, 9999)} Peachtree St NE, Atlanta, GA",
                online_url="https://meet.example.org/forum" if n % 3 == 0 else "",
                audience=audience,
                capacity=rng.choice((40, 60, 80, 120, 200, 300)),
                status=status,
                notes=text.markdown(2) if past and n % 2 else "",
                contact_email="forums@region.example.org",
                cancelled_at=now - timedelta(days=1) if status == "cancelled" else None,
                created_at=starts - timedelta(days=rng.randint(20, 60)),
            )
        )
    copier.write(Forum, forums)
    active = circle.active
    copier.link(
        Forum.hosts.through,
        "forum_id",
        "organization_id",
        ((f.pk, o.pk) for f in forums for o in rng.sample(active, rng.randint(1, 2))),
    )
    copier.write(
        AgendaItem,
        (
            AgendaItem(
                forum_id=f.pk,
                time=clock(9 + i, 0),
                title=text.title(3, 6),
                speakers=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                description=text.sentence(),
            )
            for f in forums
            for i in range(rng.randint(3, 6))
        ),
    )
    copier.write(
        Material,
        (
            Material(
                forum_id=f.pk,
                title=text.title(2, 5),
                url=f"https://example.org/m/{f.pk}/{i}",
                order=i,
            )
            for f in forums
            if f.starts_at < now
            for i in range(rng.randint(0, 2))
        ),
    )
    members = circle.member_ids
    copier.write(
        ForumInvitation,
        (
            ForumInvitation(forum_id=f.pk, user_id=user_id, invited_by_id=circle.staff_id)
            for f in forums
            if f.audience == "invited"
            for user_id in rng.sample(members, min(30, len(members)))
        ),
    )

    # Registrations: past forums three times as many as upcoming ones.
    shares = [rng.uniform(0.3, 1.7) * (1 if f.starts_at > now else 3) for f in forums]
    scale = sizes.registrations / sum(shares)
    counts = [round(s * scale) for s in shares]
    counts[-1] += sizes.registrations - sum(counts)  # exactly the size asked for
    rows: list[Any] = []
    for f, count in zip(forums, counts, strict=True):
        count = max(count, 0)
        past = f.starts_at < now
        by_members = rng.sample(members, min(count * 6 // 10, len(members)))
        for i in range(count):
            user_id = by_members[i] if i < len(by_members) else None
            email = (
                f"member{user_id}@region.example.org"
                if user_id
                else f"guest{i}.forum{f.pk}@example.net"
            )
            if i >= f.capacity:
                status = "waitlisted" if not past else "expired"
            elif rng.random() < 0.08:
                status = "cancelled"
            else:
                status = "confirmed"
            asked = f.created_at + timedelta(minutes=i * 7)
            rows.append(
                Registration(
                    forum_id=f.pk,
                    user_id=user_id,
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    email=email,
                    organization_name=rng.choice(active).name if user_id else "",
                    status=status,
                    created_at=asked,
                    queued_at=asked,
                    email_confirmed_at=asked,
                    confirmed_at=asked if status == "confirmed" else None,
                    cancelled_at=asked + timedelta(days=1) if status == "cancelled" else None,
                    attended=(rng.random() < 0.8) if past and status == "confirmed" else None,
                )
            )
        if len(rows) >= BATCH:
            copier.write(Registration, rows)
            rows = []
    copier.write(Registration, rows)


# --- News and volunteering ---------------------------------------------------------------------


def seed_news(
    sizes: Sizes, rng: random.Random, text: Text, copier: Copier, circle: Circle, now: datetime
) -> None:
    from news.models import NewsPost
    from volunteering.models import Opportunity, Shift, Signup

    categories = NewsPost.Category.values
    posts = []
    for n in range(sizes.news):
        # The newest an hour ago, then about one a day back; a few drafts
        # and a few scheduled for the coming days.
        publish = now - timedelta(hours=1 + n * 24 * 3_000 / max(sizes.news, 1) * 0.95)
        status = "draft" if n % 33 == 5 else "published"
        if n % 600 == 11:
            publish = now + timedelta(days=rng.randint(1, 10))
        posts.append(
            NewsPost(
                title=text.title(4, 10),
                slug=f"news-{n}",
                summary=text.summary(),
                body=text.markdown(rng.randint(4, 12)),
                category=rng.choice(categories),
                author_id=circle.staff_id,
                status=status,
                publish_at=publish,
                created_at=publish - timedelta(days=1),
            )
        )
        if len(posts) == BATCH:
            copier.write(NewsPost, posts)
            posts = []
    copier.write(NewsPost, posts)

    opportunities = copier.write(
        Opportunity,
        (
            Opportunity(
                title=f"{text.title(2, 6)} volunteers",
                slug=f"volunteer-{n}",
                summary=text.summary(),
                description=text.markdown(rng.randint(2, 5)),
                location=f"{rng.randint(10, 9999)} Auburn Ave NE, Atlanta, GA",
                remote=n % 8 == 0,
                contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                contact_email="volunteer@region.example.org",
                status="draft" if n % 10 == 9 else "published",
                created_at=now - timedelta(days=rng.randint(1, 700)),
            )
            for n in range(sizes.opportunities)
        ),
    )
    per = max(sizes.shifts // len(opportunities), 1)
    shifts = copier.write(
        Shift,
        (
            Shift(
                opportunity_id=o.pk,
                role=text.title(1, 3),
                # Half past, half in the next three months.
                starts_at=(
                    now + timedelta(days=(i - per // 2) * 90 / per, hours=rng.randint(0, 6))
                ).replace(minute=0, second=0, microsecond=0),
                ends_at=(
                    now + timedelta(days=(i - per // 2) * 90 / per, hours=rng.randint(0, 6) + 8)
                ).replace(minute=0, second=0, microsecond=0),
                capacity=rng.choice((5, 10, 20, 40)),
            )
            for o in opportunities
            for i in range(per)
        ),
    )
    for chunk in batched(shifts, 2_000):
        copier.write(
            Signup,
            (
                Signup(
                    shift_id=s.pk,
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    email=f"volunteer{i}.shift{s.pk}@example.net",
                    party_size=rng.choice((1, 1, 1, 2, 3)),
                    status="confirmed",
                    created_at=s.starts_at - timedelta(days=7),
                    confirmed_at=s.starts_at - timedelta(days=7),
                )
                for s in chunk
                for i in range(rng.randint(0, min(s.capacity, 6)))
            ),
        )


# --- Asks and offers ------------------------------------------------------------------------


def seed_posts(
    sizes: Sizes, rng: random.Random, text: Text, copier: Copier, circle: Circle, now: datetime
) -> None:
    from asks.models import Conversation, Match, Post, PostResponse
    from circle.models import County, Expertise, Stage

    stages, counties = list(Stage.objects.all()), list(County.objects.all())
    expertise = list(Expertise.objects.all())
    active = circle.active
    posts = []
    for n in range(sizes.posts):
        organization = rng.choice(active)
        people = circle.members_of[organization.pk] or circle.member_ids
        roll = rng.random()
        status = "open" if roll < 0.6 else "matched" if roll < 0.75 else "closed"
        deadline = None
        if n % 5 < 3:
            deadline = (now + timedelta(days=rng.randint(-60, 120))).date()
        created = now - timedelta(hours=n * 17_520 / sizes.posts)  # two years
        posts.append(
            Post(
                kind="ask" if n % 2 else "offer",
                organization_id=organization.pk,
                author_id=rng.choice(people),
                title=text.title(4, 9),
                description=text.markdown(rng.randint(1, 4)),
                side=rng.choice(("supply", "demand", "both")),
                quantity=rng.choice((None, 2, 5, 10, 25)),
                unit=rng.choice(("people", "places", "jobs")),
                deadline=deadline,
                audience="chosen" if n % 7 == 3 else "members",
                status=status,
                created_at=created,
                closed_at=created + timedelta(days=20) if status != "open" else None,
            )
        )
    copier.write(Post, posts)
    copier.link(
        Post.stages.through,
        "post_id",
        "stage_id",
        ((p.pk, s.pk) for p in posts for s in rng.sample(stages, rng.randint(1, 2))),
    )
    copier.link(
        Post.counties.through,
        "post_id",
        "county_id",
        ((p.pk, c.pk) for p in posts for c in rng.sample(counties, rng.randint(0, 3))),
    )
    copier.link(
        Post.expertise.through,
        "post_id",
        "expertise_id",
        ((p.pk, e.pk) for p in posts for e in rng.sample(expertise, rng.randint(0, 2))),
    )
    copier.link(
        Post.shared_with.through,
        "post_id",
        "organization_id",
        (
            (p.pk, o.pk)
            for p in posts
            if p.audience == "chosen"
            for o in rng.sample(active, min(3, len(active)))
            if o.pk != p.organization_id
        ),
    )
    # One post in five has conversations with other organizations.
    conversations = copier.write(
        Conversation,
        (
            Conversation(
                post_id=p.pk,
                organization_id=o.pk,
                created_at=p.created_at + timedelta(days=1),
                last_message_at=p.created_at + timedelta(days=3),
            )
            for p in posts
            if p.pk % 5 == 0
            for o in rng.sample(active, min(rng.randint(1, 3), len(active)))
            if o.pk != p.organization_id
        ),
    )
    by_pk = {p.pk: p for p in posts}
    copier.write(
        PostResponse,
        (
            PostResponse(
                conversation_id=c.pk,
                author_id=rng.choice(circle.member_ids),
                organization_id=c.organization_id
                if i % 2 == 0
                else by_pk[c.post_id].organization_id,
                body=text.paragraph(1, 3),
                created_at=c.created_at + timedelta(hours=i * 5),
            )
            for c in conversations
            for i in range(rng.randint(1, 4))
        ),
    )
    asks = [p for p in posts if p.kind == "ask" and p.status == "matched"]
    offers = [p for p in posts if p.kind == "offer"]
    pairs = {(a.pk, rng.choice(offers).pk) for a in asks} if offers else set()
    copier.write(
        Match,
        (
            Match(ask_id=a, offer_id=o, state="done", marked_by_id=circle.staff_id)
            for a, o in sorted(pairs)
        ),
    )


# --- All -----------------------------------------------------------------------------------


def seed(sizes: Sizes) -> tuple[Seeded, list[int]]:
    """Fill the (new, migrated) database; returns the timings and the ids of
    the members whose sessions the signed-in pages use."""
    from django.db import connection

    seeded = Seeded(sizes={f.name: getattr(sizes, f.name) for f in fields(sizes)})
    rng = random.Random(SEED)  # noqa: S311 (repeatable test data, no secret)
    now = datetime.now(UTC).replace(microsecond=0)
    copier = Copier()

    def step(name: str, work: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = work()
        seeded.seconds[name] = round(time.perf_counter() - start, 1)
        say(f"   {name}: {seeded.seconds[name]:.1f} s")
        return result

    text: Text = step("text pools", lambda: Text(rng))
    circle: Circle = step(
        "organizations and members", lambda: seed_circle(sizes, rng, text, copier, now)
    )
    step("research resources", lambda: seed_research(sizes, rng, text, copier, circle, now))
    step("search vectors and GIN indexes", fill_search_vectors)
    step("forums and registrations", lambda: seed_forums(sizes, rng, text, copier, circle, now))
    step("news and volunteering", lambda: seed_news(sizes, rng, text, copier, circle, now))
    step("asks and offers", lambda: seed_posts(sizes, rng, text, copier, circle, now))
    copier.finish()

    def analyze() -> None:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    step("VACUUM ANALYZE", analyze)
    seeded.rows = dict(sorted(copier.rows.items()))
    return seeded, circle.session_user_ids


def session_members(limit: int = SESSION_MEMBERS) -> list[int]:
    """The members the signed-in pages are measured as, found again in a
    database seeded by an earlier run: plain members of the largest active
    organizations."""
    from django.db.models import Count

    from circle.models import Membership, Organization

    largest = (
        Organization.objects.active()
        .annotate(people=Count("memberships"))
        .order_by("-people", "pk")[:limit]
    )
    ids = []
    for organization in largest:
        found = (
            Membership.objects.filter(organization=organization, role="member")
            .order_by("pk")
            .values_list("user_id", flat=True)
            .first()
        )
        if found is not None:
            ids.append(found)
    return ids
