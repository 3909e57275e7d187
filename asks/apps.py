from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AsksConfig(AppConfig):
    name = "asks"
    verbose_name = _("Asks and offers")

    def ready(self) -> None:
        from asks import continuum, demo, digest, sections
        from justop.registry import (
            ContinuumPosts,
            DemoSeeder,
            DigestSection,
            ManagePage,
            NavLink,
            OrganizationSection,
            register_continuum_posts,
            register_demo_seeder,
            register_digest_section,
            register_manage_page,
            register_nav_link,
            register_organization_section,
        )

        register_nav_link(NavLink("asks", _("Asks & offers"), "asks:board", members_only=True))

        from asks import member_home
        from justop.registry import MemberHomeSection, register_member_home_section

        register_member_home_section(
            MemberHomeSection(
                "asks", "asks/member_home_asks.html", member_home.for_my_organizations, order=30
            )
        )
        register_manage_page(ManagePage("asks", _("Asks & offers"), "asks:manage_posts"))
        register_organization_section(
            OrganizationSection(
                "asks", "asks/organization_section.html", sections.open_posts, order=30
            )
        )
        register_digest_section(
            DigestSection(
                key="asks",
                title=_("Asks and offers for your organization"),
                for_members=digest.for_members,
                order=40,
            )
        )
        register_demo_seeder(DemoSeeder("asks", demo.seed_posts, order=60))
        # The continuum map's open asks and offers per stage and county.
        register_continuum_posts(ContinuumPosts(continuum.open_posts, "asks:board"))

        from celery.schedules import crontab

        from justop.celery import register_beat

        # Asks and offers past their deadline become closed (pages count them
        # as expired already; this stores it).
        register_beat("close-expired-posts", "asks.tasks.close_expired_posts", crontab(minute=5))

        from asks.models import Conversation, Match, Outcome, Post, PostResponse
        from justop import pagecache

        # Asks & offers are for members only: no visitor's page shows them,
        # but the home page's figures count the people placed (outcomes).
        pagecache.ignore(Post, Match, Conversation, PostResponse)
        pagecache.watch(Outcome, "outcomes")

        from asks import figures
        from justop.registry import HomeFigure, register_home_figure

        register_home_figure(
            HomeFigure(
                "people-placed", figures.people_placed, figures.people_placed_label, order=30
            )
        )

        from asks import staff_pages
        from justop.registry import PersonPanel, register_person_panel

        register_person_panel(
            PersonPanel("asks", _("Asks and offers posted"), staff_pages.person_posts, order=40)
        )
        register_person_panel(
            PersonPanel("asks-messages", _("Messages"), staff_pages.person_messages, order=42)
        )

        from asks import personal_data
        from justop.registry import PersonalData, register_personal_data

        register_personal_data(
            PersonalData("asks_and_offers", _("Asks and offers posted"), personal_data.posts, 40)
        )
        register_personal_data(PersonalData("messages", _("Messages"), personal_data.messages, 42))
