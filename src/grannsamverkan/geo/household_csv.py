"""Households of a CSV file, read carefully: every line checked, every problem named by its line
and column (the table reader: ``geo.csv_table``; the fast reader for clean files, which hands
over to this one: ``geo.columnar``). Both give :class:`HouseholdBatch`.

Column ``external_ref`` is required. ``street,postcode,city`` are required (and non-empty) on a
line without a position; a file with ``lon,lat`` or ``x,y``/``e,n`` may leave them out, and a line
with a position may leave them empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import IO, Final

import msgspec
import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from grannsamverkan.geo.csv_table import (
    CHUNK_ROWS,
    COORDINATE_COLUMNS,
    MAX_ERRORS,
    MAX_LENGTHS,
    MAX_TEXT,
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

HOUSEHOLD_COLUMNS: Final = ("external_ref", "street", "postcode", "city")
ADDRESS_COLUMNS: Final = HOUSEHOLD_COLUMNS[1:]
# Columns a line may lack at its end (the careful reader fills them in as empty).
OPTIONAL_COLUMNS: Final = frozenset(c for pair, _ in COORDINATE_COLUMNS for c in pair)


class HouseholdBatch(msgspec.Struct, kw_only=True):
    """Households of a CSV file, column-oriented: text as Arrow strings (null where a value is
    empty), SWEREF 99 TM x/y (NaN = no location). ``line`` is each row's line in the file (from
    the careful reader; the fast one does not count lines). ``bytes_consumed`` of ``total_bytes``
    is for progress."""

    external_ref: pa.Array
    street: pa.Array
    postcode: pa.Array
    city: pa.Array
    x_sweref: NDArray[np.float64]
    y_sweref: NDArray[np.float64]
    bytes_consumed: int
    total_bytes: int
    line: NDArray[np.int64] | None = None

    def __len__(self) -> int:
        return len(self.external_ref)

    @property
    def has_location(self) -> NDArray[np.bool_]:
        return ~np.isnan(self.x_sweref)


class HouseholdLayout(msgspec.Struct, kw_only=True):
    """Where a household CSV's columns are: what :func:`household_layout` reads from its header."""

    delimiter: str
    width: int  # columns in the header
    positions: dict[str, int]  # lower-cased column name -> index
    coordinates: tuple[tuple[str, str], int] | None  # the coordinate column pair and its CRS
    first_data_line: int  # 0-based index of the first line after the header


def household_layout(head: list[str]) -> HouseholdLayout:
    """The layout of a household CSV from its first physical lines (newlines normalised).

    Raises :class:`InvalidInput` for a bad header exactly as :func:`iter_households` does.
    """
    table = CsvTable(head, total_bytes=1, total_chars=1, encoding="utf-8")
    coords = table.coordinate_columns()
    table.require(HOUSEHOLD_COLUMNS if coords is None else HOUSEHOLD_COLUMNS[:1])
    return HouseholdLayout(
        delimiter=table.delimiter, width=len(table.header), positions=table.positions, coordinates=coords, first_data_line=table.pos
    )


def iter_households(
    source: bytes | bytearray | memoryview | IO[bytes],
    *,
    chunk_rows: int = CHUNK_ROWS,
    max_errors: int = MAX_ERRORS,
    kommun: str | None = None,
) -> Iterator[HouseholdBatch]:
    """Households of a CSV, batch by batch; raises :class:`InvalidInput` after the last good batch.

    With ``kommun``, a position outside the kommun (beyond ``boundaries.TOLERANCE_M`` of its
    outline) is an error naming the line. Once a line has an error no more batches are yielded
    (whatever the caller stored must be rolled back); reading goes on to collect up to
    ``max_errors`` errors, which are raised together. A file without data lines is an error.
    """
    table = CsvTable.read(source)
    coords = table.coordinate_columns()
    table.require(HOUSEHOLD_COLUMNS if coords is None else HOUSEHOLD_COLUMNS[:1])
    errors = LineErrors(max_errors)
    seen: dict[str, int] = {}  # external_ref -> its first line, over all batches
    rows = 0
    for raw in table.chunks(chunk_rows, errors, OPTIONAL_COLUMNS):
        lines = _data_lines(raw, table)
        if lines is None:
            continue
        batch = _read_batch(lines, table, coords, kommun, errors, seen)
        rows += len(batch)
        if not errors:
            yield batch
        if errors.full:
            break
    errors.raise_if_any("csv.invalid_households")
    if rows == 0:
        raise header_error("csv.no_data", "external_ref")


def _data_lines(raw: RawChunk, table: CsvTable) -> RawChunk | None:
    """The chunk without its blank lines (``;;;;``, as Excel writes them), or ``None`` if nothing is left."""
    if len(raw.lines) and not all(map(str.strip, raw.cols[table.positions["external_ref"]])):
        raw = drop_blank_rows(raw)
    return raw if len(raw.lines) else None


def _read_batch(
    raw: RawChunk,
    table: CsvTable,
    coords: tuple[tuple[str, str], int] | None,
    kommun: str | None,
    errors: LineErrors,
    seen: dict[str, int],
) -> HouseholdBatch:
    """One chunk's households, every value checked (problems go to ``errors``)."""
    lines = raw.lines
    ref = stripped(raw.cols[table.positions["external_ref"]])
    address = {name: _text(raw, table, name) for name in ADDRESS_COLUMNS}
    if coords is not None:
        x, y = coordinates(raw, table, coords[0], coords[1], errors)
    else:
        x, y = np.full(len(lines), np.nan), np.full(len(lines), np.nan)
    require_values(ref, "external_ref", lines, errors)
    _check_addresses(address, table, ~np.isnan(x), lines, errors)
    postcode = _postcodes(address["postcode"], lines, errors, allow_empty=coords is not None)
    if kommun is not None and (~np.isnan(x)).any():
        check_kommun(kommun, x, y, lines, errors)
    check_duplicates(ref, lines, seen, errors)
    return HouseholdBatch(
        # An empty street, postcode or city (a household with a position needs none) is stored as null.
        external_ref=pa.array(ref, pa.string()),
        street=_nulls(address["street"]),
        postcode=_nulls(postcode),
        city=_nulls(address["city"]),
        x_sweref=x,
        y_sweref=y,
        bytes_consumed=table.bytes_consumed(raw.chars_consumed),
        total_bytes=table.total_bytes,
        line=lines,
    )


def _text(raw: RawChunk, table: CsvTable, name: str) -> list[str]:
    at = table.positions.get(name)
    return stripped(raw.cols[at]) if at is not None else [""] * len(raw.lines)


def _nulls(values: list[str]) -> pa.Array:
    return pa.array(values if all(values) else [v or None for v in values], pa.string())


def _check_addresses(
    address: dict[str, list[str]], table: CsvTable, located: NDArray[np.bool_], lines: NDArray[np.int64], errors: LineErrors
) -> None:
    """An address is needed where there is no position (someone will place the household)."""
    if located.all():
        for name, col in address.items():
            _check_lengths(col, name, lines, errors)
        return
    here, there = np.flatnonzero(located), np.flatnonzero(~located)
    for name, col in address.items():
        if name not in table.positions:
            for i in there.tolist():
                errors.add(int(lines[i]), name, "csv.address_needed", name=name)
            continue
        require_values([col[i] for i in there.tolist()], name, lines[there], errors)
        _check_lengths([col[i] for i in here.tolist()], name, lines[here], errors)


def _check_lengths(col: list[str], name: str, lines: NDArray[np.int64], errors: LineErrors) -> None:
    limit = MAX_LENGTHS.get(name, MAX_TEXT)
    if col and max(map(len, col)) > limit:
        for i, v in enumerate(col):
            if len(v) > limit:
                errors.add(int(lines[i]), name, "csv.too_long", name=name, length=len(v), max=limit)


_POSTCODES_NORMAL = re.compile(r"(?:[0-9]{3} [0-9]{2}\n)*[0-9]{3} [0-9]{2}")
_POSTCODES_DIGITS = re.compile(r"(?:[0-9]{5}\n)*[0-9]{5}")
_POSTCODE = re.compile(r"^(?:SE-?\s*)?(\d{3})\s?(\d{2})$", re.IGNORECASE)


def _postcodes(col: list[str], lines: NDArray[np.int64], errors: LineErrors, *, allow_empty: bool = False) -> list[str]:
    """Swedish postcodes as ``"881 30"``; ``88130`` and ``SE-881 30`` are accepted; empty stays
    empty when ``allow_empty`` (the caller has required a value where one is needed)."""
    if allow_empty and not all(col):
        filled = [i for i, p in enumerate(col) if p]
        normal = _postcodes([col[i] for i in filled], lines[filled], errors) if filled else []
        out = [""] * len(col)
        for i, p in zip(filled, normal, strict=True):
            out[i] = p
        return out
    blob = "\n".join(col)
    if _POSTCODES_NORMAL.fullmatch(blob):
        return col
    if _POSTCODES_DIGITS.fullmatch(blob):
        return [p[:3] + " " + p[3:] for p in col]
    out = [
        (p if p[3] == " " and p[:3].isdigit() and p[4:].isdigit() else "")
        if len(p) == 6
        else (p[:3] + " " + p[3:] if len(p) == 5 and p.isdigit() else "")
        for p in col
    ]
    if all(out) and all(map(str.isascii, out)):
        return out
    for i, p in enumerate(col):
        if out[i] and out[i].isascii():
            continue
        out[i] = ""
        m = _POSTCODE.match(p)
        if m and p.isascii():
            out[i] = f"{m[1]} {m[2]}"
        elif p:
            errors.add(int(lines[i]), "postcode", "csv.postcode", value=repr(p))
    return out


def parse_households(
    source: bytes | bytearray | memoryview | IO[bytes],
    *,
    max_errors: int = MAX_ERRORS,
) -> HouseholdBatch:
    """All households of a CSV as one batch (see :func:`iter_households`)."""
    return concat_households(list(iter_households(source, max_errors=max_errors)))


def concat_households(batches: Sequence[HouseholdBatch]) -> HouseholdBatch:
    """One batch of several (in order)."""
    if not batches:
        raise ValueError("no batches")
    if len(batches) == 1:
        return batches[0]
    lines = [b.line for b in batches]
    return HouseholdBatch(
        external_ref=pa.concat_arrays([b.external_ref for b in batches]),
        street=pa.concat_arrays([b.street for b in batches]),
        postcode=pa.concat_arrays([b.postcode for b in batches]),
        city=pa.concat_arrays([b.city for b in batches]),
        x_sweref=np.concatenate([b.x_sweref for b in batches]),
        y_sweref=np.concatenate([b.y_sweref for b in batches]),
        bytes_consumed=batches[-1].bytes_consumed,
        total_bytes=batches[-1].total_bytes,
        line=None if any(line is None for line in lines) else np.concatenate(lines),  # type: ignore[arg-type]
    )
