"""A group's life after it is established: pure rules, no I/O.

- **Staged approval** (a state machine): ``forming`` (collecting sign-ups, as before) →
  ``proposed`` (by residents or a coordinator) → ``reviewed`` (the kommun's coordinator) →
  ``approved`` (the police, capability ``approve``) → ``active`` (establishing still needs the 70 %
  rule) → ``lapsed`` (not renewed, or no contact person) → ``active`` again (re-activation: not a
  new group, ``established_on`` is kept); ``dissolved`` from any status but itself. A kommun that
  does not require approval may establish a ``forming`` group directly, as before.
- **Contact coverage**: one contact person per ``households_per_contact`` households (default 15).
  Each household is covered by the nearest contact person (straight distance in SWEREF 99 TM, not
  by street) who still has room; households left over, or without a position, have no contact
  person nearby. A quality figure, never a gate.
- **Yearly renewal**: each group confirms its contact persons once a year by a date per kommun
  (default 31 March). A confirmation within :data:`RENEWAL_WINDOW_DAYS` before a due date counts
  for that date; the group lapses when a due date has passed by more than the grace period
  without a confirmation for it.
"""

from __future__ import annotations

import calendar
import math
from datetime import date, timedelta
from typing import Final, Literal, get_args

import msgspec

from grannsamverkan.errors import Conflict

__all__ = [
    "CONTACT_ROLES",
    "DEFAULT_RULES",
    "LIFECYCLE_STATUSES",
    "NEAR_REPEAT_DAYS",
    "NEAR_REPEAT_METRES",
    "PRE_ACTIVE",
    "RENEWAL_WINDOW_DAYS",
    "STEPS",
    "AskedShare",
    "Coverage",
    "KommunRules",
    "Renewal",
    "Step",
    "asked_share",
    "coverage",
    "due_date",
    "next_status",
    "renewal",
    "step_capability",
]

Status = Literal["forming", "proposed", "reviewed", "approved", "active", "lapsed", "dissolved"]
Step = Literal["propose", "review", "approve", "establish", "lapse", "reactivate", "dissolve"]
ContactRole = Literal["kontaktombud", "huvudkontaktombud"]

LIFECYCLE_STATUSES: Final[tuple[Status, ...]] = get_args(Status)
STEPS: Final[tuple[Step, ...]] = get_args(Step)
CONTACT_ROLES: Final[tuple[ContactRole, ...]] = get_args(ContactRole)
#: Statuses before a group is established: sign-ups are collected, it counts as forming.
PRE_ACTIVE: Final[tuple[Status, ...]] = ("forming", "proposed", "reviewed", "approved")

#: (step, from) → to. ``establish`` from ``forming`` only where the kommun requires no approval.
TRANSITIONS: Final[dict[tuple[Step, Status], Status]] = {
    ("propose", "forming"): "proposed",
    ("review", "proposed"): "reviewed",
    ("approve", "reviewed"): "approved",
    ("establish", "approved"): "active",
    ("establish", "forming"): "active",
    ("lapse", "active"): "lapsed",
    ("reactivate", "lapsed"): "active",
    **{("dissolve", s): "dissolved" for s in LIFECYCLE_STATUSES if s != "dissolved"},
}

STATUS_WORDS: Final[dict[str, str]] = {
    "forming": "under bildande",
    "proposed": "föreslagen",
    "reviewed": "granskad av kommunen",
    "approved": "godkänd av polisen",
    "active": "aktiv",
    "lapsed": "vilande (ej förnyad)",
    "dissolved": "upplöst",
}
STEP_WORDS: Final[dict[str, str]] = {
    "propose": "föreslås",
    "review": "granskas",
    "approve": "godkänns",
    "establish": "bildas",
    "lapse": "förklaras vilande",
    "reactivate": "återaktiveras",
    "dissolve": "upplöses",
}


def step_capability(step: Step) -> str:
    """The capability a step needs (domain/access.py): the police approve, the kommun does the rest."""
    return "approve" if step == "approve" else "write"


def next_status(current: str, step: Step, *, approval_required: bool = False) -> Status:
    """The status after ``step``, or :class:`Conflict` (in Swedish) when the step is not allowed."""
    to = TRANSITIONS.get((step, current))  # type: ignore[arg-type]  # an unknown status is simply not allowed
    if to is None or (step == "establish" and current == "forming" and approval_required):
        if step == "establish" and current == "forming":
            why = "kommunen kräver att gruppen först granskas av kommunen och godkänns av polisen"
        else:
            allowed = [STATUS_WORDS[s] for (st, s) in TRANSITIONS if st == step]
            why = "det går bara från " + ", ".join(allowed) if allowed else "okänt steg"
        raise Conflict(
            "lifecycle.step_not_allowed",
            status=STATUS_WORDS.get(current, current),
            step=STEP_WORDS.get(step, step),
            why=why,
            extra={"current_status": current, "step": step},
        )
    return to


# --- per-kommun rules --------------------------------------------------------------------------------


class KommunRules(msgspec.Struct, frozen=True, kw_only=True):
    households_per_contact: int = 15
    renewal_month: int = 3
    renewal_day: int = 31
    grace_days: int = 60
    approval_required: bool = False


DEFAULT_RULES: Final = KommunRules()
#: A confirmation this many days before a due date counts for it (the kommun asks a month or two ahead).
RENEWAL_WINDOW_DAYS: Final = 60
#: Near-repeat alerts: burglaries within this distance of a group's area, in the last this many days.
NEAR_REPEAT_METRES: Final = 400.0
NEAR_REPEAT_DAYS: Final = 56


# --- contact coverage --------------------------------------------------------------------------------


class Coverage(msgspec.Struct, frozen=True, kw_only=True):
    households_total: int
    contact_persons: int
    households_per_contact: int
    contacts_needed: int
    contacts_short: int
    households_covered: int
    households_without_contact: int
    #: contact person id → the household ids they cover (nearest first)
    covers: dict[int, list[int]]
    #: households without a contact person nearby (no room left, or no position)
    uncovered: list[int]
    rule: str


def coverage(
    households: list[tuple[int, float | None, float | None]],
    contacts: list[tuple[int, float | None, float | None]],
    per_contact: int,
) -> Coverage:
    """Which households each contact person covers: the nearest contact person with room (at most
    ``per_contact`` households each, their own included), by straight distance; pairs are taken
    shortest first, so a household goes to the closest contact person who still has room.
    ``households`` and ``contacts`` are (id, x, y) in SWEREF 99 TM metres (contacts: the
    contact person's household position)."""
    placed = [(cid, x, y) for cid, x, y in contacts if x is not None and y is not None]
    pairs = sorted(
        (math.hypot(hx - cx, hy - cy), hid, cid)
        for hid, hx, hy in households
        if hx is not None and hy is not None
        for cid, cx, cy in placed
    )
    room = {cid: per_contact for cid, _, _ in contacts}
    covers: dict[int, list[int]] = {cid: [] for cid, _, _ in contacts}
    covered: set[int] = set()
    for _, hid, cid in pairs:
        if hid in covered or room[cid] == 0:
            continue
        covers[cid].append(hid)
        covered.add(hid)
        room[cid] -= 1
    total = len(households)
    needed = -(-total // per_contact)
    uncovered = [hid for hid, _, _ in households if hid not in covered]
    return Coverage(
        households_total=total,
        contact_persons=len(contacts),
        households_per_contact=per_contact,
        contacts_needed=needed,
        contacts_short=max(0, needed - len(contacts)),
        households_covered=len(covered),
        households_without_contact=len(uncovered),
        covers=covers,
        uncovered=uncovered,
        rule=f"1 kontaktombud per {per_contact} hushåll",
    )


# --- the share of households asked ------------------------------------------------------------------


class AskedShare(msgspec.Struct, frozen=True, kw_only=True):
    households_total: int
    signed_up: int
    declined: int
    not_reached: int
    asked: int
    #: asked / total, for display
    share_asked: float


def asked_share(total: int, signed_up: int, declined: int) -> AskedShare:
    asked = signed_up + declined
    return AskedShare(
        households_total=total,
        signed_up=signed_up,
        declined=declined,
        not_reached=max(0, total - asked),
        asked=asked,
        share_asked=asked / total if total else 0.0,
    )


# --- yearly renewal ----------------------------------------------------------------------------------


def due_date(year: int, rules: KommunRules) -> date:
    """The kommun's renewal date in ``year`` (31 in a 30-day month, or 29 February, is the month's last day)."""
    last = calendar.monthrange(year, rules.renewal_month)[1]
    return date(year, rules.renewal_month, min(rules.renewal_day, last))


def covered_until(confirmed_on: date, rules: KommunRules) -> date:
    """The first due date a confirmation on ``confirmed_on`` does not cover: the first due date
    more than :data:`RENEWAL_WINDOW_DAYS` after it."""
    after = confirmed_on + timedelta(days=RENEWAL_WINDOW_DAYS)
    due = due_date(after.year, rules)
    return due if due > after else due_date(after.year + 1, rules)


class Renewal(msgspec.Struct, frozen=True, kw_only=True):
    last_confirmed_on: date
    due_on: date
    lapses_after: date
    state: Literal["ok", "due", "overdue", "lapsed"]
    words: str


def renewal(last_confirmed_on: date, today: date, rules: KommunRules, *, contact_persons: int = 1) -> Renewal:
    """Where a group stands with its yearly confirmation. ``last_confirmed_on`` is its last
    renewal, or the day it was established (or re-activated). ``lapsed`` when the due date has
    passed by more than the grace period, or when the group has no contact person."""
    due = covered_until(last_confirmed_on, rules)
    lapses_after = due + timedelta(days=rules.grace_days)
    if contact_persons == 0:
        state: Literal["ok", "due", "overdue", "lapsed"] = "lapsed"
        words = "Gruppen har ingen kontaktperson."
    elif today > lapses_after:
        state, words = "lapsed", f"Inte förnyad: skulle ha bekräftats senast {due}, med respit till {lapses_after}."
    elif today > due:
        state, words = "overdue", f"Förnyelsen var senast {due}; gruppen blir vilande efter {lapses_after}."
    elif today >= due - timedelta(days=RENEWAL_WINDOW_DAYS):
        state, words = "due", f"Dags att bekräfta kontaktpersonerna, senast {due}."
    else:
        state, words = "ok", f"Bekräftad {last_confirmed_on}; nästa förnyelse senast {due}."
    return Renewal(last_confirmed_on=last_confirmed_on, due_on=due, lapses_after=lapses_after, state=state, words=words)
