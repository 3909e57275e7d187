"""What the admin refuses in a query string before its change lists read it.

Django's change lists take list-filter values as they come and give them to
the database: a NUL in ``?status__exact=`` reaches PostgreSQL, which refuses
it in text, and a date-hierarchy year too large for a date
(``?created_at__year=9999`` or thirty nines) fails while the bounds are
computed (Django ticket #37357, fixed after 6.1.3). Either was a server error
for every model with a filter or a date hierarchy. Such a request is refused
with the 400 page, like any request that cannot be understood; a value that
is merely wrong (a choice no row has) still finds nothing as Django does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, cast

from django.core.exceptions import BadRequest
from django.http import HttpRequest, QueryDict

DATE_PART = re.compile(r"[0-9]{1,4}")
# The date hierarchy reads <field>__year, __month and __day, and asks for the
# following year too: the last year with a following one in Python's dates.
LAST_YEAR = 9998


def impossible(query: QueryDict) -> str | None:
    """Why the query cannot be answered, or None."""
    for key, values in query.lists():
        if any("\x00" in text for text in (key, *values)):
            return "a NUL character"
        if key.endswith(("__year", "__month", "__day")):
            for value in values:
                if not DATE_PART.fullmatch(value) or (
                    key.endswith("__year") and int(value) > LAST_YEAR
                ):
                    return f"a date that is no date in {key}"
    return None


class AdminView(Protocol):
    """The shape of AdminSite.admin_view: a view in, the same kind out."""

    def __call__[V: Callable[..., Any]](self, view: V, cacheable: bool = False) -> V: ...


def refusing_impossible_queries(admin_view: AdminView) -> AdminView:
    """Wraps AdminSite.admin_view: each admin page, once the person may see
    it, first checks its query string."""

    def wrapped[V: Callable[..., Any]](view: V, cacheable: bool = False) -> V:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if (reason := impossible(request.GET)) is not None:
                raise BadRequest(f"The query string holds {reason}.")
            return view(request, *args, **kwargs)

        return admin_view(cast(V, checked), cacheable)

    return wrapped
