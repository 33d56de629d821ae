"""The pure rules of the e-service for unsafe places: workflow, blur, personal data, rate limit."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grannsamverkan.domain import places as rules
from grannsamverkan.errors import Conflict, InvalidInput


@pytest.mark.parametrize("current", list(rules.STATUSES))
@pytest.mark.parametrize("new", list(rules.STATUSES))
def test_every_transition_is_allowed_or_refused_as_the_table_says(current: str, new: str) -> None:
    if new != "duplicate" and new in rules.TRANSITIONS[current]:
        rules.check_transition(current, new)
    else:
        with pytest.raises(Conflict):
            rules.check_transition(current, new)


def test_closed_and_duplicate_are_final_and_an_unknown_status_is_invalid() -> None:
    assert not rules.TRANSITIONS["closed"] and not rules.TRANSITIONS["duplicate"]
    with pytest.raises(InvalidInput):
        rules.check_transition("open", "done")


@given(st.floats(300_000, 900_000), st.floats(6_200_000, 7_600_000))
def test_the_blurred_point_is_a_cell_centre_in_the_same_cell(x: float, y: float) -> None:
    for cell in rules.BLUR_CELLS:
        cx, cy = rules.cell_centre(x, y, cell)
        assert (cx - cell / 2) % cell == 0 and (cy - cell / 2) % cell == 0
        assert abs(cx - x) <= cell / 2 and abs(cy - y) <= cell / 2
        # the same for every point of the cell: the published point says nothing finer than the cell
        x0, y0, _, _ = rules.cell_bounds(x, y, cell)
        assert rules.cell_centre(x0 + 0.01, y0 + cell - 0.01, cell) == (cx, cy)


def test_blur_takes_the_smallest_cell_with_a_handful_of_households() -> None:
    x, y = 612_345.0, 7_045_678.0
    assert rules.choose_blur(x, y, {100: 5, 200: 9, 500: 40, 1000: 90}) == (612_350.0, 7_045_650.0, 100)
    assert rules.choose_blur(x, y, {100: 4, 200: 9, 500: 40, 1000: 90}) == (612_300.0, 7_045_700.0, 200)
    assert rules.choose_blur(x, y, {100: 0, 200: 1, 500: 2, 1000: 4}) is None


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("Ring mig på 070-123 45 67 så visar jag", ["telefonnummer"]),
        ("ring +46 70 123 45 67", ["telefonnummer"]),
        ("mejla anna.svensson@example.se", ["e-postadress"]),
        ("jag heter Anna, 19850412-1234", ["personnummer"]),
        ("850412-1234 bor här", ["personnummer"]),
        ("Lampan vid gångtunneln är trasig sedan 3 veckor, ca 20 meter från busshållplats 12", []),
        ("Lyktstolpe nr 4411 vid Storgatan 12", []),
    ],
)
def test_personal_data_is_found_and_redacted(text: str, kinds: list[str]) -> None:
    assert rules.personal_data_found(text) == kinds
    if kinds:
        redacted = rules.redact(text)
        assert redacted is not None and rules.REDACTED in redacted and rules.personal_data_found(redacted) == []


def test_text_is_plain_and_at_most_4000_characters() -> None:
    assert rules.clean_text("  mörk\x00 stig\r\n ", "what", required=True) == "mörk stig"
    assert rules.clean_text("a" * 4000, "what", required=True) == "a" * 4000
    with pytest.raises(InvalidInput, match="4000"):
        rules.clean_text("a" * 4001, "what", required=True)
    with pytest.raises(InvalidInput):
        rules.clean_text("   ", "what", required=True)
    with pytest.raises(InvalidInput):
        rules.clean_email("inte en adress")
    assert rules.clean_email(" a@b.se ") == "a@b.se"


def test_rate_limiter_counts_per_key_within_the_window() -> None:
    limiter = rules.RateLimiter(3, 60.0)
    assert [limiter.allow("a", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limiter.allow("b", now=3)
    assert limiter.retry_after("a", now=3) == 57
    assert limiter.allow("a", now=60.5)
    assert not math.isnan(limiter.window)


def test_rate_limiter_memory_is_bounded() -> None:
    limiter = rules.RateLimiter(1, 60.0, max_keys=10)
    for i in range(100):
        limiter.allow(f"k{i}", now=0)
    assert len(limiter._log) == 10
