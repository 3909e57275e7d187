"""Uploaded images, made safe and light: re-encoded with Pillow, stored in a
few widths as WebP plus a JPEG (or PNG, with transparency) fallback.

An image is stored as a set of renditions named after a hash of the upload
and their own size, ``<directory>/<hash>-<width>x<height>.<ext>``, so a name
never changes content and may be cached forever. The model field keeps one
name, the largest fallback; every other name of the set follows from it
(``renditions``), so nothing else needs to be stored: smaller widths are
those of ``WIDTHS`` below the largest, and their heights are computed from
it by the same rule the resizing used.

Renditions are written through the field's storage with the Storage API
only (``save``, ``exists``, ``delete``, ``url``, ``open``): the public store
and the private one may be local folders or an object store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WIDTHS = (160, 480, 1200)
FALLBACKS = ("jpg", "png")
NAME = re.compile(
    r"^(?P<stem>(?:.+/)?[0-9a-f]{24})-(?P<width>\d+)x(?P<height>\d+)\.(?P<ext>jpg|png)$"
)


@dataclass(frozen=True)
class Rendition:
    """One width of an image, in both of its formats."""

    width: int
    height: int
    webp: str
    fallback: str


def _height_at(width: int, largest: tuple[int, int]) -> int:
    """The height of a smaller width, from the largest rendition's size (not
    the original's, which a name does not keep)."""
    return max(1, round(largest[1] * width / largest[0]))


def _widths_below(largest_width: int) -> list[int]:
    return [w for w in WIDTHS if w < largest_width] + [largest_width]


def renditions(name: str) -> list[Rendition]:
    """The renditions of a stored image, smallest first; none when the name
    is not one of ours (an image stored before re-encoding)."""
    match = NAME.match(name or "")
    if match is None:
        return []
    stem, ext = match["stem"], match["ext"]
    largest = (int(match["width"]), int(match["height"]))
    result = []
    for width in _widths_below(largest[0]):
        height = largest[1] if width == largest[0] else _height_at(width, largest)
        base = f"{stem}-{width}x{height}"
        result.append(Rendition(width, height, f"{base}.webp", f"{base}.{ext}"))
    return result


def rendition_names(name: str) -> list[str]:
    """Every stored object of this image: all widths, both formats. A name
    that is not a rendition (an older upload) stands for itself alone."""
    found = renditions(name)
    if not found:
        return [name] if name else []
    return [n for r in found for n in (r.webp, r.fallback)]
