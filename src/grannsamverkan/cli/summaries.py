"""What an import did, as a person reads it on the command line: ``3 nya, 0 ändrade, 0 oförändrade``.

A plain module: it registers no command, so ``import areas``, ``import households``, ``import
burglaries`` and ``demo`` (cli/registry.py, cli/ranking.py) print the same words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grannsamverkan.domain import numbers

if TYPE_CHECKING:
    from grannsamverkan.db import areas, burglaries, household_import


def area_counts(result: areas.ImportSummary) -> str:
    """``3 nya, 0 ändrade, 0 oförändrade``."""
    return f"{numbers.count(result.inserted)} nya, {numbers.count(result.updated)} ändrade, {numbers.count(result.unchanged)} oförändrade"


def household_counts(result: household_import.ImportResult) -> str:
    """``10 nya, 0 ändrade, 9 i ett område, 1 utan område``."""
    return (
        f"{numbers.count(result.inserted)} nya, {numbers.count(result.updated)} ändrade, "
        f"{numbers.count(result.assigned)} i ett område, {numbers.count(result.unassigned)} utan område"
    )


def burglary_counts(result: burglaries.ImportResult) -> str:
    """``7 nya, 0 ändrade, 0 oförändrade, 0 överhoppade; 7 i ett område, 0 utan område``."""
    return (
        f"{numbers.count(result.inserted)} nya, {numbers.count(result.updated)} ändrade, "
        f"{numbers.count(result.unchanged)} oförändrade, {numbers.count(result.skipped)} överhoppade; "
        f"{numbers.count(result.assigned)} i ett område, {numbers.count(result.unassigned)} utan område"
    )
