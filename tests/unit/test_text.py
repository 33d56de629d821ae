"""Names and texts printed on a terminal (domain.text): escape codes never reach it."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from grannsamverkan.domain.text import one_line, printable

# retitles the terminal, clears it, turns the text red, reverses what follows, and a C1 CSI
HOSTILE = "Nipan\x1b]0;pwned\x07\x1b[2J\x1b[31m\u202eröd\x9b"
CONTROLS = [chr(c) for c in [*range(9), *range(11, 32), *range(0x7F, 0xA0)]] + [
    chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
]


def test_an_area_name_with_escape_codes_prints_as_its_letters() -> None:
    assert printable(HOSTILE) == "Nipan]0;pwned[2J[31mröd"
    assert one_line(HOSTILE) == "Nipan]0;pwned[2J[31mröd"


def test_a_report_keeps_its_lines_and_tabs_a_name_does_not() -> None:
    table = "Område\tHushåll\nNipan\t1\u00a0240\n"
    assert printable(table) == table
    assert one_line("  Nipan\tnorra\n") == "Nipannorra"
    assert one_line("  Granbacken  ") == "Granbacken"
    assert printable("  Granbacken  ") == "  Granbacken  "


def test_swedish_letters_and_ordinary_punctuation_stay() -> None:
    name = 'Åsen–Ängsvägen (Sollefteå) 12 B, "Öster" – 70 % klart!'
    assert printable(name) == name
    assert one_line(name) == name


@given(st.text(alphabet=st.sampled_from([*CONTROLS, "a", "Ö", " ", "\t", "\n", "\u00a0", "–"]), max_size=40))
@example("\x1b[2J\u202e\t\n")
def test_no_control_character_survives(text: str) -> None:
    shown = printable(text)
    assert not any(c in shown for c in CONTROLS)
    assert list(shown) == [c for c in text if c not in CONTROLS]
    line = one_line(text)
    assert not any(c in line for c in [*CONTROLS, "\t", "\n"])
    assert line == "".join(c for c in text if c not in CONTROLS and c not in "\t\n").strip()
