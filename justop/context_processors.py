from typing import Any

from django.conf import settings
from django.http import HttpRequest

from justop.content import CONVENER


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "CONVENER": CONVENER,
    }
