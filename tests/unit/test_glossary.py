"""The registry's words (domain.glossary): dates as they are written in Swedish prose."""

from __future__ import annotations

from datetime import date

from grannsamverkan.domain.glossary import GROUP_STATUSES, long_date


def test_a_date_is_written_with_the_month_in_words_and_no_leading_zero() -> None:
    assert long_date(date(2026, 3, 14)) == "14 mars 2026"
    assert long_date(date(2026, 1, 1)) == "1 januari 2026"
    assert long_date(date(2025, 12, 31)) == "31 december 2025"


def test_every_status_has_one_word() -> None:
    assert GROUP_STATUSES["forming"] == "Bildas"
    assert len(set(GROUP_STATUSES.values())) == len(GROUP_STATUSES)
