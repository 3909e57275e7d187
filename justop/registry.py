"""Places where apps contribute to cross-app pages without importing each other.

An app registers its contributions in its AppConfig.ready(); the home page,
organization pages and digests only read the registry. Each contribution
must apply the app's own visibility rule for the person it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class HomeSection:
    key: str
    template: str
    # Returns the section's context for this request, or None to hide it.
    get_context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100


_home_sections: dict[str, HomeSection] = {}


def register_home_section(section: HomeSection) -> None:
    _home_sections[section.key] = section


def home_sections(request: HttpRequest) -> list[tuple[HomeSection, dict[str, Any]]]:
    """The sections to show on the home page, in order, with their context."""
    shown = []
    for section in sorted(_home_sections.values(), key=lambda s: (s.order, s.key)):
        context = section.get_context(request)
        if context is not None:
            shown.append((section, context))
    return shown


# --- The Circle's figures on the home page --------------------------------------------
# Large numbers under "The Circle in numbers" (member organizations, forums
# held, people placed). Each app gives its own: count(request) applies the
# app's visibility rule in one query; label(count) is the words under the
# number for that count (ngettext). The home page renders them inside its
# cached page, so a model a figure counts must be watched under a kind the
# home page shows (justop/views.py).


@dataclass(frozen=True)
class HomeFigure:
    key: str
    count: Callable[[HttpRequest], int]
    label: Callable[[int], str]
    order: int = 100


@dataclass(frozen=True)
class ShownFigure:
    key: str
    count: int
    label: str


_home_figures: dict[str, HomeFigure] = {}


def register_home_figure(figure: HomeFigure) -> None:
    _home_figures[figure.key] = figure


def home_figures(request: HttpRequest) -> list[ShownFigure]:
    """Every registered figure for this request, in order."""
    shown = []
    for figure in sorted(_home_figures.values(), key=lambda f: (f.order, f.key)):
        count = figure.count(request)
        shown.append(ShownFigure(figure.key, count, figure.label(count)))
    return shown


# --- The member home (/home/) -----------------------------------------------------
# What is waiting for a signed-in person: their next forums, new matches and
# conversations of their organizations, what is new since their last visit,
# their tasks as an organization's admin. get_context(request) returns the
# section's context, or None to hide it; it applies the app's own visibility
# rule for the person, names the organization each item is for when they
# belong to several, and costs a fixed number of queries whatever the data.


@dataclass(frozen=True)
class MemberHomeSection:
    key: str
    template: str
    get_context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100


_member_home_sections: dict[str, MemberHomeSection] = {}


def register_member_home_section(section: MemberHomeSection) -> None:
    _member_home_sections[section.key] = section


def member_home_sections(
    request: HttpRequest,
) -> list[tuple[MemberHomeSection, dict[str, Any]]]:
    """The sections to show on the member home, in order, with their context."""
    shown = []
    for section in sorted(_member_home_sections.values(), key=lambda s: (s.order, s.key)):
        context = section.get_context(request)
        if context is not None:
            shown.append((section, context))
    return shown


# --- Demo data ------------------------------------------------------------------
# seed_demo runs the seeders in order; each must be idempotent (running the
# command twice leaves the same data) and returns lines to print.


@dataclass(frozen=True)
class DemoSeeder:
    key: str
    seed: Callable[..., list[str]]
    order: int = 100


_demo_seeders: dict[str, DemoSeeder] = {}


def register_demo_seeder(seeder: DemoSeeder) -> None:
    _demo_seeders[seeder.key] = seeder


def demo_seeders() -> list[DemoSeeder]:
    return sorted(_demo_seeders.values(), key=lambda s: (s.order, s.key))


# --- Mail streams ---------------------------------------------------------------
# Bulk mail belongs to a stream that people can leave with one click. The app
# that owns a stream registers it with what leaving it means there (e.g. the
# member digest turns the person's digest frequency off).


@dataclass(frozen=True)
class MailStream:
    key: str
    # What the person stops receiving, e.g. "the member digest" (lazy text).
    label: Any
    on_unsubscribe: Callable[[str], None] | None = None


_mail_streams: dict[str, MailStream] = {}


def register_mail_stream(stream: MailStream) -> None:
    _mail_streams[stream.key] = stream


def unregister_mail_stream(key: str) -> None:
    _mail_streams.pop(key, None)


def mail_stream(key: str) -> MailStream:
    try:
        return _mail_streams[key]
    except KeyError:
        raise LookupError(f"Unknown mail stream {key!r}: register it first.") from None


# --- Digest sections --------------------------------------------------------------
# Each app contributes what is new for a person in a period. A section gets a
# batch of members and the period, and returns {user id: [item, ...]} holding
# only what each member may see, in a fixed number of queries for the batch.
# A section whose items are public gives only for_public: every member then
# gets its items.
# An item is a JSON-ready dict: {"title", "url", "summary", "meta"}; "url" is
# absolute or a site path. The public digest (the newsletter) calls for_public.


@dataclass(frozen=True)
class DigestSection:
    key: str
    title: Any  # lazy text
    for_members: Callable[[Sequence[Any], Any], Mapping[int, list[dict[str, str]]]] | None = None
    for_public: Callable[[Any], list[dict[str, str]]] | None = None
    order: int = 100


_digest_sections: dict[str, DigestSection] = {}


def register_digest_section(section: DigestSection) -> None:
    _digest_sections[section.key] = section


def unregister_digest_section(key: str) -> None:
    _digest_sections.pop(key, None)


def digest_sections() -> list[DigestSection]:
    return sorted(_digest_sections.values(), key=lambda s: (s.order, s.key))


# --- Organization page sections ----------------------------------------------------
# What an organization contributes (forums hosted, research published, open
# asks and offers), shown on its page. get_context(request, organization)
# returns the section's context, or None to hide it, and applies the app's
# own visibility rule for the person asking.


@dataclass(frozen=True)
class OrganizationSection:
    key: str
    template: str
    get_context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    order: int = 100


_organization_sections: dict[str, OrganizationSection] = {}


def register_organization_section(section: OrganizationSection) -> None:
    _organization_sections[section.key] = section


def organization_sections(
    request: HttpRequest, organization: Any
) -> list[tuple[OrganizationSection, dict[str, Any]]]:
    shown = []
    for section in sorted(_organization_sections.values(), key=lambda s: (s.order, s.key)):
        context = section.get_context(request, organization)
        if context is not None:
            shown.append((section, context))
    return shown


# --- Sitemap ----------------------------------------------------------------------------
# Each app adds the sections of /sitemap.xml that list its public pages.

_sitemaps: dict[str, Any] = {}


def register_sitemap(key: str, sitemap: Any) -> None:
    _sitemaps[key] = sitemap


def sitemaps() -> dict[str, Any]:
    """The live mapping (filled as apps become ready), for the sitemap view."""
    return _sitemaps


# --- Pages under /orgs/<slug>/manage/ ---------------------------------------------------
# An app that lets an organization's admins manage its content there (research,
# asks and offers) adds a tab to the management navigation. url_name is
# reversed with the organization's slug as its only argument.


@dataclass(frozen=True)
class ManagePage:
    key: str
    label: Any  # lazy text
    url_name: str
    order: int = 100


_manage_pages: dict[str, ManagePage] = {}


def register_manage_page(page: ManagePage) -> None:
    _manage_pages[page.key] = page


def manage_pages() -> list[ManagePage]:
    return sorted(_manage_pages.values(), key=lambda p: (p.order, p.key))


# --- Main navigation ---------------------------------------------------------------------
# Sections of the site an app adds to the main menu. members_only links are
# shown to members of the Circle and staff only.


@dataclass(frozen=True)
class NavLink:
    key: str
    label: Any  # lazy text
    url_name: str
    order: int = 100
    members_only: bool = False


_nav_links: dict[str, NavLink] = {}


def register_nav_link(link: NavLink) -> None:
    _nav_links[link.key] = link


def nav_links() -> list[NavLink]:
    return sorted(_nav_links.values(), key=lambda link: (link.order, link.key))


# --- The continuum map's asks and offers ------------------------------------------------
# The app of asks and offers tells the continuum map how many open asks and
# offers a viewer may see per stage and county; the map links each count to
# the board filtered by stage and county. Without one, the map shows none.


@dataclass(frozen=True)
class ContinuumPosts:
    # (stage pk, county pk, "ask" or "offer") -> count, for a viewer
    # (circle.viewers.Viewer), applying the posts' visibility rule.
    counts: Callable[[Any], Mapping[tuple[int, int, str], int]]
    board_url_name: str


_continuum_posts: list[ContinuumPosts] = []


def register_continuum_posts(source: ContinuumPosts) -> None:
    _continuum_posts[:] = [source]


def continuum_posts() -> ContinuumPosts | None:
    return _continuum_posts[0] if _continuum_posts else None


# --- The staff dashboard and the page of one person ---------------------------------------
# The admin's index shows figures each app contributes (applications waiting,
# this week's forums, failed emails...), each linking to its filtered admin
# list; a person's admin page shows what each app holds about them. justop and
# circle render both without importing the apps that fill them.


@dataclass(frozen=True)
class StaffFigure:
    label: Any  # lazy text, e.g. "Join applications waiting"
    count: int
    url: str  # the admin list these rows are in, filtered to them
    detail: str = ""  # a line under the label, e.g. "12 of 40 places · 3 waiting"


@dataclass(frozen=True)
class StaffDashboardPanel:
    key: str
    title: Any  # lazy text
    # The panel's figures, in a fixed number of queries whatever the data.
    figures: Callable[[], Sequence[StaffFigure]]
    order: int = 100


_staff_dashboard_panels: dict[str, StaffDashboardPanel] = {}


def register_staff_dashboard_panel(panel: StaffDashboardPanel) -> None:
    _staff_dashboard_panels[panel.key] = panel


def staff_dashboard() -> list[tuple[StaffDashboardPanel, list[StaffFigure]]]:
    return [
        (panel, list(panel.figures()))
        for panel in sorted(_staff_dashboard_panels.values(), key=lambda p: (p.order, p.key))
    ]


@dataclass(frozen=True)
class PersonItem:
    text: str
    state: str = ""  # e.g. "Registered", "sent"
    when: Any = None  # a datetime or date, shown as a date
    url: str = ""  # the row's admin page


@dataclass(frozen=True)
class PersonPanel:
    key: str
    title: Any  # lazy text
    # (items, url of the admin list filtered to this person, or "") for a
    # user, in a fixed number of queries; the panel shows the first items.
    items: Callable[[Any], tuple[Sequence[PersonItem], str]]
    order: int = 100


_person_panels: dict[str, PersonPanel] = {}


def register_person_panel(panel: PersonPanel) -> None:
    _person_panels[panel.key] = panel


def person_panels(user: Any) -> list[tuple[PersonPanel, list[PersonItem], str]]:
    shown = []
    for panel in sorted(_person_panels.values(), key=lambda p: (p.order, p.key)):
        items, url = panel.items(user)
        shown.append((panel, list(items), url))
    return shown


# --- A person's data download ------------------------------------------------------------
# The account page's "download my data" (and the admin's copy of it) holds what
# every app keeps about the person: each app gives its rows (JSON-ready dicts)
# for a user, found by their account and by their email address where people
# without an account can take part, in a fixed number of queries.


@dataclass(frozen=True)
class PersonalData:
    key: str
    title: Any  # lazy text, what the rows are, e.g. "Forum registrations"
    rows: Callable[[Any], Sequence[Mapping[str, Any]]]
    order: int = 100


_personal_data: dict[str, PersonalData] = {}


def register_personal_data(part: PersonalData) -> None:
    _personal_data[part.key] = part


def personal_data(user: Any) -> dict[str, list[Mapping[str, Any]]]:
    """{key: rows} of every registered part, in order."""
    parts = sorted(_personal_data.values(), key=lambda p: (p.order, p.key))
    return {part.key: list(part.rows(user)) for part in parts}
