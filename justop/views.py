from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.i18n import set_language as django_set_language

from justop import content, health, languages
from justop.pagecache import visitor_cache
from justop.registry import home_sections


@visitor_cache(shows=("organizations", "news", "forums", "research", "outcomes"))
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home.html",
        {
            "mission": content.MISSION,
            "circle_summary": content.CIRCLE_SUMMARY,
            "principles": content.GUIDING_PRINCIPLES,
            "sections": home_sections(request),
        },
    )


@visitor_cache
@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "about.html",
        {"mission": content.MISSION, "principles": content.GUIDING_PRINCIPLES},
    )


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, checks = health.run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


@never_cache
@require_safe
def livez(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers requests. Checks nothing else, so an
    outage of PostgreSQL or Redis does not get every web container restarted
    (readiness is /healthz)."""
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Search engines may read the public site, not the member area, the
    admin, nor any page behind a secret link (a registration, a sign-up, a
    personal calendar, an invitation, a newsletter confirmation): those
    addresses are in someone's email, and a crawler that was handed one
    must not index it."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /home/",
        "Disallow: /directory/",
        "Disallow: /continuum/",
        "Disallow: /orgs/*/manage/",
        "Disallow: /invitations/",
        "Disallow: /unsubscribe/",
        "Disallow: /forums/registrations/",
        "Disallow: /forums/calendar/",
        "Disallow: /forums/mine/",
        "Disallow: /forums/*/invitation/",
        "Disallow: /forums/*/check-in/",
        "Disallow: /news/newsletter/confirm/",
        "Disallow: /volunteer/sign-ups/",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also becomes the signed-in person's
    preferred language (the language of their emails). The way back leaves
    out any ?lang= (justop/languages.py), which would undo the choice."""
    response = django_set_language(request)
    if response.has_header("Location"):
        response["Location"] = languages.strip_from_address(response["Location"])
    language = request.POST.get("language")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and request.user.language != language
    ):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
