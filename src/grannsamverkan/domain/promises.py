"""Medborgarlöften: how each kind of promise is measured, and its status on a day.

Four measures
-------------
- ``count``: a number in the period against a target (new groups, information meetings, areas
  offered grannsamverkan, activities logged against the promise). The pace is today's goals'
  rule stretched over the period: ``expected = target × elapsed / period_days`` where
  ``elapsed`` counts the period's days up to and including the day judged (0 before the period,
  all of it after) and ``period_days`` is the period's length, both ends included (366 for a leap
  year, 365 for July to June without a 29 February, …). Exact :class:`~fractions.Fraction`.
  ``achieved`` once count >= target; ``missed`` when the period is over without it; ``on_track``
  while count >= floor(expected); else ``behind``.
- ``schedule``: an activity expected every month of the period except some months
  (``except_months``, e.g. June–August). A month's occurrence is *due* at the end of the month (or
  of the period, when that ends first); it is *done* when an activity logged against the promise
  falls in that month (``done_occurrences`` counts the due ones; a month done before its end is
  in ``done_ahead``). ``behind`` while a due month was missed and the period runs, ``missed``
  when it is over with a missed month, ``achieved`` when it is over with none (or every month is
  done), else ``on_track``.
  Activities in excepted months are kept but fill no occurrence.
- ``one_off``: an activity due by ``due_on``. ``achieved`` once an activity is logged on or
  before the day judged (``late`` when after ``due_on``); ``missed`` after ``due_on`` without one;
  else ``on_track``.
- ``qualitative``: no number. The owner's status decides (``genomford`` → ``achieved``,
  ``paborjad`` → ``on_track``, ``inte_genomford`` → ``missed``); without one, activities logged
  make it ``on_track`` ("påbörjad" by what was done), none make it ``not_started`` while the
  period runs and ``missed`` after.

Before the period starts every promise is ``not_started`` (a one-off or qualitative promise with
an activity already logged is judged by it all the same).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from fractions import Fraction
from typing import Final, Literal

import msgspec

from grannsamverkan.domain.goals import GroupRecord
from grannsamverkan.domain.places import HANDLED, Status
from grannsamverkan.errors import FieldError, InvalidInput

__all__ = [
    "ACTIVITY_KINDS",
    "COUNTS",
    "MEASURES",
    "PLACE_STATUS_OF_WALK",
    "PROMISE_STATUSES",
    "PROMISORS",
    "PromiseProgress",
    "PromiseRule",
    "count_new_groups",
    "count_status",
    "describe",
    "due_months",
    "evaluate_promise",
    "expected_count",
    "period_days",
    "period_elapsed",
    "scheduled_months",
    "walk_status_of",
    "year_period",
]

Measure = Literal["count", "schedule", "one_off", "qualitative"]
Promisor = Literal["polisen", "kommunen", "tillsammans"]
Counts = Literal["new_groups", "info_meetings", "offered_areas", "activities"]
ActivityKind = Literal["informationstraff", "trygghetsvandring", "polis_pa_plats", "medborgardialog", "enkat", "ovrigt"]
OwnerStatus = Literal["paborjad", "genomford", "inte_genomford"]
WalkPointStatus = Literal["oppen", "pagar", "atgardad"]
OfferHow = Literal["brev", "mote", "annat"]
Rhythm = Literal["monthly"]
PromiseStatusCode = Literal["not_started", "on_track", "achieved", "behind", "missed"]

# The Swedish words, defined once for pages, reports and the command line.
MEASURES: Final[dict[str, str]] = {
    "count": "antal",
    "schedule": "återkommande",
    "one_off": "engångsinsats",
    "qualitative": "kvalitativt",
}
PROMISORS: Final[dict[str, str]] = {"polisen": "Polisen", "kommunen": "Kommunen", "tillsammans": "Polisen och kommunen"}
COUNTS: Final[dict[str, str]] = {
    "new_groups": "nya grupper",
    "info_meetings": "informationsträffar",
    "offered_areas": "erbjudna områden",
    "activities": "aktiviteter",
}
ACTIVITY_KINDS: Final[dict[str, str]] = {
    "informationstraff": "Informationsträff",
    "trygghetsvandring": "Trygghetsvandring",
    "polis_pa_plats": "Polis på plats",
    "medborgardialog": "Medborgardialog",
    "enkat": "Enkät",
    "ovrigt": "Övrigt",
}
OWNER_STATUSES: Final[dict[str, str]] = {"paborjad": "påbörjad", "genomford": "genomförd", "inte_genomford": "inte genomförd"}
WALK_POINT_STATUSES: Final[dict[str, str]] = {"oppen": "öppen", "pagar": "pågår", "atgardad": "åtgärdad"}
# A walk point's status is its place report's (migration 0015): the protocol's three words set the
# report's status, and every status of the report reads as one of them.
PLACE_STATUS_OF_WALK: Final[dict[str, Status]] = {"oppen": "open", "pagar": "in_progress", "atgardad": "fixed"}


def walk_status_of(place_status: str) -> WalkPointStatus:
    """The protocol's word for the report's status: open is öppen, a handled case åtgärdad, the rest pågår."""
    if place_status == "open":
        return "oppen"
    return "atgardad" if place_status in HANDLED else "pagar"


OFFER_HOW: Final[dict[str, str]] = {"brev": "brev", "mote": "möte", "annat": "annat sätt"}
PROMISE_STATUSES: Final[dict[PromiseStatusCode, str]] = {
    "not_started": "ej påbörjat",
    "on_track": "i fas",
    "achieved": "uppfyllt",
    "behind": "efter plan",
    "missed": "ej uppfyllt",
}
#: The statuses that make ``promises check`` exit 1.
FAILING: Final[frozenset[str]] = frozenset({"behind", "missed"})
MONTH_NAMES: Final = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
#: The written summary is announced from this many days before the council's last meeting.
SUMMARY_WARNING_DAYS: Final = 30


class PromiseRule(msgspec.Struct, frozen=True, kw_only=True):
    """How a promise is measured (the columns of ``promise`` that the rules read)."""

    measure: Measure
    period_start: date
    period_end: date
    counts: Counts | None = None
    target: int | None = None
    rhythm: Rhythm | None = None
    except_months: tuple[int, ...] = ()
    due_on: date | None = None
    owner_status: OwnerStatus | None = None


class PromiseProgress(msgspec.Struct, frozen=True, kw_only=True):
    """A promise judged on ``as_of``. Fields that do not apply to its measure are null."""

    as_of: date
    measure: Measure
    status: PromiseStatusCode
    count: int | None = None
    target: int | None = None
    expected: float | None = None
    expected_floor: int | None = None
    due_occurrences: int | None = None
    done_occurrences: int | None = None
    total_occurrences: int | None = None
    missed_months: list[str] = []
    done_ahead: list[str] = []
    done_on: date | None = None
    late: bool = False
    activities: int = 0
    owner_status: OwnerStatus | None = None


def year_period(year: int) -> tuple[date, date]:
    """1 January .. 31 December of ``year`` (the default period of a promise)."""
    return date(year, 1, 1), date(year, 12, 31)


def check_rule(rule: PromiseRule) -> None:
    """422 naming what a promise of this measure lacks or has wrong."""
    errors: list[FieldError] = []
    if rule.period_end < rule.period_start:
        errors.append(FieldError.of("period_end", "promise.period_reversed"))
    elif (rule.period_end - rule.period_start).days > 3660:
        errors.append(FieldError.of("period_end", "promise.period_too_long"))
    if rule.measure == "count":
        if rule.counts is None:
            errors.append(FieldError.of("counts", "promise.counts_missing"))
        if rule.target is None:
            errors.append(FieldError.of("target", "promise.target_missing"))
    if rule.measure == "schedule" and rule.rhythm is None:
        errors.append(FieldError.of("rhythm", "promise.rhythm_missing"))
    if rule.measure == "one_off" and rule.due_on is None:
        errors.append(FieldError.of("due_on", "promise.due_missing"))
    if any(not 1 <= m <= 12 for m in rule.except_months):
        errors.append(FieldError.of("except_months", "promise.months"))
    if rule.target is not None and rule.target < 0:
        errors.append(FieldError.of("target", "promise.target_negative"))
    if errors:
        raise InvalidInput("promise.invalid", errors, field=errors[0].field, problem=errors[0].message)


# --- count ------------------------------------------------------------------------------------------


def period_days(start: date, end: date) -> int:
    """Days of the period, both ends included."""
    return (end - start).days + 1


def period_elapsed(start: date, end: date, as_of: date) -> int:
    """Days of the period up to and including ``as_of``: 0 before it, all of it after."""
    if as_of < start:
        return 0
    return min((as_of - start).days + 1, period_days(start, end))


def expected_count(target: int, start: date, end: date, as_of: date) -> Fraction:
    """The pro-rata target at the end of ``as_of``, exactly."""
    return Fraction(target * period_elapsed(start, end, as_of), period_days(start, end))


def count_status(count: int, target: int, start: date, end: date, as_of: date) -> PromiseStatusCode:
    if as_of < start:
        return "not_started"
    if count >= target:
        return "achieved"
    if as_of > end:
        return "missed"
    if count >= (target * period_elapsed(start, end, as_of)) // period_days(start, end):
        return "on_track"
    return "behind"


def count_new_groups(groups: Iterable[GroupRecord], kommuner: Iterable[str], start: date, end: date, as_of: date) -> int:
    """New groups of these kommuner established in the period up to ``as_of`` (the goals' rule:
    groups registered as already existing never count)."""
    codes = set(kommuner)
    return sum(
        1
        for g in groups
        if g.kommun in codes
        and g.established_on is not None
        and not g.registered_as_existing
        and start <= g.established_on <= min(end, as_of)
    )


# --- schedule ---------------------------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    return (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)


def scheduled_months(start: date, end: date, except_months: Iterable[int] = ()) -> list[tuple[int, int]]:
    """(year, month) of every month the period touches, leaving out the excepted months."""
    skip = set(except_months)
    out = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        if month not in skip:
            out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def due_months(start: date, end: date, except_months: Iterable[int], as_of: date) -> list[tuple[int, int]]:
    """The scheduled months whose occurrence was due by the end of ``as_of``."""
    return [(y, m) for y, m in scheduled_months(start, end, except_months) if min(_month_end(y, m), end) <= as_of]


def _month_label(year: int, month: int) -> str:
    return f"{MONTH_NAMES[month - 1]} {year}"


def _schedule(rule: PromiseRule, dates: list[date], as_of: date) -> PromiseProgress:
    scheduled = scheduled_months(rule.period_start, rule.period_end, rule.except_months)
    due = due_months(rule.period_start, rule.period_end, rule.except_months, as_of)
    done = {(d.year, d.month) for d in dates if rule.period_start <= d <= min(rule.period_end, as_of)}
    missed = [ym for ym in due if ym not in done]
    ahead = [ym for ym in scheduled if ym in done and ym not in due]  # this month's, done before its end
    status: PromiseStatusCode
    if as_of < rule.period_start:
        status = "not_started"
    elif missed:
        status = "missed" if as_of > rule.period_end else "behind"
    elif as_of > rule.period_end or len(due) + len(ahead) == len(scheduled):
        status = "achieved"
    else:
        status = "on_track"
    return PromiseProgress(
        as_of=as_of,
        measure="schedule",
        status=status,
        due_occurrences=len(due),
        done_occurrences=len(due) - len(missed),
        total_occurrences=len(scheduled),
        missed_months=[_month_label(*ym) for ym in missed],
        done_ahead=[_month_label(*ym) for ym in ahead],
        activities=len(dates),
    )


# --- the whole ----------------------------------------------------------------------------------------


def evaluate_promise(rule: PromiseRule, *, as_of: date, count: int = 0, activity_dates: Iterable[date] = ()) -> PromiseProgress:
    """Judge a promise on ``as_of``. ``count`` is what a count promise counts in its period up to
    ``as_of`` (the caller counts with :func:`count_new_groups` or the database); ``activity_dates``
    are the days of the activities logged against the promise (any day; later ones are ignored)."""
    dates = sorted(d for d in activity_dates if d <= as_of)
    start, end = rule.period_start, rule.period_end
    if rule.measure == "count":
        target = rule.target or 0
        expected = expected_count(target, start, end, as_of)
        return PromiseProgress(
            as_of=as_of,
            measure="count",
            status=count_status(count, target, start, end, as_of),
            count=count,
            target=target,
            expected=round(float(expected), 2),
            expected_floor=int(expected),
            activities=len(dates),
        )
    if rule.measure == "schedule":
        return _schedule(rule, dates, as_of)
    if rule.measure == "one_off":
        due = rule.due_on or end
        done_on = dates[0] if dates else None
        status: PromiseStatusCode
        if done_on is not None:
            status = "achieved"
        elif as_of < start:
            status = "not_started"
        elif as_of > due:
            status = "missed"
        else:
            status = "on_track"
        return PromiseProgress(
            as_of=as_of,
            measure="one_off",
            status=status,
            done_on=done_on,
            late=done_on is not None and done_on > due,
            activities=len(dates),
        )
    owner = rule.owner_status
    if owner == "genomford":
        status = "achieved"
    elif owner == "inte_genomford":
        status = "missed"
    elif owner == "paborjad" or (dates and as_of >= start):
        status = "on_track"
    elif as_of > end:
        status = "missed"
    else:
        status = "not_started"
    return PromiseProgress(as_of=as_of, measure="qualitative", status=status, activities=len(dates), owner_status=owner)


# --- in words -------------------------------------------------------------------------------------------


def tenths_down(value: float | Fraction) -> str:
    """One decimal, rounded down, decimal comma: 8.24 -> "8,2"."""
    tenths = int(Fraction(value) * 10)
    return f"{tenths // 10},{tenths % 10}"


def describe(progress: PromiseProgress, counts: Counts | None = None, due_on: date | None = None) -> str:
    """The measure's part of a check line, in Swedish, e.g. ``3 av 10 nya grupper, väntat 8,2``."""
    p = progress
    if p.measure == "count":
        what = COUNTS.get(counts or "activities", "")
        return f"{p.count} av {p.target} {what}, väntat {tenths_down(p.expected or 0)}"
    if p.measure == "schedule":
        text = f"{p.done_occurrences} av {p.due_occurrences} tillfällen"
        if p.due_occurrences != p.total_occurrences:
            text += f" hittills (av {p.total_occurrences} under perioden)"
        if p.missed_months:
            text += f", missat: {', '.join(p.missed_months)}"
        if p.done_ahead:
            text += f", gjort för {', '.join(p.done_ahead)}"
        return text
    if p.measure == "one_off":
        when = f" senast {due_on.isoformat()}" if due_on else ""
        if p.done_on is None:
            return f"inte gjort{when}"
        return f"gjort {p.done_on.isoformat()}" + (f" (försenat, skulle vara gjort{when})" if p.late else "")
    owner = OWNER_STATUSES[p.owner_status] if p.owner_status else "ingen status satt"
    logged = "1 aktivitet loggad" if p.activities == 1 else f"{p.activities} aktiviteter loggade"
    return f"{owner}, {logged}"
