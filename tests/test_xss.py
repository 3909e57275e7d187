"""Stored XSS: script tags, event-handler attributes and javascript: links
typed into every public form field and every Markdown body never come back
executable, in any page, feed or email."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from circle import applications
from circle.models import County, JoinApplication, Membership, Organization, Stage
from justop import outbox
from justop.models import OutboxEmail
from news import newsletter
from news.models import NewsPost, Subscriber
from tests.factories import StaffFactory, member_of
from volunteering.models import Opportunity, Shift, Signup

PAYLOAD = (
    "<script>alert('xss')</script>"
    '<img src=x onerror="alert(1)">'
    '<a href="javascript:alert(1)" onclick="alert(2)">click</a>'
    '"><svg onload=alert(3)>'
)
# For fields of at most 40 characters.
SHORT = "<img src=x onerror=alert(1)>"
MARKDOWN = f"Intro {PAYLOAD}\n\n[link](javascript:alert(4)) <iframe src=//evil></iframe>"


class DangerFinder(HTMLParser):
    """Collects what a browser would run: script elements with our alerts,
    event-handler attributes, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # A JSON-LD block is data, never run (json_ld escapes "<", so the
        # payload cannot close it: the parser would then see a real script).
        self._in_script = tag == "script" and ("type", "application/ld+json") not in attrs
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip(
                " \t\n"
            ).lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag in ("iframe", "object", "embed"):
            self.found.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert" in data:
            self.found.append("<script>alert…</script>")


def assert_inert(html: str, where: str) -> None:
    finder = DangerFinder()
    finder.feed(html)
    assert finder.found == [], f"{where}: {finder.found}"


def email_html(row: OutboxEmail) -> str:
    message = outbox.render(row)
    return next(content for content, mime in message.alternatives if mime == "text/html")


def test_a_join_application_full_of_markup_stays_inert_everywhere(client, staff_client):
    stage = Stage.objects.first()
    response = client.post(
        reverse("circle:join"),
        {
            "organization_name": f"Evil {PAYLOAD}",
            "sector": "nonprofit",
            "website": "https://example.org",
            "mission": PAYLOAD,
            "side": "both",
            "stages": [stage.pk],
            "counties": [County.objects.first().pk],
            "applicant_name": PAYLOAD,
            "applicant_email": "evil@example.org",
            "applicant_title": SHORT,
            "message": PAYLOAD,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    application = JoinApplication.objects.get()
    for row in OutboxEmail.objects.all():
        assert_inert(email_html(row), f"email {row.kind}")
    change = reverse("admin:circle_joinapplication_change", args=[application.pk])
    assert_inert(staff_client.get(change).content.decode(), "admin application")

    organization = applications.approve(application, by=StaffFactory())
    member = member_of(organization, user__name=PAYLOAD)
    reader = Client()
    reader.force_login(member)
    for url in (organization.get_absolute_url(), reverse("circle:directory"), "/"):
        assert_inert(reader.get(url).content.decode(), url)
    for row in OutboxEmail.objects.all():
        assert_inert(email_html(row), f"email {row.kind}")


def test_a_volunteer_sign_up_full_of_markup_stays_inert_everywhere(client, staff_client):
    opportunity = Opportunity.objects.create(
        title=f"Help {PAYLOAD}",
        slug="help",
        summary=PAYLOAD,
        description=MARKDOWN,
        location=PAYLOAD,
        status="published",
    )
    shift = Shift.objects.create(
        opportunity=opportunity,
        role=SHORT,
        starts_at=timezone.now() + timedelta(hours=20),
        ends_at=timezone.now() + timedelta(hours=23),
        capacity=5,
    )
    response = client.post(
        reverse("volunteer:sign_up", args=["help", shift.pk]),
        {"name": PAYLOAD, "email": "evil@example.org", "phone": SHORT, "party_size": 1},
    )
    assert response.status_code == 302, response.context["form"].errors
    signup = Signup.objects.get()
    from volunteering import services as volunteering

    volunteering.confirm(signup)
    volunteering.send_reminders()
    for url in (
        reverse("volunteer:list"),
        opportunity.get_absolute_url(),
        reverse("volunteer:sign_up", args=["help", shift.pk]),
        reverse("volunteer:signup", args=[volunteering.token(signup)]),
    ):
        assert_inert(client.get(url).content.decode(), url)
    for url in (
        reverse("admin:volunteering_shift_change", args=[shift.pk]),
        reverse("admin:volunteering_signup_changelist"),
    ):
        assert_inert(staff_client.get(url).content.decode(), url)
    kinds = set()
    for row in OutboxEmail.objects.all():
        kinds.add(row.kind)
        assert_inert(email_html(row), f"email {row.kind}")
    assert {"news.signup_confirm", "news.signup_confirmed", "news.signup_reminder"} <= kinds


def test_a_news_post_full_of_markup_stays_inert_in_pages_feeds_and_the_newsletter(
    client, smtp_sink
):
    post = NewsPost.objects.create(
        title=f"Title {PAYLOAD}",
        slug="evil",
        summary=PAYLOAD,
        body=MARKDOWN,
        hero_alt=PAYLOAD,
        category=NewsPost.Category.ADVOCACY,
        status=NewsPost.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(days=7),
    )
    for url in (
        "/",
        reverse("news:list"),
        reverse("news:category", args=["advocacy"]),
        post.get_absolute_url(),
    ):
        assert_inert(client.get(url).content.decode(), url)
    # Feeds are XML: the markup arrives as text, never as elements.
    for url in (reverse("news:feed_rss"), reverse("news:feed_atom")):
        xml = client.get(url).content.decode()
        assert "<script" not in xml and "<img" not in xml and "<svg" not in xml, url
    Subscriber.objects.create(email="reader@example.org", status="confirmed")
    newsletter.send_newsletter(timezone.now())
    for row in OutboxEmail.objects.filter(kind="news.newsletter"):
        assert_inert(email_html(row), "newsletter")


def test_a_name_given_when_accepting_an_invitation_stays_inert(client, smtp_sink):
    from circle import invitations
    from circle.models import Invitation

    organization = Organization.objects.create(name="Westside", slug="westside", sector="nonprofit")
    admin = member_of(organization, Membership.Role.ADMIN)
    invitations.invite(organization, ["new@example.org"], "member", by=admin)
    token = invitations.token_for(Invitation.objects.get())
    password = "a-long-passphrase-2026"
    client.post(
        reverse("circle:accept_invitation", args=[token]),
        {"name": PAYLOAD, "password1": password, "password2": password},
    )
    reader = Client()
    reader.force_login(admin)
    for url in (
        organization.get_absolute_url(),
        reverse("circle:manage_members", args=[organization.slug]),
    ):
        assert_inert(reader.get(url).content.decode(), url)


def test_the_finder_does_find_live_markup():
    # The checks above would pass on anything if the finder were blind.
    for dangerous in (
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(3)>",
    ):
        finder = DangerFinder()
        finder.feed(dangerous)
        assert finder.found, dangerous
    finder = DangerFinder()
    finder.feed("&lt;script&gt;alert(1)&lt;/script&gt; <a href='https://example.org'>ok</a>")
    assert finder.found == []
