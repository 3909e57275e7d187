"""The staff pages' blocks that apps contribute through justop/registry.py."""

from __future__ import annotations

from django import template

from justop import registry

register = template.Library()


@register.simple_tag
def staff_dashboard() -> list[tuple[registry.StaffDashboardPanel, list[registry.StaffFigure]]]:
    return registry.staff_dashboard()
