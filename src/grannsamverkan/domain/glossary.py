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
#: What a role may do (domain.access), as a refusal names it: "får inte ändra registret".
CAPABILITIES: Final = {
    "read": "läsa registret",
    "read_households": "se hushållens adresser",
    "write": "ändra registret",
    "admin": "administrera konton och nycklar",
    "log": "logga aktiviteter för medborgarlöften",
    "approve": "godkänna grupper",
}
#: The steps of a group's life (domain.lifecycle), as a refusal names them: "får inte godkänna gruppen".
STEPS: Final = {
    "propose": "föreslå gruppen",
    "review": "granska gruppen",
    "approve": "godkänna gruppen",
    "establish": "bilda gruppen",
    "lapse": "förklara gruppen vilande",
    "reactivate": "återaktivera gruppen",
    "dissolve": "upplösa gruppen",
}
#: Households that joined a group: "anmälda" (never "anslutna").
SIGNED_UP: Final = "anmälda"
SIGNED_UP_HOUSEHOLDS: Final = "Anmälda hushåll"
MONTHS: Final = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december")


def long_date(day: date) -> str:
    """``date(2026, 3, 14)`` -> ``"14 mars 2026"``, as dates are written in Swedish prose."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
