from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    name = "research"
    verbose_name = _("Research library")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from justop.registry import (
            DemoSeeder,
            DigestSection,
            HomeSection,
            ManagePage,
            NavLink,
            OrganizationSection,
            register_demo_seeder,
            register_digest_section,
            register_home_section,
            register_manage_page,
            register_nav_link,
            register_organization_section,
            register_sitemap,
        )
        from research import demo, sections, sitemaps
        from research.models import Resource
        from research.signals import forget_counts, refresh_search_document

        # Saves (refresh_search_document, below) and extractions start a new
        # generation of cached counts themselves (search.refresh_vectors);
        # these changes do not pass there.
        post_delete.connect(forget_counts, sender=Resource, dispatch_uid="research-deleted")
        for through in (
            Resource.topics.through,
            Resource.tags.through,
            Resource.organizations.through,
        ):
            m2m_changed.connect(forget_counts, sender=through, dispatch_uid=f"research-{through}")
        # An organization leaving the Circle (or coming back) takes its
        # resources out of every count (Resource.objects.visible_to).
        from circle.models import Organization

        post_save.connect(forget_counts, sender=Organization, dispatch_uid="research-publishers")

        register_nav_link(NavLink("research", _("Research"), "research:library", order=30))

        from justop.registry import MemberHomeSection, register_member_home_section
        from research import member_home

        register_member_home_section(
            MemberHomeSection(
                "research",
                "research/member_home_research.html",
                member_home.new_since_last_visit,
                order=40,
            )
        )
        register_manage_page(ManagePage("research", _("Research"), "research:manage_list"))
        register_home_section(
            HomeSection("research", "research/home_recent.html", sections.recent_on_home, order=20)
        )
        register_organization_section(
            OrganizationSection(
                "research", "research/organization_recent.html", sections.recent_of_organization
            )
        )
        register_digest_section(
            DigestSection(
                key="research",
                title=_("New research"),
                for_members=sections.new_for_members,
                order=30,
            )
        )
        register_sitemap("research", sitemaps.ResourceSitemap)
        register_sitemap("research-topics", sitemaps.TopicSitemap)
        register_demo_seeder(DemoSeeder("research", demo.seed_research, order=40))

        from justop import pagecache
        from research.models import Tag, Topic

        for model in (Topic, Tag, Resource):
            pagecache.watch(model, "research")

        # Every save of a resource rewrites its stored search document.
        # Connected last, so it runs after the other receivers of the save,
        # as it did when Resource.save called it after saving.
        post_save.connect(
            refresh_search_document, sender=Resource, dispatch_uid="research-search-document"
        )
