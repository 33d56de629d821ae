"""The pages' Swedish words: the glossary's (shared with the yearly report) and the pages' own."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from grannsamverkan.domain import numbers
from grannsamverkan.domain.eligibility import THRESHOLD_DENOMINATOR, THRESHOLD_NUMERATOR, Eligibility
from grannsamverkan.domain.glossary import AREA_KINDS, GROUP_KINDS, GROUP_STATUSES, MONTHS, ROLES, long_date
from grannsamverkan.domain.ranking import METHOD_WORDS
from grannsamverkan.errors import FieldError

# The glossary's words, re-exported for the pages' templates and handlers.
__all__ = ["AREA_KINDS", "GROUP_KINDS", "GROUP_STATUSES", "MONTHS", "ROLES", "long_date"]

GOAL_STATUSES: Final = {
    "achieved": "Målet är nått",
    "on_track": "I fas",
    "behind": "Efter plan",
    "not_started": "Året har inte börjat",
}
#: The forms' fields by the words their labels use, for a message about the field.
FIELD_LABELS: Final = {
    "target_new_groups": "Antalet nya grupper",
    "target_info_meetings": "Antalet informationsmöten",
    "year": "Året",
    "kommun": "Kommunen",
    "name": "Namnet",
    "kind": "Sorten",
    "file": "Filen",
    "crs": "Koordinatsystemet",
    "dissolved_on": "Datumet för upplösningen",
    "established_on": "Datumet då gruppen bildades",
    "held_on": "Datumet",
    "household_id": "Hushållet",
    "email": "E-postadressen",
    "phone": "Telefonnumret",
    "place": "Platsen",
    "participants": "Antalet deltagare",
    "promise_id": "Löftet",
    "status": "Statusen",
    "status_comment": "Kommentaren",
    "step": "Steget",
    "note": "Anteckningen",
    "topic": "Ämnet",
    "who": "Vem",
    "fran": "Från",
    "till": "Till",
}
#: An active group that existed before the registry (its sign-ups were never recorded here).
EXISTING: Final = "befintlig grupp, registrerad före registret"
#: Why an active group no longer meets the rule, by the domain's reason.
SHORTFALLS: Final = {
    "below_threshold": f"under {numbers.percent(THRESHOLD_NUMERATOR, THRESHOLD_DENOMINATOR)} anmälda",
    "no_contact_person": "saknar kontaktperson",
}
# The ranking methods' names (the domain's words, which its refusals use too), as the page's
# choices: capitalised, empirical Bayes with what it does.
METHOD_HINTS: Final = {"eb": " (jämnar ut små områden)"}
METHODS: Final = {  # in the page's order: the default first
    code: METHOD_WORDS[code][:1].upper() + METHOD_WORDS[code][1:] + METHOD_HINTS.get(code, "") for code in ("eb", "rate", "near_repeat")
}
METHOD_PHRASES: Final = {
    "eb": "inbrott per 1 000 hushåll utjämnat mot kommunens snitt (empirisk Bayes)",
    "rate": "inbrott per 1 000 hushåll",
    "near_repeat": "nyliga inbrott nära i tid och rum",
}


def percent(share: float) -> str:
    """0.555 -> '55,5 %': rounded down, so a group that is not at 70 % never reads "70 %"."""
    return numbers.share(share)


def number(value: float, decimals: int = 1) -> str:
    """A decimal comma and no-break spaces between thousands, as Swedish readers expect."""
    return numbers.decimal(value, decimals)


def share_text(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a share rounded down ("69,5 %"); "0 %" for an area with no households."""
    return numbers.percent(part, whole) if whole else "0 %"


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
    return (
        f"Kan bildas: {e.households_signed_up} av {e.households_total} hushåll anmälda "
        f"({numbers.percent(e.households_signed_up, e.households_total)}) och en kontaktperson finns"
    )


def signup_summary(e: Eligibility) -> str:
    return (
        f"{numbers.count(e.households_signed_up)} av {numbers.count(e.households_total)} hushåll anmälda "
        f"({numbers.percent(e.households_signed_up, e.households_total)}); "
        f"{numbers.count(e.required_signups)} behövs för {numbers.percent(THRESHOLD_NUMERATOR, THRESHOLD_DENOMINATOR)}"
    )


_PLACE = re.compile(r"^(rad|objekt|händelse|line|feature|event) \d+: ")


def by_place(errors: Iterable[FieldError]) -> list[FieldError]:
    """Errors in file order: by line (CSV) or feature (GeoJSON); the others first."""
    return sorted(errors, key=lambda e: (e.line is not None or e.feature is not None, e.line or 0, e.feature or 0))


def place_stripped(error: FieldError) -> str:
    """The message without its leading "rad 3: " when the page already says "Rad 3:"."""
    if error.line is None and error.feature is None:
        return error.message
    return _PLACE.sub("", error.message, count=1)
