"""Access-matrix rows of the research library (see tests/test_access_matrix.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile

from tests.access import LOGIN, Row, World, admins_of_a, org_a, same


def org_a_only(**kwargs: Any) -> Row:
    """Only people of organization A (and staff) may open A's
    organization-only resource; everyone else signed in is told it does not
    exist, and a signed-out person is asked to sign in first."""
    return Row(LOGIN, 404, 200, member_a=200, admin_a=200, member_b=404, **kwargs)


def _resource(w: World) -> dict[str, Any]:
    return {"slug": w.more["research_org_only"].slug}


# One row per URL pattern name, like test_access_matrix.ROWS.
ROWS: dict[str, Row] = {
    "research:library": same(200),
    "research:search": same(200),
    "research:topic": Row(200, 200, 200, kwargs={"slug": "place-based"}),
    "research:resource": org_a_only(kwargs=_resource),
    "research:download": org_a_only(kwargs=_resource),
    "research:cover": org_a_only(kwargs=_resource),
    "research:manage_list": admins_of_a(kwargs=org_a),
    "research:manage_add": admins_of_a(kwargs=org_a),
    "research:manage_edit": admins_of_a(
        kwargs=lambda w: org_a(w, pk=w.more["research_org_only"].pk)
    ),
}
# The object each registered admin model's change/delete/history pages open,
# by model label ("forums.Forum").
ADMIN_OBJECTS: dict[str, Callable[[World], Any]] = {
    "research.Resource": lambda w: w.more["research_org_only"],
    "research.Topic": lambda w: w.more["research_topic"],
    "research.Tag": lambda w: w.more["research_tag"],
}
# Admin pages that answer otherwise than 200 for staff, by (model label, view).
ADMIN_EXCEPTIONS: dict[tuple[str, str], int] = {}
# Extra admin views by URL name (without "admin:"): (status for staff, kwargs).
ADMIN_EXTRA_VIEWS: dict[str, tuple[int, Callable[[World], dict[str, Any]]]] = {}


def build(world: World) -> dict[str, Any]:
    """Objects owned by organization A (world.org_a) that the rows point at;
    they land in world.more under these names."""
    from research.models import Resource, Tag, Topic
    from tests.research.factories import ResourceFactory, ensure_topics, pdf_bytes

    ensure_topics()
    tag = Tag.objects.create(name="Wages", slug="wages")
    resource = ResourceFactory(
        title="Organization A's internal wage study",
        slug="organization-a-wage-study",
        visibility=Resource.Visibility.ORGANIZATION,
        organizations=[world.org_a],
    )
    resource.tags.add(tag)
    # Fixed names, written once: the matrix builds this world for every row.
    resource.file.name = _stored("research/files/access-matrix.pdf", pdf_bytes("Wage study"))
    resource.cover.name = _stored("research/covers/access-matrix.png", _png())
    resource.file_type = Resource.FileType.PDF
    resource.cover_alt = "A chart of wages"
    resource.save()
    return {
        "research_org_only": resource,
        "research_topic": Topic.objects.get(key="place-based"),
        "research_tag": tag,
    }


def _stored(name: str, content: bytes) -> str:
    from justop.uploads import private_storage

    storage = private_storage()
    if not storage.exists(name):
        storage.save(name, ContentFile(content))
    return name


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()
