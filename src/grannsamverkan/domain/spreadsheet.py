"""Cells for CSV and Excel files that people open in a spreadsheet program.

A value that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
programs skip before such a sign) is read as a formula: a household named ``=HYPERLINK("http://x")``
would become a link, or worse. Such a value gets a leading apostrophe, which the spreadsheet shows
as text (OWASP's advice on CSV injection). Pure functions, no I/O.
"""

from __future__ import annotations

from typing import Final

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> str:
    """The cell as text, never a formula: ``"=1+1"`` -> ``"'=1+1"``; None -> ``""``."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
