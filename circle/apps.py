from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CircleConfig(AppConfig):
    name = "circle"
    verbose_name = _("Circle")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from circle import demo, digests, home, invitations, member_home, visits
        from justop.registry import (
            DemoSeeder,
            DigestSection,
            HomeFigure,
            HomeSection,
            MailStream,
            MemberHomeSection,
            register_demo_seeder,
            register_digest_section,
            register_home_figure,
            register_home_section,
            register_mail_stream,
            register_member_home_section,
        )

        # Before django.contrib.auth's update_last_login (circle comes first
        # in INSTALLED_APPS): the member home needs the previous sign-in.
        user_logged_in.connect(visits.remember_previous_visit, dispatch_uid="circle.previous_visit")
        register_member_home_section(
            MemberHomeSection(
                "organizations",
                "circle/member_home_organizations.html",
                member_home.organizations_and_tasks,
                order=10,
            )
        )

        register_home_section(
            HomeSection("continuum", "circle/home_continuum.html", home.continuum_section, order=20)
        )
        # Right after the continuum (same order, key after "continuum"); the
        # wall of member organizations closes the page.
        register_home_section(
            HomeSection("figures", "circle/home_figures.html", home.figures_section, order=20)
        )
        register_home_section(
            HomeSection("logo-wall", "circle/home_logo_wall.html", home.logo_wall_section, order=90)
        )
        register_home_figure(
            HomeFigure(
                "organizations",
                home.member_organizations,
                home.member_organizations_label,
                order=10,
            )
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

        from celery.schedules import crontab

        from justop.celery import register_beat

        # Digests go out in the morning, America/New_York (CELERY_TIMEZONE); each
        # covers the last complete day or week, and is sent once per period.
        register_beat(
            "daily-digest",
            "circle.tasks.send_digests",
            crontab(hour=7, minute=0),
            kwargs={"frequency": "daily"},
        )
        register_beat(
            "weekly-digest",
            "circle.tasks.send_digests",
            crontab(hour=7, minute=5, day_of_week="mon"),
            kwargs={"frequency": "weekly"},
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

        from circle import staff_pages
        from justop.registry import (
            PersonPanel,
            StaffDashboardPanel,
            register_person_panel,
            register_staff_dashboard_panel,
        )

        register_staff_dashboard_panel(
            StaffDashboardPanel("circle", _("The Circle"), staff_pages.circle_figures, order=10)
        )
        register_person_panel(
            PersonPanel("memberships", _("Memberships"), staff_pages.person_memberships, order=10)
        )
        register_person_panel(
            PersonPanel(
                "invitations", _("Invitations received"), staff_pages.person_invitations, order=12
            )
        )
        register_person_panel(
            PersonPanel(
                "applications", _("Join applications"), staff_pages.person_applications, order=14
            )
        )

        from circle.sitemaps import OrganizationSitemap
        from justop.registry import register_sitemap

        register_sitemap("organizations", OrganizationSitemap)
