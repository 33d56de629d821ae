"""The days the registry accepts: 1900-01-01 to 2100-12-31, each refusal naming its field."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest

from grannsamverkan.domain.calendar import (
    DEFAULT_PERIOD_DAYS,
    FIRST_DAY,
    LAST_DAY,
    STOCKHOLM,
    check_days,
    period_ending,
    today_in_sweden,
)
from grannsamverkan.errors import FieldError, InvalidInput


def test_the_first_and_last_day_and_nothing_given_are_accepted() -> None:
    assert date(1900, 1, 1) == FIRST_DAY
    assert date(2100, 12, 31) == LAST_DAY
    check_days(fran=date(1900, 1, 1), till=date(2100, 12, 31))
    check_days(from_=None, to=None)
    check_days()


@pytest.mark.parametrize("day", [date(1899, 12, 31), date(2101, 1, 1), date(1, 1, 1), date(9999, 12, 31)])
def test_a_day_outside_is_refused_with_its_field_and_the_range(day: date) -> None:
    with pytest.raises(InvalidInput) as info:
        check_days(fran=date(2024, 1, 1), till=day)
    message = f"{day.isoformat()} ligger utanför 1900-01-01 .. 2100-12-31."
    assert info.value.status == 422
    assert info.value.detail == f"till: {message}"
    assert info.value.errors == [FieldError(field="till", message=message, code="date.out_of_range")]


def test_every_day_outside_is_named_and_a_trailing_underscore_is_dropped() -> None:
    # `from` is a Python keyword, so the API passes it as `from_`; the field is still `from`
    with pytest.raises(InvalidInput) as info:
        check_days(from_=date(1800, 1, 1), to=date(2024, 1, 1), test_to=date(2200, 1, 1))
    assert [e.field for e in info.value.errors] == ["from", "test_to"]
    assert info.value.detail == "from: 1800-01-01 ligger utanför 1900-01-01 .. 2100-12-31."


def test_a_period_defaults_to_the_365_days_before_its_last_day() -> None:
    assert DEFAULT_PERIOD_DAYS == 365
    assert period_ending(date(2024, 3, 1), None) == (date(2023, 3, 2), date(2024, 3, 1))
    assert period_ending(date(2024, 3, 1), date(2024, 1, 1)) == (date(2024, 1, 1), date(2024, 3, 1))


def test_a_period_without_a_last_day_ends_today_in_sweden() -> None:
    first, last = period_ending(None, None)
    # the Swedish date, read twice around the call in case midnight passes in between
    assert last in {today_in_sweden(), today_in_sweden() - timedelta(days=1)}
    assert last - first == timedelta(days=365)
    assert period_ending(None, date(2020, 1, 1))[0] == date(2020, 1, 1)


def test_today_is_the_date_in_stockholm() -> None:
    before = datetime.now(STOCKHOLM).date()
    today = today_in_sweden()
    after = datetime.now(STOCKHOLM).date()
    assert before <= today <= after
    assert str(STOCKHOLM) == "Europe/Stockholm"


@pytest.mark.parametrize("server_zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_today_is_swedish_whatever_the_servers_time_zone(monkeypatch: pytest.MonkeyPatch, server_zone: str) -> None:
    # At any moment one of these two zones (UTC+14, UTC-11) has another date than Stockholm.
    monkeypatch.setenv("TZ", server_zone)
    time.tzset()
    try:
        before = datetime.now(STOCKHOLM).date()
        today = today_in_sweden()
        assert before <= today <= datetime.now(STOCKHOLM).date()
    finally:
        monkeypatch.undo()
        time.tzset()
