"""Members' journeys in a real browser: an admin brings a colleague in, a
member answers a forum and uses the research library, an ask meets an offer.

Each journey runs twice (tests/journeys.py): in English on a desktop with
JavaScript, and in Spanish on a phone without it. axe checks every page it
reaches; emails come from the real worker through the SMTP sink, and their
links are followed in the browser."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from asks.models import Conversation, Post
from circle.models import Membership, Stage, User
from forums.models import Registration
from justop.translated import language_label
from research.models import Resource
from tests.asks.factories import offer
from tests.factories import PASSWORD, OrganizationFactory, member_of
from tests.forums.factories import ForumFactory
from tests.journeys import VARIANTS, Journey, link_in
from tests.journeys import journey as new_journey
from tests.journeys import portal as portal  # the fixture
from tests.research.factories import ResourceFactory, pdf_bytes, research_setup  # noqa: F401
from tests.smtp import text_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

VARIANT_NAMES = ("language", "viewport", "javascript")
NEW_PASSWORD = "plum-orchard-lantern-42"


# --- What a person sees and does ---------------------------------------------------------


def tr(language: str, msgid: str, context: str = "", **values: Any) -> str:
    """A text of the site as its pages show it in the language."""
    with translation.override(language):
        text = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    return text % values if values else text


def field(text: str) -> re.Pattern[str]:
    """A form field's label as it reads, with or without Django's colon."""
    return re.compile(rf"^\s*{re.escape(text)}:?\s*$")


def english_version(language: str, verbose_name: str) -> re.Pattern[str]:
    """The label of a translated field's English version: "Title (English)"."""
    with translation.override(language):
        return field(language_label(translation.gettext(verbose_name), "en"))


def open_journey(browser: Any, site: Any, axe: Any, variant: tuple[str, str, bool]) -> Journey:
    journey = new_journey(browser, site, axe, variant)
    # A missing element fails in seconds, not after Playwright's 30.
    journey.page.set_default_timeout(10_000)
    return journey


def follow(journey: Journey, target: Any) -> None:
    """Click a link or a button that loads a page, then check that page."""
    with journey.page.expect_navigation():
        target.click()
    journey.settle()


def in_menu(journey: Journey, role: str, name: str) -> Any:
    """An entry of the site's menu, unfolding the menu first where it is
    folded (narrow screens)."""
    page = journey.page
    summary = page.locator("details.nav-menu > summary")
    if summary.is_visible() and not page.locator("details.nav-menu[open]").count():
        summary.click()
    menu = page.get_by_role("navigation", name=tr(journey.language, "Main"))
    return menu.get_by_role(role, name=name, exact=True)


def check_again(journey: Journey) -> None:
    """axe on the current page once more: htmx changed it in place."""
    journey.visited.remove(journey.path)
    journey.check()


def sign_in_with_password(journey: Journey, email: str, password: str) -> None:
    """Fill the sign-in form on the current page and send it."""
    page, language = journey.page, journey.language
    page.get_by_label(field(tr(language, "Email"))).fill(email)
    page.get_by_label(field(tr(language, "Password"))).fill(password)
    follow(journey, page.get_by_role("button", name=tr(language, "Sign in"), exact=True))


def with_session_of(journey: Journey, person: User) -> Journey:
    """The journey's browser holds a session of person (their sign-in is
    not what the journey is about)."""
    client = Client()
    client.force_login(person)
    journey.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": journey.portal.url,
            }
        ]
    )
    return journey


def authenticator_code(secret: str) -> str:
    """The code an authenticator app shows for the secret now. Taken with a
    few seconds of its window left, so the server checks it in that window."""
    period = mfa_settings.TOTP_PERIOD
    while period - time.time() % period < 5:
        time.sleep(0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


# --- 3. An admin invites a colleague, who joins with an authenticator ---------------------


@pytest.mark.parametrize(VARIANT_NAMES, VARIANTS)
def test_an_admin_invites_a_colleague_who_joins_and_sets_up_an_authenticator(
    browser: Any, portal: Any, axe: Any, language: str, viewport: str, javascript: bool
) -> None:
    organization = OrganizationFactory(name=f"Westside Works {language}")
    admin = member_of(organization, Membership.Role.ADMIN)
    colleague = f"colleague-{language}@example.org"
    invitations = reverse("circle:manage_invitations", args=[organization.slug])
    variant = (language, viewport, javascript)

    # The admin opens the invitations page and is asked to sign in first.
    inviter = open_journey(browser, portal, axe, variant)
    page = inviter.page
    inviter.goto(invitations)
    assert inviter.path.startswith(reverse("account_login"))
    sign_in_with_password(inviter, admin.email, PASSWORD)
    assert inviter.path == invitations
    page.get_by_label(field(tr(language, "Email addresses"))).fill(colleague)
    page.get_by_label(field(tr(language, "Role"))).select_option(
        label=tr(language, "Admin", "role in an organization")
    )
    follow(
        inviter,
        page.get_by_role(
            "button",
            name=tr(language, "Invite to %(organization)s", organization=organization.name),
        ),
    )
    expect(page.get_by_role("rowheader", name=colleague)).to_be_visible()
    inviter.finish()

    # The colleague, on their own computer, follows the emailed link.
    message = portal.email_to(colleague, organization.name)
    # In the language the admin invited in: the colleague has no account yet.
    assert tr(
        language,
        "You are invited to join %(organization)s in the JUST Opportunity Circle",
        organization=organization.name,
    ) in str(message["Subject"])
    joiner = open_journey(browser, portal, axe, variant)
    page = joiner.page
    joiner.goto(link_in(message, "/invitations/"))
    page.get_by_label(field(tr(language, "Your name"))).fill("Rosa Medina")
    page.get_by_label(field(tr(language, "Password"))).fill(NEW_PASSWORD)
    page.get_by_label(field(tr(language, "Password again"))).fill(NEW_PASSWORD)
    follow(joiner, page.get_by_role("button", name=tr(language, "Create my account and join")))
    assert joiner.path == organization.get_absolute_url()
    membership = Membership.objects.get(user__email=colleague, organization=organization)
    assert membership.role == Membership.Role.ADMIN

    # From their account, they set up an authenticator app.
    follow(joiner, in_menu(joiner, "link", tr(language, "Account")))
    follow(joiner, page.get_by_role("link", name=tr(language, "Two-factor authentication")))
    follow(joiner, page.get_by_role("link", name=tr(language, "Activate"), exact=True))
    # Accepting signed them in without typing the password, so before a
    # change of security the portal asks for it once.
    assert joiner.path.startswith(reverse("account_reauthenticate"))
    page.get_by_label(field(tr(language, "Password"))).fill(NEW_PASSWORD)
    follow(joiner, page.get_by_role("button", name=tr(language, "Confirm"), exact=True))
    assert joiner.path == reverse("mfa_activate_totp")
    secret = page.get_by_label(field(tr(language, "Authenticator secret"))).input_value()
    page.get_by_label(field(tr(language, "Authenticator code"))).fill(authenticator_code(secret))
    follow(joiner, page.get_by_role("button", name=tr(language, "Activate"), exact=True))
    assert joiner.path == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(
        user__email=colleague, type=Authenticator.Type.TOTP
    ).exists()

    # Next time, the password is not enough: the app's code is asked for,
    # and then they are on their organization's page, as one of its admins.
    # The keyboard: Playwright's click check takes the inline form around the
    # menu's block-level button for something covering it (a mouse reaches it).
    with page.expect_navigation():
        in_menu(joiner, "button", tr(language, "Sign out")).press("Enter")
    joiner.settle()
    joiner.goto(f"{reverse('account_login')}?next={organization.get_absolute_url()}")
    sign_in_with_password(joiner, colleague, NEW_PASSWORD)
    assert joiner.path == reverse("mfa_authenticate")
    page.get_by_label(field(tr(language, "Code"))).fill(authenticator_code(secret))
    follow(joiner, page.get_by_role("button", name=tr(language, "Sign In"), exact=True))
    assert joiner.path == organization.get_absolute_url()
    expect(page.get_by_role("heading", level=1)).to_have_text(organization.name)
    expect(page.get_by_role("link", name=tr(language, "Manage this organization"))).to_be_visible()
    joiner.finish()


# --- 4. A member at a forum and in the library; another organization kept out -------------


def _resource_with_pdf(**fields: Any) -> Resource:
    resource = ResourceFactory(**fields)
    resource.file.save(
        f"{resource.slug}.pdf", ContentFile(pdf_bytes(f"{resource.title}. Okapi.")), save=False
    )
    resource.file_type = Resource.FileType.PDF
    resource.file_size = resource.file.size
    resource.save()
    return resource


def download_label(language: str, resource: Resource) -> str:
    """The name of a resource's download button, with its size."""
    with translation.override(language):
        size = filesizeformat(resource.file_size)
    return tr(language, "Download the %(type)s (%(size)s)", type="PDF", size=size)


@pytest.mark.parametrize(VARIANT_NAMES, VARIANTS)
def test_a_member_rsvps_searches_and_downloads_while_another_organization_is_kept_out(
    browser: Any, portal: Any, axe: Any, language: str, viewport: str, javascript: bool
) -> None:
    home = OrganizationFactory(name=f"Eastside Training {language}")
    other = OrganizationFactory(name=f"Northside Employers {language}")
    member = member_of(home, user__language=language)
    outsider = member_of(other)
    forum = ForumFactory(title=f"Members forum on apprenticeships ({language})", audience="members")
    shared = _resource_with_pdf(
        title=f"Apprenticeship pathways in Fulton ({language})", visibility="members"
    )
    private = _resource_with_pdf(
        title=f"Apprenticeship wage survey of Eastside ({language})",
        visibility="organization",
        organizations=[home],
    )
    variant = (language, viewport, javascript)

    mine = with_session_of(open_journey(browser, portal, axe, variant), member)
    page = mine.page

    # One click on the forum's page (linked from the forums list): going.
    mine.goto(forum.get_absolute_url())
    going = page.get_by_role("button", name=tr(language, "I am going"))
    if javascript:
        going.click()  # htmx swaps the block in place
        expect(page.get_by_text(tr(language, "You are registered."))).to_be_visible()
        check_again(mine)
    else:
        follow(mine, going)
        expect(page.get_by_text(tr(language, "You are registered."))).to_be_visible()
    registration = Registration.objects.get(forum=forum, user=member)
    assert registration.status == Registration.Status.CONFIRMED

    # A word in the library's search box finds both reports.
    mine.goto(reverse("research:library"))
    page.get_by_role("searchbox", name=tr(language, "Search the library")).fill("apprenticeship")
    follow(mine, page.get_by_role("button", name=tr(language, "Search"), exact=True))
    results = page.locator("#research-results")
    expect(results.get_by_role("link", name=shared.title)).to_be_visible()
    expect(results.get_by_role("link", name=private.title)).to_be_visible()

    # The members-only report opens and its PDF downloads.
    follow(mine, results.get_by_role("link", name=shared.title))
    with page.expect_download() as started:
        page.get_by_role("link", name=download_label(language, shared)).click()
    assert Path(started.value.path()).read_bytes().startswith(b"%PDF")
    shared.refresh_from_db()
    assert shared.download_count == 1

    # The confirmation of the forum came by email, in the member's language.
    confirmation = portal.email_to(member.email, forum.title)
    assert tr(language, "You are registered: %(forum)s", forum=forum.title) in str(
        confirmation["Subject"]
    )
    mine.finish()

    # A member of another organization: the organization-only report is not
    # there for them, by its address or in a search.
    theirs = with_session_of(open_journey(browser, portal, axe, variant), outsider)
    page = theirs.page
    theirs.goto(private.get_absolute_url(), status=404)
    theirs.goto(reverse("research:search"))
    page.get_by_role("searchbox", name=tr(language, "Search the library")).fill("apprenticeship")
    if javascript:
        # htmx swaps the results and puts the query in the address.
        page.get_by_role("searchbox", name=tr(language, "Search the library")).press("Enter")
        page.wait_for_url("**q=apprenticeship**")
        theirs.check()
    else:
        follow(theirs, page.get_by_role("button", name=tr(language, "Search"), exact=True))
    results = page.locator("#research-results")
    expect(results.get_by_role("link", name=shared.title)).to_be_visible()
    expect(results.get_by_role("link", name=private.title)).to_have_count(0)
    theirs.finish()


# --- 6. An ask meets an offer, and a response reaches the poster --------------------------


@pytest.mark.parametrize(VARIANT_NAMES, VARIANTS)
def test_an_ask_finds_an_offer_and_the_response_reaches_the_poster_by_email(
    browser: Any, portal: Any, axe: Any, language: str, viewport: str, javascript: bool
) -> None:
    employer = OrganizationFactory(name=f"Peachtree Manufacturing {language}")
    trainer = OrganizationFactory(name=f"Fulton Skills Center {language}")
    poster = member_of(employer, user__language=language)
    responder = member_of(trainer)
    match = offer(
        organization=trainer,
        title=f"Twelve graduates of our welding course ({language})",
        stages=["job-access"],
        counties=["fulton"],
    )
    stage = Stage.objects.get(key="job-access")
    ask_title = f"Eight welders for our new line ({language})"
    variant = (language, viewport, javascript)

    # The poster writes the ask.
    asking = with_session_of(open_journey(browser, portal, axe, variant), poster)
    page = asking.page
    asking.goto(reverse("asks:board"))
    follow(asking, page.get_by_role("link", name=tr(language, "Post an ask or an offer")))
    page.get_by_role("radio", name=tr(language, "Ask"), exact=True).check()
    page.get_by_label(english_version(language, "title")).fill(ask_title)
    page.get_by_label(english_version(language, "description")).fill(
        "Welders for a second shift, **trained** and ready by spring."
    )
    page.get_by_role("radio", name=tr(language, "Employer demand")).check()
    with translation.override(language):
        stage_name = str(stage)
    page.get_by_role("checkbox", name=stage_name).check()
    page.get_by_role("checkbox", name="Fulton", exact=True).check()
    follow(
        asking,
        page.get_by_role(
            "button", name=tr(language, "Post as %(organization)s", organization=employer.name)
        ),
    )
    ask = Post.objects.get(title=ask_title)
    assert (ask.kind, ask.organization, ask.author) == (Post.Kind.ASK, employer, poster)
    assert asking.path == ask.get_absolute_url()

    # The other organization's offer is among the matches.
    follow(asking, page.get_by_role("link", name=tr(language, "Offers that fit this ask")))
    expect(page.get_by_role("link", name=match.title)).to_be_visible()

    # Someone of that organization finds the ask on the board and responds.
    answering = with_session_of(open_journey(browser, portal, axe, variant), responder)
    reply = "We can send you twelve certified welders next month."
    answering.goto(reverse("asks:board"))
    follow(answering, answering.page.get_by_role("link", name=ask_title))
    answering.page.get_by_label(field(tr(language, "Your message"))).fill(reply)
    follow(
        answering,
        answering.page.get_by_role(
            "button", name=tr(language, "Reply as %(organization)s", organization=trainer.name)
        ),
    )
    thread = Conversation.objects.get(post=ask, organization=trainer)
    assert answering.path == thread.get_absolute_url()
    answering.finish()

    # The poster reads it by email, in their language, and follows the link.
    message = portal.email_to(poster.email, ask_title)
    assert tr(
        language,
        "%(from_organization)s wrote about “%(post)s”",
        from_organization=trainer.name,
        post=ask_title,
    ) in str(message["Subject"])
    body = text_of(message)
    assert ask_title in body and reply in body
    asking.goto(link_in(message, thread.get_absolute_url()))
    expect(page.get_by_text(reply)).to_be_visible()
    asking.finish()
