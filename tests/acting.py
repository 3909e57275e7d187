"""Reading the buttons of a form that acts for an organization."""

from __future__ import annotations

import re

BUTTON = re.compile(
    r'<button type="submit" name="organization" value="(?P<pk>\d+)"'
    r' class="button(?P<secondary> button-secondary)?">(?P<text>[^<]*)</button>'
)


def acting_buttons(html: str) -> list[str]:
    """The texts of the organization buttons, the main one first."""
    found = list(BUTTON.finditer(html))
    assert all(b["secondary"] for b in found[1:]) and not (found and found[0]["secondary"])
    return [b["text"] for b in found]
