"""The rules of a group's life (domain/lifecycle.py): the state machine, coverage, renewal."""

from __future__ import annotations

from datetime import date

import pytest

from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.lifecycle import (
    LIFECYCLE_STATUSES,
    STEPS,
    KommunRules,
    asked_share,
    coverage,
    covered_until,
    due_date,
    next_status,
    renewal,
    step_capability,
)
from grannsamverkan.errors import Conflict

PATH = [
    ("propose", "proposed"),
    ("review", "reviewed"),
    ("approve", "approved"),
    ("establish", "active"),
    ("lapse", "lapsed"),
    ("reactivate", "active"),
]


def test_the_whole_path_with_approval_required() -> None:
    status = "forming"
    for step, to in PATH:
        status = next_status(status, step, approval_required=True)  # type: ignore[arg-type]
        assert status == to


@pytest.mark.parametrize("current", LIFECYCLE_STATUSES)
@pytest.mark.parametrize("step", STEPS)
def test_every_transition(current: str, step: str) -> None:
    allowed = {
        ("forming", "propose"): "proposed",
        ("proposed", "review"): "reviewed",
        ("reviewed", "approve"): "approved",
        ("approved", "establish"): "active",
        ("forming", "establish"): "active",
        ("active", "lapse"): "lapsed",
        ("lapsed", "reactivate"): "active",
        **{(s, "dissolve"): "dissolved" for s in LIFECYCLE_STATUSES if s != "dissolved"},
    }
    if (current, step) in allowed:
        assert next_status(current, step) == allowed[(current, step)]  # type: ignore[arg-type]
    else:
        with pytest.raises(Conflict) as info:
            next_status(current, step)  # type: ignore[arg-type]
        assert "kan inte" in str(info.value)


def test_establish_from_forming_refused_where_the_kommun_requires_approval() -> None:
    with pytest.raises(Conflict) as info:
        next_status("forming", "establish", approval_required=True)
    assert "godkänns av polisen" in str(info.value)
    assert next_status("approved", "establish", approval_required=True) == "active"


def test_the_police_approve_and_nothing_else() -> None:
    police = Principal(token_id=1, name="p", role="police", kommuner=("2283",))
    coordinator = Principal(token_id=2, name="k", role="coordinator", kommuner=("2283",))
    for step in STEPS:
        needed = step_capability(step)
        assert police.can(needed) == (step == "approve")  # type: ignore[arg-type]
        assert coordinator.can(needed) == (step != "approve")  # type: ignore[arg-type]


def test_coverage_31_households_2_contacts_is_1_short() -> None:
    # a row of 31 households 10 m apart; contact persons live in the 5th and the 25th
    households = [(i, 1000.0 + 10 * i, 7_000_000.0) for i in range(31)]
    contacts = [(100, 1040.0, 7_000_000.0), (200, 1240.0, 7_000_000.0)]
    c = coverage(households, contacts, 15)
    assert (c.contacts_needed, c.contact_persons, c.contacts_short) == (3, 2, 1)
    assert (c.households_covered, c.households_without_contact) == (30, 1)
    assert len(c.covers[100]) == 15 and len(c.covers[200]) == 15
    assert set(c.covers[100]).isdisjoint(c.covers[200])
    assert c.covers[100][0] == 4 and c.covers[200][0] == 24  # their own household first
    assert len(c.uncovered) == 1
    assert c.rule == "1 kontaktombud per 15 hushåll"


def test_coverage_nearest_contact_and_no_position() -> None:
    households = [(1, 0.0, 0.0), (2, 100.0, 0.0), (3, None, None)]
    c = coverage(households, [(10, 90.0, 0.0), (11, 5.0, 0.0)], 15)
    assert c.covers == {10: [2], 11: [1]}
    assert c.uncovered == [3]
    assert coverage([], [], 15).contacts_needed == 0


def test_asked_share() -> None:
    a = asked_share(31, 20, 4)
    assert (a.asked, a.not_reached) == (24, 7)
    assert a.share_asked == pytest.approx(24 / 31)


RULES = KommunRules(renewal_month=1, renewal_day=15, grace_days=30)


def test_renewal_across_a_year_boundary() -> None:
    # confirmed in December, 26 days before the due date of 15 January: counts for it
    assert covered_until(date(2026, 12, 20), RULES) == date(2028, 1, 15)
    r = renewal(date(2026, 12, 20), date(2027, 2, 20), RULES)
    assert r.state == "ok" and r.due_on == date(2028, 1, 15)
    # confirmed in October: due on 15 January, lapses after 14 February
    r = renewal(date(2026, 10, 1), date(2027, 1, 10), RULES)
    assert (r.state, r.due_on, r.lapses_after) == ("due", date(2027, 1, 15), date(2027, 2, 14))
    assert renewal(date(2026, 10, 1), date(2027, 2, 14), RULES).state == "overdue"
    assert renewal(date(2026, 10, 1), date(2027, 2, 15), RULES).state == "lapsed"
    assert renewal(date(2026, 10, 1), date(2026, 10, 2), RULES).state == "ok"


def test_no_contact_person_lapses_at_once() -> None:
    assert renewal(date(2026, 12, 20), date(2026, 12, 21), RULES, contact_persons=0).state == "lapsed"


def test_due_date_in_a_short_month() -> None:
    rules = KommunRules(renewal_month=2, renewal_day=31)
    assert due_date(2027, rules) == date(2027, 2, 28)
    assert due_date(2028, rules) == date(2028, 2, 29)
