from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = _("News")

    def ready(self) -> None:
        from justop.registry import (
            DemoSeeder,
            DigestSection,
            HomeSection,
            MailStream,
            register_demo_seeder,
            register_digest_section,
            register_home_section,
            register_mail_stream,
            register_sitemap,
        )
        from news import demo, newsletter, sections, sitemaps

        register_mail_stream(
            MailStream(
                newsletter.STREAM,
                _("the PSE newsletter"),
                on_unsubscribe=newsletter.mark_unsubscribed,
            )
        )
        register_home_section(
            HomeSection("news", "news/home_latest.html", sections.latest_on_home, order=10)
        )

        from justop.registry import MemberHomeSection, register_member_home_section
        from news import member_home

        register_member_home_section(
            MemberHomeSection(
                "news", "news/member_home_news.html", member_home.new_since_last_visit, order=50
            )
        )
        register_digest_section(
            DigestSection(
                key="news",
                title=_("PSE news"),
                for_public=sections.published_in,
                order=40,
            )
        )
        register_sitemap("pages", sitemaps.PageSitemap)
        register_sitemap("news", sitemaps.PostSitemap)
        register_sitemap("news-categories", sitemaps.CategorySitemap)
        register_demo_seeder(DemoSeeder("news", demo.seed_posts, order=30))

        from celery.schedules import crontab

        from justop.celery import register_beat

        # The newsletter: the public digest of the last week, to subscribers.
        register_beat(
            "weekly-newsletter",
            "news.tasks.send_newsletter",
            crontab(hour=8, minute=0, day_of_week="mon"),
        )

        from justop import pagecache
        from news.models import NewsPost, Subscriber

        pagecache.watch(NewsPost, "news")
        # The newsletter's list is shown to no one.
        pagecache.ignore(Subscriber)

        from justop.registry import PersonalData, register_personal_data
        from news import personal_data

        register_personal_data(
            PersonalData("newsletter", _("The PSE newsletter"), personal_data.newsletter, 50)
        )
