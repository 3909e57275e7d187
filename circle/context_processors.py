from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from circle.access import is_member


def membership(request: HttpRequest) -> dict[str, object]:
    # Lazy: pages that never ask run no query for it.
    return {"is_circle_member": SimpleLazyObject(lambda: is_member(request.user))}
