"""The 70 % rule, checked against exact fractions."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grannsamverkan.domain.eligibility import (
    ALLOWED_TRANSITIONS,
    GROUP_KINDS,
    GROUP_STATUSES,
    REASONS,
    Eligibility,
    active_shortfalls,
    check_dissolution,
    check_new_group,
    check_transition,
    ensure_eligible,
    evaluate,
    meets_threshold,
    required_signups,
)
from grannsamverkan.domain.lifecycle import STATUS_WORDS
from grannsamverkan.errors import Conflict, InvalidInput

SEVEN_TENTHS = Fraction(7, 10)


@pytest.mark.parametrize(
    ("total", "required"),
    [(0, 0), (1, 1), (2, 2), (3, 3), (4, 3), (10, 7), (11, 8), (20, 14), (21, 15), (100, 70), (101, 71)],
)
def test_required_signups_examples(total: int, required: int) -> None:
    assert required_signups(total) == required


@given(st.integers(min_value=0, max_value=10**9))
def test_required_signups_is_the_least_sufficient_number(total: int) -> None:
    n = required_signups(total)
    assert Fraction(n) >= SEVEN_TENTHS * total
    assert n == 0 or Fraction(n - 1) < SEVEN_TENTHS * total


def test_required_signups_refuses_negative() -> None:
    with pytest.raises(InvalidInput) as info:
        required_signups(-1)
    assert info.value.detail == "Antalet hushåll kan inte vara negativt."
    assert [(e.field, e.message) for e in info.value.errors] == [("households_total", "Ska vara 0 eller mer.")]


@pytest.mark.parametrize(("signed", "total"), [(0, 0), (1, 0), (5, 0), (0, 1)])
def test_no_households_never_meets_the_threshold(signed: int, total: int) -> None:
    assert meets_threshold(signed, total) is False


@pytest.mark.parametrize(("signed", "total", "meets"), [(7, 10, True), (6, 10, False), (1, 1, True)])
def test_meets_threshold_examples(signed: int, total: int, meets: bool) -> None:
    assert meets_threshold(signed, total) is meets


@st.composite
def group_states(draw: st.DrawFn) -> tuple[str, int, int, bool]:
    total = draw(st.integers(min_value=0, max_value=100_000))
    signed = draw(st.integers(min_value=0, max_value=total))
    return draw(st.sampled_from(GROUP_STATUSES)), total, signed, draw(st.booleans())


@given(group_states())
def test_evaluate_matches_exact_fractions(state: tuple[str, int, int, bool]) -> None:
    status, total, signed, contact = state
    e = evaluate(1, status, total, signed, contact)  # type: ignore[arg-type]
    enough = total > 0 and Fraction(signed, total) >= SEVEN_TENTHS
    pre_active = status in ("forming", "proposed", "reviewed", "approved")
    assert e.eligible == (enough and contact and pre_active)
    assert e.eligible == (e.reasons == [])
    assert e.required_signups == required_signups(total)
    assert e.missing_signups == max(0, e.required_signups - signed)
    assert (e.missing_signups == 0) == (signed >= e.required_signups)
    # reasons in the fixed order, each at most once
    assert e.reasons == [r for r in REASONS if r in e.reasons]
    assert ("below_threshold" in e.reasons) == (total > 0 and not enough)
    assert ("no_households" in e.reasons) == (total == 0)
    assert ("no_contact_person" in e.reasons) == (not contact)
    assert ("not_forming" in e.reasons) == (not pre_active)
    assert e.share == (signed / total if total else 0.0)
    assert e.threshold == 0.7


@given(st.integers(min_value=1, max_value=100_000))
def test_exactly_required_is_enough_and_one_less_is_not(total: int) -> None:
    n = required_signups(total)
    assert evaluate(1, "forming", total, n, True).eligible
    if n > 0:
        below = evaluate(1, "forming", total, n - 1, True)
        assert below.reasons == ["below_threshold"]
        assert below.missing_signups == 1


@pytest.mark.parametrize(
    ("total", "signed", "eligible"),
    [(10, 7, True), (10, 6, False), (11, 8, True), (11, 7, False), (1, 1, True), (3, 2, False), (20, 14, True), (20, 13, False)],
)
def test_examples(total: int, signed: int, eligible: bool) -> None:
    assert evaluate(5, "forming", total, signed, True).eligible is eligible


def test_no_households_is_not_also_below_threshold() -> None:
    e = evaluate(3, "forming", 0, 0, False)
    assert not e.eligible
    assert e.reasons == ["no_households", "no_contact_person"]
    assert e.share == 0.0
    assert e.required_signups == 0
    assert e.missing_signups == 0


def test_all_reasons_in_order() -> None:
    e = evaluate(3, "active", 10, 2, False)
    assert e.reasons == ["not_forming", "below_threshold", "no_contact_person"]
    assert e.missing_signups == 5


def test_json_has_exactly_the_api_fields() -> None:
    e = evaluate(42, "forming", 11, 8, True)
    assert msgspec.json.decode(msgspec.json.encode(e)) == {
        "group_id": 42,
        "households_total": 11,
        "households_signed_up": 8,
        "share": 8 / 11,
        "threshold": 0.7,
        "required_signups": 8,
        "missing_signups": 0,
        "has_contact_person": True,
        "eligible": True,
        "reasons": [],
    }


NOT_NEGATIVE = "Ska vara 0 eller mer."


@pytest.mark.parametrize(
    ("status", "total", "signed", "errors"),
    [
        ("forming", -1, 0, [("households_total", NOT_NEGATIVE)]),
        ("forming", 5, -1, [("households_signed_up", NOT_NEGATIVE)]),
        ("forming", 5, 6, [("households_signed_up", "6 anmälningar men bara 5 hushåll.")]),
        # sign-ups in an area without households: as impossible as 6 of 5
        ("forming", 0, 1, [("households_signed_up", "1 anmälningar men bara 0 hushåll.")]),
        ("gone", 5, 5, [("status", "Okänd gruppstatus 'gone'.")]),
        # every problem at once, in a fixed order
        (
            "gone",
            -1,
            -2,
            [
                ("status", "Okänd gruppstatus 'gone'."),
                ("households_total", NOT_NEGATIVE),
                ("households_signed_up", NOT_NEGATIVE),
            ],
        ),
    ],
)
def test_evaluate_refuses_impossible_input(status: str, total: int, signed: int, errors: list[tuple[str, str]]) -> None:
    with pytest.raises(InvalidInput) as info:
        evaluate(1, status, total, signed, True)  # type: ignore[arg-type]
    assert info.value.status == 422
    assert info.value.detail == "Det går inte att avgöra om gruppen kan bildas."
    assert [(e.field, e.message) for e in info.value.errors] == errors


def test_ensure_eligible() -> None:
    ensure_eligible(evaluate(1, "forming", 10, 7, True))
    with pytest.raises(Conflict) as info:
        ensure_eligible(evaluate(1, "forming", 10, 6, False))
    assert info.value.status == 409
    assert info.value.code == "eligibility.not_eligible"
    assert info.value.detail == "Grupp 1 kan inte bildas: färre än 70 % av hushållen är anmälda; gruppen saknar kontaktperson."
    assert info.value.extra == {
        "reasons": ["below_threshold", "no_contact_person"],
        "households_total": 10,
        "households_signed_up": 6,
        "required_signups": 7,
        "missing_signups": 1,
    }


def test_kinds_and_statuses() -> None:
    assert GROUP_KINDS == ("grannsamverkan", "byavakt")
    assert GROUP_STATUSES == ("forming", "proposed", "reviewed", "approved", "active", "lapsed", "dissolved")


@pytest.mark.parametrize("current", GROUP_STATUSES)
@pytest.mark.parametrize("target", GROUP_STATUSES)
def test_transitions(current: str, target: str) -> None:
    allowed = {
        ("forming", "proposed"),
        ("proposed", "reviewed"),
        ("reviewed", "approved"),
        ("approved", "active"),
        ("forming", "active"),
        ("active", "lapsed"),
        ("lapsed", "active"),
        *((s, "dissolved") for s in GROUP_STATUSES if s != "dissolved"),
    }
    assert allowed == ALLOWED_TRANSITIONS
    if (current, target) in allowed:
        check_transition(current, target)  # type: ignore[arg-type]
    else:
        with pytest.raises(Conflict) as info:
            check_transition(current, target)  # type: ignore[arg-type]
        assert info.value.detail == f"En grupp som är {STATUS_WORDS[current]} kan inte bli {STATUS_WORDS[target]}."
        assert info.value.extra == {"current_status": current, "requested_status": target}


@pytest.mark.parametrize(
    ("current", "target", "field", "unknown"),
    [("forming", "paused", "target", "paused"), ("paused", "active", "status", "paused")],
)
def test_transition_unknown_status(current: str, target: str, field: str, unknown: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_transition(current, target)  # type: ignore[arg-type]
    assert info.value.detail == f"Okänd gruppstatus {unknown!r}."
    assert [(e.field, e.message) for e in info.value.errors] == [
        (
            field,
            "Ska vara en av: bildas (forming), föreslagen (proposed), granskad av kommunen (reviewed), godkänd av polisen (approved), "
            "aktiv (active), vilande (lapsed), upplöst (dissolved).",
        )
    ]


def test_eligibility_is_a_struct() -> None:
    assert issubclass(Eligibility, msgspec.Struct)


TODAY = date(2026, 6, 1)


def test_a_new_group_is_forming_without_a_date_or_existing_with_a_past_one() -> None:
    assert check_new_group("forming", None, TODAY) is False
    assert check_new_group("active", date(2019, 5, 1), TODAY) is True
    assert check_new_group("active", TODAY, TODAY) is True  # established today counts as past


@pytest.mark.parametrize(
    ("status", "established_on", "field", "message"),
    [
        ("dissolved", None, "status", "En ny grupp har status 'forming', eller 'active' för en grupp som fanns före registret."),
        ("active", None, "established_on", "En befintlig grupp behöver det datum då den bildades (established_on, i dag eller tidigare)."),
        (
            "active",
            date(2026, 6, 2),
            "established_on",
            "En befintlig grupp behöver det datum då den bildades (established_on, i dag eller tidigare).",
        ),
        (
            "forming",
            date(2026, 1, 1),
            "established_on",
            "established_on sätts när gruppen bildas (ange status 'active' för en befintlig grupp).",
        ),
    ],
)
def test_a_new_group_that_cannot_be_registered(status: str, established_on: date | None, field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_new_group(status, established_on, TODAY)
    assert info.value.detail == message
    assert [(e.field, e.message) for e in info.value.errors] == [(field, message)]


def test_a_group_is_not_dissolved_before_it_was_established() -> None:
    check_dissolution(None, date(2020, 1, 1))
    check_dissolution(date(2024, 3, 1), date(2024, 3, 1))
    check_dissolution(date(2024, 3, 1), date(2025, 1, 1))
    with pytest.raises(InvalidInput) as info:
        check_dissolution(date(2024, 3, 1), date(2024, 2, 29))
    message = "Upplösningsdagen (dissolved_on) ligger före den dag gruppen bildades (2024-03-01)."
    assert info.value.detail == message
    assert [(e.field, e.message) for e in info.value.errors] == [("dissolved_on", message)]


@pytest.mark.parametrize(
    ("total", "signed", "contact", "existing", "reasons"),
    [
        (10, 7, True, False, []),
        (10, 6, True, False, ["below_threshold"]),
        (10, 6, False, False, ["below_threshold", "no_contact_person"]),
        (10, 0, True, True, []),  # registered as existing: its share is not held against it
        (10, 0, False, True, ["no_contact_person"]),
        (0, 0, True, False, ["below_threshold"]),  # an active group whose area has emptied
    ],
)
def test_why_an_active_group_no_longer_meets_the_rule(total: int, signed: int, contact: bool, existing: bool, reasons: list[str]) -> None:
    assert active_shortfalls(total, signed, contact, registered_as_existing=existing) == reasons
