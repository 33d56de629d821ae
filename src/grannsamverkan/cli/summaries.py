"""Counts as a person reads them on the command line: ``3 nya, 1 ändrat, 0 oförändrade``.

A plain module: it registers no command, so ``import areas``, ``import households``, ``import
burglaries`` and ``demo`` (cli/registry.py, cli/ranking.py) print the same words, and the other
commands count the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grannsamverkan.domain import numbers

if TYPE_CHECKING:
    from grannsamverkan.db import areas, burglaries, household_import


def counted(n: int, one: str, many: str) -> str:
    """``counted(1, "grupp", "grupper")`` -> ``"1 grupp"``; 0 and 2 or more take ``many``."""
    return f"{numbers.count(n)} {one if n == 1 else many}"


# Områden, hushåll and inbrott are all ett-words: "1 nytt område", "2 nya hushåll".
def _new(n: int) -> str:
    return counted(n, "nytt", "nya")


def _changed(n: int) -> str:
    return counted(n, "ändrat", "ändrade")


def _unchanged(n: int) -> str:
    return counted(n, "oförändrat", "oförändrade")


def area_counts(result: areas.ImportSummary) -> str:
    """``3 nya, 1 ändrat, 0 oförändrade``."""
    return f"{_new(result.inserted)}, {_changed(result.updated)}, {_unchanged(result.unchanged)}"


def household_counts(result: household_import.ImportResult) -> str:
    """``10 nya, 0 ändrade, 9 i ett område, 1 utan område``."""
    return (
        f"{_new(result.inserted)}, {_changed(result.updated)}, "
        f"{numbers.count(result.assigned)} i ett område, {numbers.count(result.unassigned)} utan område"
    )


def burglary_counts(result: burglaries.ImportResult) -> str:
    """``7 nya, 0 ändrade, 0 oförändrade, 1 överhoppat; 7 i ett område, 0 utan område``."""
    return (
        f"{_new(result.inserted)}, {_changed(result.updated)}, {_unchanged(result.unchanged)}, "
        f"{counted(result.skipped, 'överhoppat', 'överhoppade')}; "
        f"{numbers.count(result.assigned)} i ett område, {numbers.count(result.unassigned)} utan område"
    )
