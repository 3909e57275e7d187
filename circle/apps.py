from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CircleConfig(AppConfig):
    name = "circle"
    verbose_name = _("Circle")

    def ready(self) -> None:
        from circle import demo, digests, home, invitations
        from justop.registry import (
            DemoSeeder,
            DigestSection,
            HomeSection,
            MailStream,
            register_demo_seeder,
            register_digest_section,
            register_home_section,
            register_mail_stream,
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

        from circle.models import (
            County,
            EmailPreferences,
            Expertise,
            Invitation,
            InvitationBatch,
            JoinApplication,
            Membership,
            Organization,
            Stage,
            User,
        )
        from justop import pagecache

        for model in (Organization, Membership, Stage, County, Expertise):
            pagecache.watch(model, "organizations")
        # Names of people show on public pages (news authors, an
        # organization's people); a sign-in writes last_login only.
        pagecache.watch(User, "people", ignore_fields={"last_login"})
        # Members' own business: invitations, applications and preferences
        # are for their people.
        pagecache.ignore(EmailPreferences, InvitationBatch, Invitation, JoinApplication)
