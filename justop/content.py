"""Standing content of the Circle, from the page the portal grew from.

The six guiding principles are also the topics of the research library.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MISSION = _(
    "Partnership for Southern Equity (PSE) pushes for policies and actions that promote "
    "equity and shared prosperity in metropolitan Atlanta. Through forums, research, and "
    "organizing efforts, PSE brings together the regional community to lift up and "
    "encourage just, sustainable, and civic practices for balanced growth and opportunity."
)

CIRCLE_SUMMARY = _(
    "Promoting an inclusive economy for all Atlanta residents is an essential part of PSE's "
    "JUST Opportunity portfolio. The JUST Opportunity Circle (JOC) is an organized group of "
    "key regional economic development leaders from the private, nonprofit, and government "
    "sectors, exploring sustainable strategies and solutions for equitable economic "
    "opportunities for individuals and their families."
)

# (slug, short title, the principle as the Circle wrote it)
GUIDING_PRINCIPLES = [
    (
        "economic-inclusion",
        _("Economic inclusion"),
        _(
            "Economic inclusion accounts for the financial well-being of families "
            "throughout the region."
        ),
    ),
    (
        "untapped-assets",
        _("Untapped economic assets"),
        _("Low-income communities and communities of color are untapped economic assets."),
    ),
    (
        "equitable-education",
        _("Equitable education"),
        _(
            "Access to equitable educational opportunities with support systems are key to "
            "successful economic development efforts."
        ),
    ),
    (
        "workforce-development",
        _("Workforce and soft skills"),
        _(
            "Increased workforce and soft-skills development for vulnerable communities foster "
            "engagement for a stronger economy."
        ),
    ),
    (
        "human-assets",
        _("Human assets and market outcomes"),
        _(
            "The human assets found in under-resourced communities must be positioned to "
            "inform and benefit from positive market outcomes."
        ),
    ),
    (
        "place-based",
        _("Place-based approaches"),
        _(
            "Place-based approaches for economic inclusion will revitalize under-developed "
            "areas and invigorate metropolitan economies."
        ),
    ),
]


@dataclass(frozen=True)
class Convener:
    """Who convenes the Circle, as the footer and emails name them: one
    place for the address and the links, so they change once."""

    name: str
    street: str
    locality: str
    region: str
    postal_code: str
    website: str
    email: str
    # (label, address); the labels are the networks' own names.
    social: tuple[tuple[str, str], ...]

    @property
    def address_lines(self) -> tuple[str, str]:
        return self.street, f"{self.locality}, {self.region} {self.postal_code}"


CONVENER = Convener(
    name="Partnership for Southern Equity",
    street="50 Hurt Plaza SE, Suite 1510",
    locality="Atlanta",
    region="GA",
    postal_code="30303",
    website="https://psequity.org",
    email="info@psequity.org",
    social=(
        ("Facebook", "https://www.facebook.com/psequity"),
        ("Instagram", "https://www.instagram.com/psequity/"),
        ("LinkedIn", "https://www.linkedin.com/company/partnership-for-southern-equity"),
        ("X", "https://x.com/psequity"),
    ),
)
