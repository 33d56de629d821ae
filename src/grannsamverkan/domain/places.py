"""Unsafe (and safe) physical places reported by citizens: the rules, without I/O.

Categories, times of day, the status workflow, the blurred public position, the check for text
that looks like personal data, and the per-client submission limit. The Swedish words for every
code live here too, so the public page, the coordinator pages, Open311 and the report say the same.
"""

from __future__ import annotations

import math
import re
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Final, Literal

from grannsamverkan import messages
from grannsamverkan.errors import Conflict, FieldError, InvalidInput

Category = Literal["belysning", "vaxtlighet", "skadegorelse", "nedskrapning", "odslig", "trafik", "annat"]
CATEGORIES: Final[dict[str, str]] = {
    "belysning": "Belysning",
    "vaxtlighet": "Skymmande växtlighet",
    "skadegorelse": "Skadegörelse/klotter",
    "nedskrapning": "Nedskräpning",
    "odslig": "Ödslig eller mörk plats",
    "trafik": "Trafik",
    "annat": "Annat",
}
TimeOfDay = Literal["dag", "kvall", "natt", "morker"]
TIMES_OF_DAY: Final[dict[str, str]] = {"dag": "Dag", "kvall": "Kväll", "natt": "Natt", "morker": "I mörker"}
Feeling = Literal["otrygg", "trygg"]
FEELINGS: Final[dict[str, str]] = {"otrygg": "Känns otrygg", "trygg": "Känns trygg"}
Source = Literal["medborgare", "trygghetsvandring", "open311"]
SOURCES: Final[dict[str, str]] = {
    "medborgare": "Medborgare (webb)",
    "trygghetsvandring": "Trygghetsvandring",
    "open311": "App (Open311)",
}
Status = Literal["open", "in_progress", "action_scheduled", "fixed", "not_kommun_responsible", "duplicate", "closed"]
STATUSES: Final[dict[str, str]] = {
    "open": "Inkommen",
    "in_progress": "Utreds",
    "action_scheduled": "Åtgärd planerad",
    "fixed": "Åtgärdad",
    "not_kommun_responsible": "Inte kommunens ansvar",
    "duplicate": "Dubblett",
    "closed": "Avslutad",
}
Review = Literal["pending", "published", "rejected"]
REVIEWS: Final[dict[str, str]] = {"pending": "Väntar på granskning", "published": "Publicerad", "rejected": "Avvisad"}
Responsible = Literal["kommun", "fastighetsagare", "trafikverket", "polis", "annan"]
RESPONSIBLES: Final[dict[str, str]] = {
    "kommun": "Kommunens förvaltning",
    "fastighetsagare": "Fastighetsägare",
    "trafikverket": "Trafikverket",
    "polis": "Polisen",
    "annan": "Annan",
}

# The responsible body a trygghetsvandring's protocol names in words, as the closest allowed value
# (first match wins; migration 0015 backfilled the existing points with the same words).
RESPONSIBLE_WORDS: Final[tuple[tuple[Responsible, re.Pattern[str]], ...]] = (
    ("trafikverket", re.compile(r"trafikverket")),
    ("polis", re.compile(r"polis")),
    ("fastighetsagare", re.compile(r"fastighet|bostad|bostäder|hyresvärd")),
    ("kommun", re.compile(r"kommun|förvaltning|gatu|teknisk|park")),
)


def responsible_from_text(text: str) -> tuple[Responsible | None, str | None]:
    """The allowed value closest to the protocol's words and the status note that keeps words no
    value fits: ("kommun", None) for "Kommunens gatuenhet", ("annan", "Ansvarig enligt
    trygghetsvandringen: Vägföreningen") for "Vägföreningen", (None, None) for nothing."""
    words = text.strip()
    if not words:
        return None, None
    for code, pattern in RESPONSIBLE_WORDS:
        if pattern.search(words.lower()):
            return code, None
    return "annan", f"Ansvarig enligt trygghetsvandringen: {words}"


MAX_TEXT: Final = 4000
MAX_PLACE_TEXT: Final = 300
NEARBY_METRES: Final = 250.0
# Statuses that end the case: the reporter's contact details are erased on entering them.
HANDLED: Final = frozenset({"fixed", "not_kommun_responsible", "duplicate", "closed"})
ERASE_CONTACT_ON: Final = frozenset({"closed", "duplicate"})
# Open311 knows two statuses.
OPEN311_CLOSED: Final = HANDLED

# Which status may follow which. `duplicate` is reached only by merging (it needs the other report).
TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    "open": frozenset({"in_progress", "action_scheduled", "fixed", "not_kommun_responsible", "closed"}),
    "in_progress": frozenset({"open", "action_scheduled", "fixed", "not_kommun_responsible", "closed"}),
    "action_scheduled": frozenset({"in_progress", "fixed", "not_kommun_responsible", "closed"}),
    "fixed": frozenset({"in_progress", "closed"}),
    "not_kommun_responsible": frozenset({"in_progress", "closed"}),
    "duplicate": frozenset(),
    "closed": frozenset(),
}


def check_transition(current: str, new: str) -> None:
    """409 naming both statuses when ``new`` may not follow ``current``."""
    if new not in STATUSES:
        raise InvalidInput(
            "place.status_unknown", [FieldError.of("status", "place.status_one_of", statuses=messages.choices(STATUSES))], status=repr(new)
        )
    if new == "duplicate":
        raise Conflict("place.duplicate_by_merge", [FieldError.of("status", "place.use_merge")])
    if new not in TRANSITIONS[current]:
        allowed = messages.choices(STATUSES, sorted(TRANSITIONS[current])) or "ingen (ärendet är avslutat)"
        short_current, short_new = messages.choices(STATUSES, [current]), messages.choices(STATUSES, [new])
        raise Conflict(
            "place.transition",
            [FieldError.of("status", "place.transition_short", current=short_current, new=short_new)],
            current=STATUSES[current],
            new=STATUSES[new],
            allowed=allowed,
        )


def check_merge(source_status: str, target_status: str, same_report: bool, same_kommun: bool) -> None:
    if same_report:
        raise Conflict("place.merge_self", [FieldError.of("into", "place.merge_self_short")])
    if not same_kommun:
        raise Conflict("place.merge_kommun", [FieldError.of("into", "place.merge_kommun_short")])
    if source_status in ("duplicate", "closed"):
        status = STATUSES[source_status].lower()
        raise Conflict("place.merge_done", [FieldError.of("id", "place.merge_done_short", status=status)], status=status)
    if target_status == "duplicate":
        raise Conflict("place.merge_into_duplicate", [FieldError.of("into", "place.merge_into_duplicate_short")])


def open311_status(status: str) -> str:
    return "closed" if status in OPEN311_CLOSED else "open"


# --- the blurred public position ----------------------------------------------------------------

# Grid cells (metres, SWEREF 99 TM) tried in order; the first with enough households around wins.
BLUR_CELLS: Final = (100, 200, 500, 1000)
# "A handful": a published cell must hold at least this many households (from the registry).
MIN_HOUSEHOLDS: Final = 5


def cell_centre(x: float, y: float, cell: int) -> tuple[float, float]:
    """The centre of the ``cell``-metre grid square that contains (x, y)."""
    return (math.floor(x / cell) * cell + cell / 2, math.floor(y / cell) * cell + cell / 2)


def cell_bounds(x: float, y: float, cell: int) -> tuple[float, float, float, float]:
    x0, y0 = math.floor(x / cell) * cell, math.floor(y / cell) * cell
    return (x0, y0, x0 + cell, y0 + cell)


def choose_blur(x: float, y: float, households_in_cell: Mapping[int, int]) -> tuple[float, float, int] | None:
    """The public position: the centre of the smallest grid cell (of BLUR_CELLS) around the exact
    point that holds at least MIN_HOUSEHOLDS households; None when no cell does (the report is then
    published without a position). ``households_in_cell`` maps a cell size to its household count."""
    for cell in BLUR_CELLS:
        if households_in_cell.get(cell, 0) >= MIN_HOUSEHOLDS:
            cx, cy = cell_centre(x, y, cell)
            return cx, cy, cell
    return None


# --- personal data in free text ----------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Personnummer/samordningsnummer: (YY)YYMMDD[-+ ]NNNN.
_PERSONNUMMER = re.compile(r"(?<!\d)(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01]|[6-8]\d|9[01])[-+ ]?\d{4}(?!\d)")
# Phone numbers: +46 or 0 followed by 7–12 more digits, with spaces, dashes or brackets between.
_PHONE = re.compile(r"(?<![\w+])(?:\+46|0046|0)[\s\-()]*\d(?:[\s\-()]*\d){6,11}(?!\d)")

PERSONAL_PATTERNS: Final = {"e-postadress": _EMAIL, "personnummer": _PERSONNUMMER, "telefonnummer": _PHONE}
REDACTED: Final = "[borttaget]"


def personal_data_found(*texts: str | None) -> list[str]:
    """The kinds of personal data the texts seem to hold (e-postadress, personnummer, telefonnummer)."""
    found = []
    for kind, pattern in PERSONAL_PATTERNS.items():
        if any(t and pattern.search(t) for t in texts):
            found.append(kind)
    return found


def redact(text: str | None) -> str | None:
    """The text with everything that looks like personal data replaced by ``[borttaget]``."""
    if text is None:
        return None
    for pattern in PERSONAL_PATTERNS.values():
        text = pattern.sub(REDACTED, text)
    return text


def clean_text(value: str | None, field: str, *, required: bool, max_length: int = MAX_TEXT) -> str | None:
    """Plain text: trimmed, control characters (except newlines and tabs) removed, at most
    ``max_length`` characters."""
    text = "".join(ch for ch in (value or "") if ch in "\n\t" or (ch.isprintable())).strip()
    text = text.replace("\r", "")
    if not text:
        if required:
            raise InvalidInput("place.field_required", [FieldError.of(field, "place.missing")], field=field)
        return None
    if len(text) > max_length:
        raise InvalidInput(
            "place.field_too_long",
            [FieldError.of(field, "place.at_most", max=max_length)],
            field=field,
            max=max_length,
            length=len(text),
        )
    return text


_EMAIL_ADDRESS = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def clean_email(value: str | None) -> str | None:
    email = (value or "").strip()
    if not email:
        return None
    if len(email) > 254 or not _EMAIL_ADDRESS.match(email):
        raise InvalidInput("place.email", [FieldError.of("email", "place.email_short")])
    return email


# --- submissions per client ----------------------------------------------------------------------


class RateLimiter:
    """At most ``limit`` events per ``window`` seconds per key (a sliding log of times, in memory,
    per process). Keys beyond ``max_keys`` push out the oldest, so memory stays bounded."""

    def __init__(self, limit: int, window: float, *, max_keys: int = 50_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._log: OrderedDict[str, list[float]] = OrderedDict()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Record an attempt; False (and not recorded) when the key is over its limit."""
        now = time.monotonic() if now is None else now
        times = [t for t in self._log.pop(key, []) if t > now - self.window]
        allowed = len(times) < self.limit
        if allowed:
            times.append(now)
        self._log[key] = times
        while len(self._log) > self.max_keys:
            self._log.popitem(last=False)
        return allowed

    def retry_after(self, key: str, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        times = self._log.get(key) or [now]
        return max(1, math.ceil(times[0] + self.window - now))
