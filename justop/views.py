from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from justop import content, health
from justop.registry import home_sections


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
