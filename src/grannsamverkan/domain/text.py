"""Text that people typed or files carried, made safe to store and to print on a terminal.

An area name with ``ESC ] 0 ; … BEL`` or ``ESC [ 2 J`` would otherwise retitle or clear the
terminal of the police officer who runs ``priority``, and bidirectional overrides (U+202E) can make
a name read as something else.
"""

from __future__ import annotations

import re
from typing import Final

# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional embeddings,
# overrides and isolates.
_UNPRINTABLE: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# In a one-line value (a name) tab and newline are unwanted too.
_UNPRINTABLE_IN_LINE: Final = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` without control characters; tab and newline stay (for whole outputs: tables, reports)."""
    return _UNPRINTABLE.sub("", text)


def one_line(text: str) -> str:
    """A one-line value (a name): control characters, tabs and newlines removed, ends trimmed."""
    return _UNPRINTABLE_IN_LINE.sub("", text).strip()
