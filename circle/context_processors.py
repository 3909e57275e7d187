from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from circle.access import is_member
from circle.viewers import has_staff_power


def membership(request: HttpRequest) -> dict[str, object]:
    # Lazy: pages that never ask run no query for it. An error page may be
    # rendered before AuthenticationMiddleware ran (a Host not allowed is
    # refused first): then there is no user, and nobody is a member.
    def user() -> object:
        return getattr(request, "user", None)

    return {
        "is_circle_member": SimpleLazyObject(lambda: is_member(user())),
        # Staff whose session passed a second factor (circle/viewers.py).
        "staff_power": SimpleLazyObject(lambda: has_staff_power(user())),
    }
