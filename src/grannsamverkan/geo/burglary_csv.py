"""Burglaries of a CSV file: ``external_ref,occurred_from,occurred_to,category`` plus coordinates
and/or the area's external_ref (the table reader and its errors by line: ``geo.csv_table``)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from typing import IO, Final

import msgspec
import numpy as np
from numpy.typing import NDArray

from grannsamverkan import messages
from grannsamverkan.domain.calendar import STOCKHOLM
from grannsamverkan.geo.csv_table import (
    CHUNK_ROWS,
    COORDINATE_COLUMNS,
    MAX_ERRORS,
    CsvTable,
    LineErrors,
    RawChunk,
    check_duplicates,
    check_kommun,
    coordinates,
    drop_blank_rows,
    header_error,
    require_values,
    stripped,
)

BURGLARY_COLUMNS: Final = ("external_ref", "occurred_from", "occurred_to", "category")
BURGLARY_CATEGORIES: Final = ("villa", "lagenhet", "fritidshus", "forrad", "ovrigt")
#: Each category in Swedish (a file may use either spelling), for a message that lists them.
CATEGORY_WORDS: Final = {"villa": "villa", "lagenhet": "lägenhet", "fritidshus": "fritidshus", "forrad": "förråd", "ovrigt": "övrigt"}
_CATEGORY_SPELLINGS: Final = {
    "villa": "villa",
    "lagenhet": "lagenhet",
    "lägenhet": "lagenhet",
    "fritidshus": "fritidshus",
    "forrad": "forrad",
    "förråd": "forrad",
    "ovrigt": "ovrigt",
    "övrigt": "ovrigt",
}
# Coordinate column pairs and the CRS they imply.


class BurglaryRecord(msgspec.Struct, kw_only=True):
    """One burglary from a CSV line or a police event. Times are timezone-aware.

    Location in SWEREF 99 TM or ``None``; ``location_is_centroid`` says the point is only a
    kommun's or county's centre (police feed), not the place itself.
    """

    external_ref: str
    occurred_from: datetime
    occurred_to: datetime
    category: str
    x_sweref: float | None = None
    y_sweref: float | None = None
    area_external_ref: str | None = None
    location_is_centroid: bool = False
    source: str = "csv"
    line: int | None = None
    place: str | None = None  # police: location.name
    summary: str | None = None  # police: summary
    url: str | None = None  # police: url


def normalise_category(value: str) -> str | None:
    """``villa|lagenhet|fritidshus|forrad|ovrigt`` for a code or its Swedish spelling, else ``None``."""
    return _CATEGORY_SPELLINGS.get(value.strip().lower())


def parse_time(value: str, *, end_of_day: bool = False) -> datetime:
    """An ISO 8601 date or date-time as an aware datetime; naive times are Europe/Stockholm.

    A bare date means the start of that day, or its last second with ``end_of_day`` (for
    ``occurred_to``). Raises ``ValueError`` with a readable reason.
    """
    s = value.strip()
    if len(s) == 10:
        d = date.fromisoformat(s)
        t = time(23, 59, 59) if end_of_day else time(0, 0)
        return datetime.combine(d, t, tzinfo=STOCKHOLM)
    if s.endswith(("z", "Z")):
        s = s[:-1] + "+00:00"
    dt = datetime.fromisoformat(s)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=STOCKHOLM)
    return dt


def parse_burglaries_csv(
    source: bytes | bytearray | memoryview | IO[bytes],
    *,
    max_errors: int = MAX_ERRORS,
    now: datetime | None = None,
    kommun: str | None = None,
) -> list[BurglaryRecord]:
    """Burglaries of a CSV: ``external_ref,occurred_from,occurred_to,category`` plus coordinates
    (``lon,lat`` / ``x,y`` / ``e,n``) and/or ``area_external_ref``.

    ``occurred_to`` may be empty (= ``occurred_from``; a bare date then covers that day) and must
    not be earlier than ``occurred_from``; neither may lie more than a day after ``now``. A line
    may have a location, an area reference, both or neither. All or nothing: any error raises
    :class:`InvalidInput`. With ``kommun``, a location outside the kommun (beyond
    ``boundaries.TOLERANCE_M`` of its outline) is an error naming the line.
    """
    table = CsvTable.read(source)
    table.require(BURGLARY_COLUMNS)
    reading = _Reading(table, kommun=kommun, latest=(now or datetime.now(UTC)) + timedelta(days=1), errors=LineErrors(max_errors))
    if reading.coords is None and not reading.has_area:
        raise header_error("csv.burglary_place_columns", "area_external_ref", header=table.describe_header())
    optional = frozenset({"occurred_to", "area_external_ref"} | {c for p, _ in COORDINATE_COLUMNS for c in p})
    out: list[BurglaryRecord] = []
    for raw in table.chunks(CHUNK_ROWS, reading.errors, optional):
        raw = drop_blank_rows(raw) if len(raw.lines) else raw
        if len(raw.lines):
            out += reading.records(raw)
        if reading.errors.full:
            break
    reading.errors.raise_if_any("csv.invalid_burglaries")
    if not out:
        raise header_error("csv.no_data", "external_ref")
    return out


class _Reading:
    """One burglary CSV being read: its layout, the errors so far and the references seen."""

    def __init__(self, table: CsvTable, *, kommun: str | None, latest: datetime, errors: LineErrors) -> None:
        self.table, self.kommun, self.latest, self.errors = table, kommun, latest, errors
        self.coords = table.coordinate_columns()
        self.has_area = "area_external_ref" in table.positions
        self.seen: dict[str, int] = {}

    def records(self, raw: RawChunk) -> list[BurglaryRecord]:
        """The chunk's burglaries (none once any line of the file is wrong: the errors say why)."""
        lines, pos, errors = raw.lines, self.table.positions, self.errors
        ref = stripped(raw.cols[pos["external_ref"]])
        require_values(ref, "external_ref", lines, errors)
        check_duplicates(ref, lines, self.seen, errors)
        xs, ys = self._locations(raw)
        areas = stripped(raw.cols[pos["area_external_ref"]]) if self.has_area else [""] * len(lines)
        out = []
        for i, line in enumerate(lines.tolist()):
            t_from, t_to = _times(raw.cols[pos["occurred_from"]][i], raw.cols[pos["occurred_to"]][i], line, self.latest, errors)
            category = self._category(raw.cols[pos["category"]][i], line)
            if errors or t_from is None or t_to is None or category is None:
                continue
            x, y = float(xs[i]), float(ys[i])
            located = not math.isnan(x)
            out.append(
                BurglaryRecord(
                    external_ref=ref[i],
                    occurred_from=t_from,
                    occurred_to=t_to,
                    category=category,
                    x_sweref=x if located else None,
                    y_sweref=y if located else None,
                    area_external_ref=areas[i] or None,
                    line=line,
                )
            )
        return out

    def _locations(self, raw: RawChunk) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """SWEREF 99 TM per line (NaN without one), checked against the kommun when it is given."""
        if self.coords is None:
            return np.full(len(raw.lines), np.nan), np.full(len(raw.lines), np.nan)
        xs, ys = coordinates(raw, self.table, self.coords[0], self.coords[1], self.errors)
        if self.kommun is not None and (~np.isnan(xs)).any():
            check_kommun(self.kommun, xs, ys, raw.lines, self.errors)
        return xs, ys

    def _category(self, raw_value: str, line: int) -> str | None:
        category = normalise_category(raw_value.strip())
        if category is None:
            code = "csv.category_unknown" if raw_value.strip() else "csv.category_empty"
            categories = messages.choices(CATEGORY_WORDS, BURGLARY_CATEGORIES)
            self.errors.add(line, "category", code, value=repr(raw_value.strip()), categories=categories)
        return category


def _times(
    raw_from: str,
    raw_to: str,
    line: int,
    latest: datetime,
    errors: LineErrors,
) -> tuple[datetime | None, datetime | None]:
    s_from, s_to = raw_from.strip(), raw_to.strip()
    if not s_from:
        errors.add(line, "occurred_from", "csv.empty_value", name="occurred_from")
        return None, None
    try:
        t_from = parse_time(s_from)
    except ValueError:
        errors.add(line, "occurred_from", "csv.time", name="occurred_from", value=repr(s_from), example="2024-03-01 eller 2024-03-01T14:30")
        return None, None
    try:
        t_to = parse_time(s_to or s_from, end_of_day=True)
    except ValueError:
        errors.add(line, "occurred_to", "csv.time", name="occurred_to", value=repr(s_to), example="2024-03-03 eller 2024-03-03T08:00")
        return None, None
    if t_to < t_from:
        errors.add(line, "occurred_to", "csv.to_before_from", to=repr(s_to), start=repr(s_from))
        return None, None
    if t_from > latest or t_to > latest:
        errors.add(line, "occurred_from" if t_from > latest else "occurred_to", "csv.future")
        return None, None
    return t_from, t_to
