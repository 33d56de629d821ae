"""Numbers as Swedish readers write them, one function per kind, for pages, command line and report.

- counts are integers with a no-break space between thousands: ``1 234`` (never ``1,0``);
- decimals have a decimal comma, rounded half up from the decimal value people see: ``9,2``;
- a figure a count is measured against (groups expected by now) is rounded DOWN: ``9,1``;
- shares are rounded DOWN, so a group with 69,5 % never reads "70 %" when the 70 % rule says it
  is not there: ``69,5 %``, ``66,6 %``, ``70 %`` (a trailing ``,0`` is left out).

Pure functions, no I/O. Exact arithmetic (integers and :class:`~decimal.Decimal`), no float rounding
surprises (``0.29 * 100`` is ``28.999…`` in floats).
"""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Final

#: Between groups of thousands: no-break space, so "1 234" never breaks over two lines.
THOUSANDS: Final = "\u00a0"
#: Shown for a share of nothing (no households): a dash, not "0 %".
NO_SHARE: Final = "–"


def count(n: int) -> str:
    """``1234567`` -> ``"1 234 567"``; a count is always an integer."""
    return f"{int(n):,}".replace(",", THOUSANDS)


def tally(value: float | Fraction | Decimal) -> str:
    """A count that may be a share of one (burglaries whose time is known only as a window are
    spread over the days they may have happened): ``1.0`` -> ``"1"``, ``2.5`` -> ``"2,5"``,
    ``0.96`` -> ``"1"``; one decimal only where the tenths are not zero."""
    text = decimal(value, 1)
    return text[:-2] if text.endswith(",0") else text


def _grouped(value: Decimal, places: int) -> str:
    return f"{value:,.{places}f}".replace(",", THOUSANDS).replace(".", ",")


def _exact(value: float | Fraction | Decimal) -> Fraction:
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))  # the decimal value people see, not the binary one
    return Fraction(value)


def decimal(value: float | Fraction | Decimal, places: int = 1) -> str:
    """``9.18`` -> ``"9,2"``, ``1234.5`` with 2 places -> ``"1 234,50"``; half up (9,15 -> 9,2)."""
    exact = _exact(value) * 10**places
    steps = math.floor(exact + Fraction(1, 2)) if exact >= 0 else -math.floor(-exact + Fraction(1, 2))
    return _grouped(Decimal(steps).scaleb(-places), places)


def expected(value: float | Fraction | Decimal, places: int = 1) -> str:
    """A figure a count is measured against ("väntat 9,1" groups by now), rounded DOWN like a
    share: a goal is on track with ``count >= floor(expected)``, so the text never shows more than
    the line reached. ``Fraction(918, 100)`` -> ``"9,1"``."""
    steps = math.floor(_exact(value) * 10**places)
    return _grouped(Decimal(steps).scaleb(-places), places)


def _percent_text(percent: Fraction, places: int) -> str:
    step = Decimal(1).scaleb(-places)
    floored = (Decimal(percent.numerator) / Decimal(percent.denominator)).quantize(step, rounding=ROUND_FLOOR)
    # Decimal division rounds at 28 digits; a share just below a step must not round up to it.
    if Fraction(floored) > percent:
        floored -= step
    text = _grouped(floored, places)
    if places and text.endswith("," + "0" * places):
        text = text[: -(places + 1)]
    return f"{text} %"


def percent(part: int, whole: int, places: int = 1) -> str:
    """``part`` of ``whole`` as a percentage rounded DOWN: 7 of 10 -> ``"70 %"``, 139 of 200 ->
    ``"69,5 %"``, 2 of 3 -> ``"66,6 %"``; ``"–"`` when ``whole`` is 0."""
    if whole <= 0:
        return NO_SHARE
    return _percent_text(Fraction(100 * part, whole), places)


def share(fraction: float, places: int = 1) -> str:
    """A share given as a float (0.695 -> ``"69,5 %"``), rounded DOWN from its decimal value."""
    return _percent_text(Fraction(Decimal(repr(float(fraction)))) * 100, places)
