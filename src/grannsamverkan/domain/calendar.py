"""The days the registry reasons about: calendar arithmetic on them must never overflow."""

from __future__ import annotations

from datetime import date
from typing import Final

from grannsamverkan.errors import FieldError, InvalidInput

FIRST_DAY: Final = date(1900, 1, 1)
LAST_DAY: Final = date(2100, 12, 31)


def check_days(**days: date | None) -> None:
    """422 naming each given day outside 1900-01-01 .. 2100-12-31 (None means not given)."""
    errors = [
        FieldError(field=name.rstrip("_"), message=f"{day.isoformat()} is outside {FIRST_DAY.isoformat()} .. {LAST_DAY.isoformat()}")
        for name, day in days.items()
        if day is not None and not FIRST_DAY <= day <= LAST_DAY
    ]
    if errors:
        raise InvalidInput(f"{errors[0].field}: {errors[0].message}", errors)
