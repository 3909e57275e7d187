from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from justop import media, registry, unsubscribe, views
from justop.admin_queries import refusing_impossible_queries

admin.site.site_header = "JUST Opportunity Portal"
admin.site.site_title = "JUST Opportunity admin"
# Staff sign in through allauth, where two-factor authentication applies.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
# A query string its change lists would turn into a server error gets a 400.
admin.site.admin_view = refusing_impossible_queries(admin.site.admin_view)  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    # The public store's files when it is a local folder (justop/media.py).
    path("media/<path:path>", media.public_file, name="media"),
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("", include("circle.urls")),
    path("", include("asks.urls")),
    path("news/", include("news.urls")),
    # forums and research name their own prefixes (forums/, research/) and
    # their pages under orgs/<slug>/manage/.
    path("", include("forums.urls")),
    path("", include("research.urls")),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": registry.sitemaps()},
        name="sitemap",
    ),
    path("volunteer/", include("volunteering.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
