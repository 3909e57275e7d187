from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CircleConfig(AppConfig):
    name = "circle"
    verbose_name = _("Circle")

    def ready(self) -> None:
        from circle import (
            demo,
            demo_asks,
            digest_asks,
            digests,
            home,
            invitations,
            sections_asks,
        )
        from justop.registry import (
            DemoSeeder,
            DigestSection,
            HomeSection,
            MailStream,
            ManagePage,
            NavLink,
            OrganizationSection,
            register_demo_seeder,
            register_digest_section,
            register_home_section,
            register_mail_stream,
            register_manage_page,
            register_nav_link,
            register_organization_section,
        )

        register_home_section(
            HomeSection("continuum", "circle/home_continuum.html", home.continuum_section, order=20)
        )
        register_demo_seeder(DemoSeeder("organizations", demo.seed_organizations, order=10))
        register_mail_stream(
            MailStream(
                digests.STREAM, _("the member digest"), on_unsubscribe=digests.turn_off_digest
            )
        )
        register_mail_stream(
            MailStream(invitations.STREAM, _("invitations to join organizations of the Circle"))
        )
        register_digest_section(
            DigestSection(
                key="new-organizations",
                title=_("New member organizations"),
                for_public=digests.new_organizations,
                order=50,
            )
        )

        # Asks and offers
        register_nav_link(NavLink("asks", _("Asks & offers"), "circle:board", members_only=True))
        register_manage_page(ManagePage("asks", _("Asks & offers"), "circle:manage_posts"))
        register_organization_section(
            OrganizationSection(
                "asks", "circle/asks/organization_section.html", sections_asks.open_posts, order=30
            )
        )
        register_digest_section(
            DigestSection(
                key="asks",
                title=_("Asks and offers for your organization"),
                for_members=digest_asks.for_members,
                order=40,
            )
        )
        register_demo_seeder(DemoSeeder("asks", demo_asks.seed_posts, order=60))
        # Celery discovers circle.tasks only: importing this module registers
        # the hourly task that closes posts past their deadline.
        from circle import tasks_asks  # noqa: F401
        from circle.models import (
            Conversation,
            County,
            EmailPreferences,
            Expertise,
            Invitation,
            InvitationBatch,
            JoinApplication,
            Match,
            Membership,
            Organization,
            Outcome,
            Post,
            PostResponse,
            Stage,
            User,
        )
        from justop import pagecache

        for model in (Organization, Membership, Stage, County, Expertise):
            pagecache.watch(model, "organizations")
        # Names of people show on public pages (news authors, an
        # organization's people); a sign-in writes last_login only.
        pagecache.watch(User, "people", ignore_fields={"last_login"})
        # Members' own business: asks & offers are for members, invitations,
        # applications and preferences for their people.
        pagecache.ignore(EmailPreferences, InvitationBatch, Invitation, JoinApplication)
        pagecache.ignore(Post, Match, Conversation, PostResponse, Outcome)
