"""The pages' Swedish words for the registry's states: one place, so every page says the same."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Final

from grannsamverkan.domain.eligibility import Eligibility
from grannsamverkan.errors import FieldError

AREA_KINDS: Final = {
    "villa": "Villaområde", "radhus": "Radhusområde", "flerbostadshus": "Flerbostadshus", "by": "By",
    "fritidshus": "Fritidshusområde", "blandat": "Blandat",
}
GROUP_KINDS: Final = {"grannsamverkan": "Grannsamverkan", "byavakt": "Byavakt"}
GROUP_STATUSES: Final = {"forming": "Bildas", "active": "Aktiv", "dissolved": "Upplöst"}
GOAL_STATUSES: Final = {
    "achieved": "Målet är nått", "on_track": "I fas", "behind": "Efter plan", "not_started": "Året har inte börjat",
}
ROLES: Final = {"admin": "administratör", "coordinator": "samordnare", "police": "polis"}
METHODS: Final = {
    "eb": "Empirisk Bayes (jämnar ut små områden)",
    "rate": "Inbrott per 1 000 hushåll",
    "near_repeat": "Upprepade inbrott nära i tid och rum",
}
METHOD_PHRASES: Final = {
    "eb": "inbrott per 1 000 hushåll utjämnat mot kommunens snitt (empirisk Bayes)",
    "rate": "inbrott per 1 000 hushåll",
    "near_repeat": "nyliga inbrott nära i tid och rum",
}
MONTHS: Final = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
                 "oktober", "november", "december")


def percent(share: float) -> str:
    """0.55 -> '55 %' (Swedish style, a space before the sign; no decimals)."""
    return f"{round(share * 100):d} %"


def number(value: float, decimals: int = 1) -> str:
    """A decimal comma, as Swedish readers expect."""
    return f"{value:.{decimals}f}".replace(".", ",")


def long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def households(n: int) -> str:
    return f"{n} hushåll"


def eligibility_text(e: Eligibility) -> str:
    """Exactly what is missing before the group can be established, or that it can be."""
    if "not_forming" in e.reasons:
        return "Gruppen bildas inte längre"
    if "no_households" in e.reasons:
        return "Området har inga hushåll ännu"
    missing_households = "below_threshold" in e.reasons
    missing_contact = "no_contact_person" in e.reasons
    if missing_households and missing_contact:
        return f"{e.missing_signups} hushåll till och en kontaktperson behövs"
    if missing_households:
        return f"{e.missing_signups} hushåll till behövs"
    if missing_contact:
        return "En kontaktperson behövs"
    return (f"Kan bildas: {e.households_signed_up} av {e.households_total} hushåll anmälda "
            f"({percent(e.share)}) och en kontaktperson finns")


def signup_summary(e: Eligibility) -> str:
    return (f"{e.households_signed_up} av {e.households_total} hushåll anmälda ({percent(e.share)}); "
            f"{e.required_signups} behövs för 70 %")


_PLACE = re.compile(r"^(line|feature|event) \d+: ")


def by_place(errors: Iterable[FieldError]) -> list[FieldError]:
    """Errors in file order: by line (CSV) or feature (GeoJSON); the others first."""
    return sorted(errors, key=lambda e: (e.line is not None or e.feature is not None, e.line or 0, e.feature or 0))


def place_stripped(error: FieldError) -> str:
    """The message without its leading "line 3: " when the page already says "Rad 3:"."""
    if error.line is None and error.feature is None:
        return error.message
    return _PLACE.sub("", error.message, count=1)
