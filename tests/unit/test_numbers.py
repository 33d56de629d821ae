"""One way to write a number: counts, decimals and shares as Swedish readers expect them."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grannsamverkan.domain.eligibility import meets_threshold
from grannsamverkan.domain.numbers import count, decimal, expected, percent, share, tally

NBSP = "\u00a0"


def test_counts_are_integers_with_no_break_spaces() -> None:
    assert count(0) == "0"
    assert count(999) == "999"
    assert count(1240) == f"1{NBSP}240"
    assert count(1234567) == f"1{NBSP}234{NBSP}567"


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (9.18, 1, "9,2"),
        (9.15, 1, "9,2"),
        (9.14, 1, "9,1"),
        (1234.5, 2, f"1{NBSP}234,50"),
        (0.0, 1, "0,0"),
        (173.4, 0, "173"),
        (2.5, 0, "3"),
    ],
)
def test_decimals_have_a_decimal_comma_and_round_half_up(value: float, places: int, text: str) -> None:
    assert decimal(value, places) == text


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [
        (7, 10, "70 %"),
        (139, 200, "69,5 %"),
        (2, 3, "66,6 %"),
        (6999, 10000, "69,9 %"),
        (1, 1, "100 %"),
        (0, 5, "0 %"),
        (0, 0, "–"),
        (29, 100, "29 %"),
    ],
)
def test_shares_round_down(part: int, whole: int, text: str) -> None:
    assert percent(part, whole) == text


def test_a_share_of_69_5_percent_never_reads_70() -> None:
    assert percent(139, 200, places=0) == "69 %"
    assert share(0.695, places=0) == "69 %"
    assert share(0.695) == "69,5 %"
    assert share(0.29) == "29 %"  # 0.29 * 100 is 28.999… in floats
    assert share(0.7) == "70 %"


@given(st.integers(min_value=1, max_value=100_000).flatmap(lambda w: st.tuples(st.integers(0, w), st.just(w))))
def test_a_share_that_reads_70_percent_or_more_meets_the_rule(pair: tuple[int, int]) -> None:
    part, whole = pair
    for places in (0, 1):
        shown = percent(part, whole, places)
        number = Fraction(shown.removesuffix(" %").replace(",", "."))
        assert number <= Fraction(100 * part, whole)
        if number >= 70:
            assert meets_threshold(part, whole)


def test_an_expected_figure_rounds_down_as_the_goal_status_does() -> None:
    from grannsamverkan.domain.numbers import expected

    assert expected(Fraction(918, 100)) == "9,1"
    assert expected(9.18) == "9,1"
    assert expected(Fraction(10)) == "10,0"
    assert expected(Fraction(1, 3), 2) == "0,33"
    assert decimal(Fraction(918, 100)) == "9,2"
    assert decimal(-2.5, 0) == "-3"


def test_a_share_a_hair_below_a_step_never_reads_the_step() -> None:
    # 100 × part / whole = 70 − 10⁻²⁹: decimal division at 28 digits would say 70,0
    whole = 10**31
    assert percent(7 * 10**30 - 1, whole) == "69,9 %"
    assert percent(7 * 10**30 - 1, whole, places=0) == "69 %"
    assert percent(7 * 10**30 - 1, whole, places=2) == "69,99 %"
    assert percent(7 * 10**30, whole) == "70 %"


def test_negative_decimals_round_half_away_from_zero() -> None:
    assert decimal(-2.4, 0) == "-2"
    assert decimal(-2.5, 0) == "-3"
    assert decimal(-9.15) == "-9,2"
    assert decimal(-9.14) == "-9,1"
    assert decimal(-1234.5, 2) == f"-1{NBSP}234,50"


def test_shares_and_decimals_with_more_places() -> None:
    assert percent(2, 3, places=2) == "66,66 %"
    assert percent(7, 10, places=2) == "70 %"
    # only a decimal part of zeros is left out: 12,50 keeps its 0
    assert percent(1, 8, places=2) == "12,50 %"
    assert percent(1, 8, places=3) == "12,500 %"
    assert share(0.125, places=2) == "12,50 %"
    assert share(1.0) == "100 %"
    assert share(0.0) == "0 %"
    assert decimal(Fraction(1, 3), 3) == "0,333"
    assert decimal(Fraction(2, 3), 3) == "0,667"
    assert expected(Fraction(2, 3), 3) == "0,666"
    assert expected(Fraction(1234567, 10), 0) == f"123{NBSP}456"
    assert count(-1234) == f"-1{NBSP}234"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (2.5, "2,5"),
        (0.96, "1"),  # a burglary spread over days rounds to a whole one
        (10.04, "10"),
        (Fraction(7, 3), "2,3"),
        (0.05, "0,1"),
        (0.0, "0"),
        (1234.0, f"1{NBSP}234"),
        (1234.56, f"1{NBSP}234,6"),
    ],
)
def test_a_tally_shows_tenths_only_where_they_are_not_zero(value: float | Fraction, text: str) -> None:
    assert tally(value) == text


def test_a_float_is_rounded_from_the_decimal_value_people_see() -> None:
    # 0.15 and 1.005 are a hair below in binary; 0.29 × 100 is 28.999… in floats
    assert decimal(0.15) == "0,2"
    assert decimal(1.005, 2) == "1,01"
    assert expected(0.29, 2) == "0,29"
    assert expected(0.7, 1) == "0,7"


def test_half_a_step_below_one_rounds_up_to_the_step() -> None:
    assert decimal(0.05) == "0,1"
    assert decimal(Fraction(1, 2), 0) == "1"
    assert decimal(0.5, 0) == "1"
    assert decimal(0.04) == "0,0"
    assert decimal(-0.05) == "-0,1"
