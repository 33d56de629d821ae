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


# --- what a coordinator reads when a step is refused ---------------------------------------------


@pytest.mark.parametrize(
    ("current", "step", "detail"),
    [
        (
            "lapsed",
            "establish",
            "En grupp som är vilande (ej förnyad) kan inte bildas: det går bara från godkänd av polisen, under bildande.",
        ),
        (
            "forming",
            "review",
            "En grupp som är under bildande kan inte granskas: det går bara från föreslagen.",
        ),
        (
            "dissolved",
            "dissolve",
            "En grupp som är upplöst kan inte upplöses: det går bara från under bildande, föreslagen, "
            "granskad av kommunen, godkänd av polisen, aktiv, vilande (ej förnyad).",
        ),
        ("forming", "fly", "En grupp som är under bildande kan inte fly: okänt steg."),
        ("bogus", "propose", "En grupp som är bogus kan inte föreslås: det går bara från under bildande."),
    ],
)
def test_a_refused_step_says_in_swedish_from_which_statuses_it_goes(current: str, step: str, detail: str) -> None:
    with pytest.raises(Conflict) as info:
        next_status(current, step)  # type: ignore[arg-type]
    assert info.value.status == 409
    assert info.value.detail == detail
    assert info.value.extra == {"current_status": current, "step": step}


def test_establishing_without_approval_says_what_the_kommun_requires() -> None:
    with pytest.raises(Conflict) as info:
        next_status("forming", "establish", approval_required=True)
    assert info.value.detail == (
        "En grupp som är under bildande kan inte bildas: kommunen kräver att gruppen först granskas av kommunen och godkänns av polisen."
    )
    assert info.value.extra == {"current_status": "forming", "step": "establish"}
    # where the kommun requires no approval, the same step is allowed
    assert next_status("forming", "establish", approval_required=False) == "active"
    # approval only matters for establishing: the other steps from forming are the same
    assert next_status("forming", "propose", approval_required=True) == "proposed"
    assert next_status("forming", "dissolve", approval_required=True) == "dissolved"


# --- contact coverage ----------------------------------------------------------------------------


def test_enough_contact_persons_are_never_short() -> None:
    households = [(1, 0.0, 0.0), (2, 100.0, 0.0), (3, None, None)]
    c = coverage(households, [(10, 90.0, 0.0), (11, 5.0, 0.0)], 15)
    assert (c.households_total, c.contacts_needed, c.contact_persons, c.contacts_short) == (3, 1, 2, 0)
    assert (c.households_covered, c.households_without_contact, c.households_per_contact) == (2, 1, 15)


def test_a_contact_person_without_a_known_position_covers_nobody() -> None:
    households = [(1, 0.0, 0.0), (2, 10.0, 0.0)]
    # one contact person's household has no position, the other's only an easting
    c = coverage(households, [(10, None, None), (11, 5.0, None)], 15)
    assert c.covers == {10: [], 11: []}
    assert c.uncovered == [1, 2]
    assert (c.contact_persons, c.contacts_short, c.households_covered) == (2, 0, 0)
    # a household with only a northing has no contact person nearby either
    c = coverage([(1, 0.0, 0.0), (2, None, 5.0)], [(10, 1.0, 0.0)], 15)
    assert c.covers == {10: [1]} and c.uncovered == [2]


def test_a_contact_person_covers_at_most_their_share_nearest_first() -> None:
    # five households in a row; one contact person at the west end covers 2, the other the rest
    households = [(i, 10.0 * i, 0.0) for i in range(5)]
    c = coverage(households, [(10, 0.0, 0.0), (11, 45.0, 0.0)], 2)
    assert c.covers == {10: [0, 1], 11: [4, 3]}
    assert c.uncovered == [2]
    assert (c.contacts_needed, c.contacts_short) == (3, 1)
    assert c.rule == "1 kontaktombud per 2 hushåll"


def test_asked_share_of_an_area_without_households_and_of_more_asked_than_live_there() -> None:
    empty = asked_share(0, 0, 0)
    assert (empty.households_total, empty.asked, empty.not_reached, empty.share_asked) == (0, 0, 0, 0.0)
    # the registry shrank after the door-knocking: nobody is left to reach
    moved = asked_share(10, 9, 3)
    assert (moved.signed_up, moved.declined, moved.asked, moved.not_reached) == (9, 3, 12, 0)
    assert moved.share_asked == pytest.approx(1.2)


# --- yearly renewal ------------------------------------------------------------------------------


def test_a_confirmation_exactly_60_days_before_the_due_date_counts_for_it() -> None:
    # due 15 January 2027: 16 November 2026 is 60 days before, 15 November 61
    assert covered_until(date(2026, 11, 16), RULES) == date(2028, 1, 15)
    assert covered_until(date(2026, 11, 15), RULES) == date(2027, 1, 15)
    assert covered_until(date(2027, 1, 15), RULES) == date(2028, 1, 15)


def test_renewal_is_due_from_60_days_before_the_date_and_overdue_the_day_after() -> None:
    confirmed = date(2026, 10, 1)  # due 15 January 2027, lapses after 14 February
    states = {
        today: renewal(confirmed, today, RULES).state
        for today in (date(2026, 11, 15), date(2026, 11, 16), date(2027, 1, 15), date(2027, 1, 16), date(2027, 2, 14), date(2027, 2, 15))
    }
    assert states == {
        date(2026, 11, 15): "ok",
        date(2026, 11, 16): "due",
        date(2027, 1, 15): "due",
        date(2027, 1, 16): "overdue",
        date(2027, 2, 14): "overdue",
        date(2027, 2, 15): "lapsed",
    }


def test_renewal_words_for_a_coordinator() -> None:
    confirmed = date(2026, 10, 1)
    assert renewal(confirmed, date(2026, 10, 2), RULES).words == "Bekräftad 2026-10-01; nästa förnyelse senast 2027-01-15."
    assert renewal(confirmed, date(2027, 1, 1), RULES).words == "Dags att bekräfta kontaktpersonerna, senast 2027-01-15."
    assert renewal(confirmed, date(2027, 1, 20), RULES).words == (
        "Förnyelsen var senast 2027-01-15; gruppen blir vilande efter 2027-02-14."
    )
    assert renewal(confirmed, date(2027, 3, 1), RULES).words == (
        "Inte förnyad: skulle ha bekräftats senast 2027-01-15, med respit till 2027-02-14."
    )
    lapsed = renewal(confirmed, date(2026, 10, 2), RULES, contact_persons=0)
    assert (lapsed.state, lapsed.words) == ("lapsed", "Gruppen har ingen kontaktperson.")
    assert (lapsed.last_confirmed_on, lapsed.due_on, lapsed.lapses_after) == (confirmed, date(2027, 1, 15), date(2027, 2, 14))
    # two contact persons are as good as one
    assert renewal(confirmed, date(2026, 10, 2), RULES, contact_persons=2).state == "ok"


def test_the_default_renewal_date_is_31_march() -> None:
    default = KommunRules()
    assert due_date(2027, default) == date(2027, 3, 31)
    assert renewal(date(2027, 4, 1), date(2027, 4, 2), default).due_on == date(2028, 3, 31)


def test_a_household_goes_to_the_contact_person_north_or_south_of_it() -> None:
    # two households on a north-south street, a contact person just inside each end
    households = [(1, 620_000.0, 7_000_100.0), (2, 620_000.0, 6_999_900.0)]
    c = coverage(households, [(10, 620_000.0, 7_000_090.0), (11, 620_000.0, 6_999_910.0)], 1)
    assert c.covers == {10: [1], 11: [2]}


def test_a_household_goes_to_the_nearest_contact_person_by_northing_alone() -> None:
    # one street running north-south: the neighbour 10 m south, not the one 1.1 km south
    c = coverage([(1, 620_000.0, 7_000_100.0)], [(10, 620_000.0, 7_000_090.0), (11, 620_000.0, 6_999_000.0)], 15)
    assert c.covers == {10: [1], 11: []}


def test_a_position_with_one_coordinate_missing_is_no_position() -> None:
    # a household with only an easting, a contact person with only a northing
    households = [(1, 0.0, 0.0), (2, 5.0, None)]
    c = coverage(households, [(10, 1.0, 0.0), (11, None, 3.0)], 15)
    assert c.covers == {10: [1], 11: []}
    assert c.uncovered == [2]
    assert (c.households_covered, c.households_without_contact) == (1, 1)
