"""The words for the registry's things, one place for the pages and the yearly report.

A status, a kind or a role reads the same on every page and in the report ("Bildas", never
"Under bildande" in one place and "Bildas" in the other; households are "anmälda" everywhere).
Sentences in error messages use :data:`grannsamverkan.domain.lifecycle.STATUS_WORDS`, the same
states in the form that fits after "gruppen är".
"""

from __future__ import annotations

from datetime import date
from typing import Final

AREA_KINDS: Final = {
    "villa": "Villaområde",
    "radhus": "Radhusområde",
    "flerbostadshus": "Flerbostadshus",
    "by": "By",
    "fritidshus": "Fritidshusområde",
    "blandat": "Blandat",
}
GROUP_KINDS: Final = {"grannsamverkan": "Grannsamverkan", "byavakt": "Byavakt"}
GROUP_STATUSES: Final = {
    "forming": "Bildas",
    "proposed": "Föreslagen",
    "reviewed": "Granskad av kommunen",
    "approved": "Godkänd av polisen",
    "active": "Aktiv",
    "lapsed": "Vilande",
    "dissolved": "Upplöst",
}
ROLES: Final = {"admin": "administratör", "coordinator": "samordnare", "police": "polis"}
#: Households that joined a group: "anmälda" (never "anslutna").
SIGNED_UP: Final = "anmälda"
SIGNED_UP_HOUSEHOLDS: Final = "Anmälda hushåll"
MONTHS: Final = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december")


def long_date(day: date) -> str:
    """``date(2026, 3, 14)`` -> ``"14 mars 2026"``, as dates are written in Swedish prose."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
