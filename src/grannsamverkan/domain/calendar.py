"""The days the registry reasons about: calendar arithmetic on them must never overflow."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from grannsamverkan.errors import FieldError, InvalidInput

FIRST_DAY: Final = date(1900, 1, 1)
LAST_DAY: Final = date(2100, 12, 31)
# Days and times of day are Swedish: a burglary at 23:30 on 31 December belongs to that year.
STOCKHOLM: Final = ZoneInfo("Europe/Stockholm")


# The burglary statistics behind a ranking cover the last year unless a period is given.
DEFAULT_PERIOD_DAYS: Final = 365


def period_ending(last: date | None, first: date | None) -> tuple[date, date]:
    """``(first, last)``: ``last`` defaults to today, ``first`` to ``DEFAULT_PERIOD_DAYS`` before ``last``."""
    last = last or today_in_sweden()
    return first or last - timedelta(days=DEFAULT_PERIOD_DAYS), last


def today_in_sweden() -> date:
    """Today's date in Sweden (the one clock read the rules allow; callers pass it on as ``as_of``)."""
    return datetime.now(STOCKHOLM).date()


def check_days(**days: date | None) -> None:
    """422 naming each given day outside 1900-01-01 .. 2100-12-31 (None means not given)."""
    errors = [
        FieldError.of(name.rstrip("_"), "date.out_of_range", day=day.isoformat(), first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())
        for name, day in days.items()
        if day is not None and not FIRST_DAY <= day <= LAST_DAY
    ]
    if errors:
        raise InvalidInput("date.out_of_range_at", errors, field=errors[0].field, problem=errors[0].message)
