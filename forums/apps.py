from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = _("Forums")

    def ready(self) -> None:
        from forums import demo, invitations, sections, sitemaps
        from justop.registry import (
            DemoSeeder,
            DigestSection,
            HomeSection,
            MailStream,
            NavLink,
            OrganizationSection,
            register_demo_seeder,
            register_digest_section,
            register_home_section,
            register_mail_stream,
            register_nav_link,
            register_organization_section,
            register_sitemap,
        )

        # Between the news (10) and the continuum (20).
        register_home_section(
            HomeSection("forums", "forums/home_next.html", sections.next_on_home, order=15)
        )
        register_organization_section(
            OrganizationSection("forums", "forums/organization_forums.html", sections.hosted_by)
        )
        register_nav_link(NavLink("forums", _("Forums"), "forums:list", order=20))

        from forums import figures
        from justop.registry import HomeFigure, register_home_figure

        register_home_figure(
            HomeFigure("forums-held", figures.forums_held, figures.forums_held_label, order=20)
        )

        from forums import member_home
        from justop.registry import MemberHomeSection, register_member_home_section

        register_member_home_section(
            MemberHomeSection(
                "forums", "forums/member_home_forums.html", member_home.my_next_forums, order=20
            )
        )
        register_mail_stream(MailStream(invitations.STREAM, _("invitations to forums")))
        register_digest_section(
            DigestSection(
                key="upcoming-forums",
                title=_("Upcoming forums"),
                for_members=sections.upcoming_for_members,
                order=30,
            )
        )
        register_sitemap("forums", sitemaps.ForumSitemap)
        register_demo_seeder(DemoSeeder("forums", demo.seed_forums, order=40))

        from celery.schedules import crontab

        from justop.celery import register_beat

        # Forum reminders (per forum; 2 days and 2 hours before by default),
        # each once per person.
        register_beat("forum-reminders", "forums.tasks.send_reminders", crontab(minute="*/10"))
        # Guest registrations not confirmed in time free their places.
        register_beat(
            "expire-forum-registrations",
            "forums.tasks.expire_registrations",
            crontab(minute="*/15"),
        )

        from forums.models import (
            AgendaItem,
            CalendarFeed,
            Forum,
            ForumInvitation,
            Material,
            Registration,
        )
        from justop import pagecache

        # A registration changes the places left that forum pages show.
        for model in (Forum, AgendaItem, Material, Registration):
            pagecache.watch(model, "forums")
        pagecache.ignore(ForumInvitation, CalendarFeed)

        from forums import staff_pages
        from justop.registry import (
            PersonPanel,
            StaffDashboardPanel,
            register_person_panel,
            register_staff_dashboard_panel,
        )

        register_staff_dashboard_panel(
            StaffDashboardPanel(
                "forums", _("Forums this week"), staff_pages.forum_figures, order=20
            )
        )
        register_person_panel(
            PersonPanel(
                "forum-registrations",
                _("Forum registrations"),
                staff_pages.person_registrations,
                order=20,
            )
        )

        from forums import personal_data
        from justop.registry import PersonalData, register_personal_data

        register_personal_data(
            PersonalData(
                "forum_registrations", _("Forum registrations"), personal_data.registrations, 20
            )
        )
