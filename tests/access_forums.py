"""Access-matrix rows of forums (see tests/test_access_matrix.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.access import Row, World

# One row per URL pattern name, like test_access_matrix.ROWS.
ROWS: dict[str, Row] = {}
# The object each registered admin model's change/delete/history pages open,
# by model label ("forums.Forum").
ADMIN_OBJECTS: dict[str, Callable[[World], Any]] = {}
# Admin pages that answer otherwise than 200 for staff, by (model label, view).
ADMIN_EXCEPTIONS: dict[tuple[str, str], int] = {}
# Extra admin views by URL name (without "admin:"): (status for staff, kwargs).
ADMIN_EXTRA_VIEWS: dict[str, tuple[int, Callable[[World], dict[str, Any]]]] = {}


def build(world: World) -> dict[str, Any]:
    """Objects owned by organization A (world.org_a) that the rows point at;
    they land in world.more under these names."""
    return {}
