"""A CSV file as a table: its header, its lines in chunks, errors by line, and the checks of
columns that the household and burglary readers share.

The delimiter (semicolon, comma or tab) is the one the header line uses most, or the one an Excel
``sep=;`` first line declares. Header names are matched case-insensitively after trimming;
unknown columns are ignored. Values are trimmed.

Line numbers in errors are physical lines of the file, 1-based, the header being line 1 (a quoted
value spanning lines is reported at the line where its record starts). Up to 50 errors are
collected, then :class:`InvalidInput` is raised with all of them; each names its line and column.

Lines are read in chunks of column-oriented lists so that a million rows take a few seconds:
lines without quotes are split with ``str.split`` (fast path), chunks holding quotes go through
the :mod:`csv` module.

Coordinates: ``lon,lat`` are EPSG:4326, ``x,y`` and ``e,n`` EPSG:3006. They may be empty on a
line (no location) but both or neither. A decimal comma ("17,27") is accepted. Output is
SWEREF 99 TM with NaN for no location.
"""

from __future__ import annotations

import csv
import gc
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any, Final

import msgspec
import numpy as np
from numpy.typing import NDArray

from grannsamverkan import messages
from grannsamverkan.errors import FieldError, InvalidInput
from grannsamverkan.geo import boundaries
from grannsamverkan.geo.crs import SWEREF99TM, WGS84, explain_outside, inside_sweden, to_sweref
from grannsamverkan.geo.text_files import decode_text, normalise_newlines, read_all

CHUNK_ROWS: Final = 50_000
MAX_ERRORS: Final = 50
MAX_TEXT: Final = 300
# Longest value per column where the database allows less than MAX_TEXT (its check constraints).
MAX_LENGTHS: Final = {"external_ref": 200}
# Coordinate column pairs and the CRS they imply.
COORDINATE_COLUMNS: Final = ((("lon", "lat"), WGS84), (("x", "y"), SWEREF99TM), (("e", "n"), SWEREF99TM))


class LineErrors:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[FieldError] = []

    def add(self, line: int, field: str, code: str, /, **values: Any) -> None:
        """An error on ``line`` at ``field``: "rad 3: " and the catalog's text for ``code``."""
        if len(self.items) < self.limit:
            message = messages.text("place.line", line=line) + messages.text(code, **values)
            self.items.append(FieldError(field=field, message=message, line=line, code=code))

    @property
    def full(self) -> bool:
        return len(self.items) >= self.limit

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, code: str) -> None:
        """Raise :class:`InvalidInput` with ``code`` (its text starts with the first error)."""
        if self.items:
            more = messages.text("errors.more", count=len(self.items) - 1) if len(self.items) > 1 else ""
            if self.full:
                more += messages.text("errors.stopped", limit=self.limit)
            raise InvalidInput(code, list(self.items), first=self.items[0].message, more=more)


def header_error(code: str, field: str = "header", /, **values: Any) -> InvalidInput:
    """An error in the header line (line 1): the text of ``code``, at ``field``."""
    text = messages.text(code, **values)
    where = messages.text("place.line", line=1)
    return InvalidInput(code, [FieldError(field=field, message=where + text, line=1, code=code)], **values)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while a chunk's row lists are built (no cycles; halves the time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class RawChunk(msgspec.Struct):
    lines: NDArray[np.int64]
    cols: list[list[str]]  # one list per header column, untrimmed
    chars_consumed: int


class CsvTable:
    """A decoded CSV split into physical lines, with its header parsed."""

    @classmethod
    def read(cls, source: bytes | bytearray | memoryview | IO[bytes]) -> CsvTable:
        data = read_all(source)
        total_bytes = len(data)
        text, encoding = decode_text(data)
        del data
        text = normalise_newlines(text)
        total_chars = max(len(text), 1)
        lines = text.split("\n")
        del text
        if lines and lines[-1] == "":
            lines.pop()
        return cls(lines, total_bytes=total_bytes, total_chars=total_chars, encoding=encoding)

    def __init__(self, lines: list[str], *, total_bytes: int, total_chars: int, encoding: str) -> None:
        """``lines``: the physical lines (all of them, or the first few to read the header only)."""
        self.lines = lines
        self.total_bytes = total_bytes
        self.total_chars = total_chars
        self.encoding = encoding
        start = 0
        while start < len(self.lines) and not self.lines[start].strip():
            start += 1
        if start == len(self.lines):
            raise header_error("csv.empty")
        declared = None
        sep = self.lines[start].strip()
        if sep.lower().startswith("sep=") and len(sep) == 5:  # Excel's "sep=;" first line
            declared = sep[4]
            start += 1
            if start == len(self.lines):
                raise header_error("csv.empty")
        self.header_line = start + 1
        first = self.lines[start]
        counts = {d: first.count(d) for d in (";", ",", "\t")}
        if declared is not None:
            self.delimiter = declared
        else:
            self.delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
        try:
            raw_header = next(csv.reader([first], delimiter=self.delimiter))
        except csv.Error as exc:
            raise header_error("csv.header_unreadable", "header", reason=_csv_reason(exc)) from None
        self.header = [h.strip().lstrip("\ufeff").lower() for h in raw_header]
        self.raw_header = raw_header
        self.pos = start + 1  # index into self.lines of the next data line
        self.chars_done = len(first) + 1 + start
        positions: dict[str, int] = {}
        for i, name in enumerate(self.header):
            if not name:
                continue
            if name in positions:
                raise header_error("csv.column_twice", name, name=name, first=positions[name] + 1, second=i + 1)
            positions[name] = i
        self.positions = positions

    def describe_header(self) -> str:
        if len(self.header) == 1:
            return messages.text("csv.single_column", column=repr(self.raw_header[0]))
        return messages.text("csv.found_columns", columns=", ".join(h for h in self.header if h))

    def require(self, names: Sequence[str]) -> None:
        missing = [n for n in names if n not in self.positions]
        if missing:
            listed = ", ".join(f"'{n}'" for n in missing)
            code = "csv.missing_column" if len(missing) == 1 else "csv.missing_columns"
            raise header_error(code, missing[0], columns=listed, header=self.describe_header())

    def coordinate_columns(self) -> tuple[tuple[str, str], int] | None:
        """The one coordinate column pair present and its CRS, or ``None``."""
        found = []
        for (cx, cy), crs in COORDINATE_COLUMNS:
            hx, hy = cx in self.positions, cy in self.positions
            if hx != hy:
                have, lack = (cx, cy) if hx else (cy, cx)
                raise header_error("csv.no_partner", lack, have=have, lack=lack)
            if hx:
                found.append(((cx, cy), crs))
        if len(found) > 1:
            names = " and ".join(f"{a},{b}" for (a, b), _ in found)
            raise header_error("csv.two_pairs", found[1][0][0], names=names)
        return found[0] if found else None

    def chunks(self, chunk_rows: int, errors: LineErrors, optional: frozenset[str]) -> Iterator[RawChunk]:
        """Raw chunks of data lines; blank lines dropped, lines of the wrong width reported."""
        ncols = len(self.header)
        lines = self.lines
        d = self.delimiter
        while self.pos < len(lines):
            start = self.pos
            cand = lines[start : start + chunk_rows]
            blob = d.join(cand)
            fast = '"' not in blob and blob.count(d) == len(cand) * ncols - 1 and all(line.count(d) == ncols - 1 for line in cand)
            if fast:
                flat = blob.split(d)
                cols = [flat[k::ncols] for k in range(ncols)]
                nums = np.arange(start + 1, start + 1 + len(cand), dtype=np.int64)
                self.pos = start + len(cand)
                chars = sum(map(len, cand)) + len(cand)
            elif all(line.count('"') % 2 == 0 for line in cand):
                # Quoted values, but no record spans lines: one csv row per line.
                nums = np.arange(start + 1, start + 1 + len(cand), dtype=np.int64)
                with _gc_paused():
                    rows = _csv_rows(cand, d, before=start)
                    if set(map(len, rows)) != {ncols}:
                        rows, nums = self._fix_rows(rows, nums, ncols, errors, optional)
                    cols = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(ncols)]
                    del rows
                self.pos = start + len(cand)
                chars = sum(map(len, cand)) + len(cand)
            else:
                with _gc_paused():
                    rows, line_nums, consumed = self._slow(start, chunk_rows, ncols, errors, optional)
                    cols = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(ncols)]
                    del rows
                nums = np.asarray(line_nums, dtype=np.int64)
                self.pos = start + consumed
                chars = sum(len(lines[i]) + 1 for i in range(start, start + consumed))
            self.chars_done += chars
            yield RawChunk(nums, cols, self.chars_done)
            if errors.full:
                return

    def _fix_rows(
        self,
        rows: list[list[str]],
        nums: NDArray[np.int64],
        ncols: int,
        errors: LineErrors,
        optional: frozenset[str],
    ) -> tuple[list[list[str]], NDArray[np.int64]]:
        keep = []
        for i, row in enumerate(rows):
            if len(row) != ncols:
                fixed = self._fix_width(row, ncols, int(nums[i]), errors, optional)
                if fixed is None:
                    continue
                rows[i] = fixed
            keep.append(i)
        return [rows[i] for i in keep], nums[keep]

    def _slow(
        self,
        start: int,
        chunk_rows: int,
        ncols: int,
        errors: LineErrors,
        optional: frozenset[str],
    ) -> tuple[list[list[str]], list[int], int]:
        lines = self.lines
        feed = (lines[i] + "\n" for i in range(start, len(lines)))
        reader = csv.reader(feed, delimiter=self.delimiter)
        rows: list[list[str]] = []
        nums: list[int] = []
        before = 0
        for row in _guarded(reader, before=start):
            line_no = start + before + 1
            before = reader.line_num
            if len(row) != ncols:
                fixed = self._fix_width(row, ncols, line_no, errors, optional)
                if fixed is None:
                    if errors.full:
                        break
                    continue
                row = fixed
            rows.append(row)
            nums.append(line_no)
            if len(rows) >= chunk_rows:
                break
        return rows, nums, before

    def _fix_width(
        self,
        row: list[str],
        ncols: int,
        line_no: int,
        errors: LineErrors,
        optional: frozenset[str],
    ) -> list[str] | None:
        if not any(f.strip() for f in row):
            return None  # a blank line, or only delimiters
        if len(row) < ncols:
            missing = [h for h in self.header[len(row) :] if h]
            required = [h for h in missing if h not in optional]
            if not required:
                return row + [""] * (ncols - len(row))
            listed = ", ".join(f"'{h}'" for h in required)
            code = "csv.row_missing_column" if len(required) == 1 else "csv.row_missing_columns"
            errors.add(line_no, required[0], code, columns=listed, fields=len(row), ncols=ncols)
            return None
        if not any(f.strip() for f in row[ncols:]):
            return row[:ncols]
        shown = "tab" if self.delimiter == "\t" else f"'{self.delimiter}'"
        errors.add(line_no, "line", "csv.row_too_long", fields=len(row), ncols=ncols, delimiter=shown)
        return None

    def bytes_consumed(self, chars: int) -> int:
        if self.pos >= len(self.lines):
            return self.total_bytes
        return min(self.total_bytes, round(chars * self.total_bytes / self.total_chars))


# --- column helpers -----------------------------------------------------------------------------


def _csv_reason(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return messages.text("csv.value_too_long", max=f"{csv.field_size_limit():,}".replace(",", " "))
    return messages.text("csv.broken", reason=str(exc))


def _csv_failure(exc: csv.Error, line: int) -> InvalidInput:
    """A line the csv module refuses (a value over its field limit, a quote in the wrong place)."""
    reason = _csv_reason(exc)
    return InvalidInput("csv.unreadable_line", [FieldError.of("line", "csv.reason", line=line, reason=reason)], line=line, reason=reason)


def _guarded(reader: Any, *, before: int) -> Iterator[list[str]]:
    """The rows of ``reader`` (fed lines after the first ``before``); a csv error names its line."""
    try:
        yield from reader
    except csv.Error as exc:
        raise _csv_failure(exc, before + reader.line_num) from None


def _csv_rows(lines: list[str], delimiter: str, *, before: int) -> list[list[str]]:
    return list(_guarded(csv.reader(lines, delimiter=delimiter), before=before))


def stripped(col: list[str]) -> list[str]:
    return [s.strip() for s in col]


def drop_blank_rows(raw: RawChunk) -> RawChunk:
    """Drop rows whose every field is empty (";;;;" lines that Excel writes)."""
    keep = [i for i in range(len(raw.lines)) if any(c[i].strip() for c in raw.cols)]
    if len(keep) == len(raw.lines):
        return raw
    return RawChunk(raw.lines[keep], [[c[i] for i in keep] for c in raw.cols], raw.chars_consumed)


def require_values(col: list[str], name: str, lines: NDArray[np.int64], errors: LineErrors) -> None:
    if not all(col):
        for i, v in enumerate(col):
            if not v:
                errors.add(int(lines[i]), name, "csv.empty_value", name=name)
    limit = MAX_LENGTHS.get(name, MAX_TEXT)
    if col and max(map(len, col)) > limit:
        for i, v in enumerate(col):
            if len(v) > limit:
                errors.add(int(lines[i]), name, "csv.too_long", name=name, length=len(v), max=limit)


def _numbers(
    col: list[str],
    name: str,
    lines: NDArray[np.int64],
    errors: LineErrors,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """``(values, missing)``: decimal point or comma; empty is missing (NaN); bad values reported."""
    n = len(col)
    for attempt in (col, None):
        try:
            values = attempt if attempt is not None else [s.replace(",", ".") for s in col]
            arr = np.fromiter(map(float, values), np.float64, count=n)
        except ValueError:
            continue
        if np.isfinite(arr).all():
            return arr, np.zeros(n, dtype=np.bool_)
        break
    arr = np.full(n, np.nan)
    missing = np.zeros(n, dtype=np.bool_)
    for i, raw in enumerate(col):
        s = raw.strip()
        if not s:
            missing[i] = True
            continue
        try:
            v = float(s.replace(",", "."))
        except ValueError:
            v = math.nan
        if not math.isfinite(v) or "_" in s:
            errors.add(int(lines[i]), name, "csv.not_a_number", name=name, value=repr(s))
        else:
            arr[i] = v
    return arr, missing


def coordinates(
    raw: RawChunk,
    table: CsvTable,
    pair: tuple[str, str],
    crs: int,
    errors: LineErrors,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """SWEREF 99 TM x, y for a chunk (NaN where no location), checked against Sweden's extent."""
    cx, cy = pair
    lines = raw.lines
    xs, mx = _numbers(raw.cols[table.positions[cx]], cx, lines, errors)
    ys, my = _numbers(raw.cols[table.positions[cy]], cy, lines, errors)
    half = mx != my
    if half.any():
        for i in np.flatnonzero(half).tolist():
            have, lack = (cx, cy) if my[i] else (cy, cx)
            errors.add(int(lines[i]), lack, "csv.half_position", have=have, lack=lack)
        xs[half] = np.nan
        ys[half] = np.nan
    present = ~np.isnan(xs) & ~np.isnan(ys)
    bad = present & ~inside_sweden(xs, ys, crs)
    if bad.any():
        for i in np.flatnonzero(bad).tolist():
            errors.add(int(lines[i]), cx, "csv.outside", reason=explain_outside(float(xs[i]), float(ys[i]), crs, order="columns"))
            if errors.full:
                break
        present &= ~bad
    out_x = np.full(len(xs), np.nan)
    out_y = np.full(len(xs), np.nan)
    if present.any():
        sx, sy = to_sweref(xs[present], ys[present], crs)
        out_x[present] = sx
        out_y[present] = sy
    return out_x, out_y


def check_duplicates(refs: list[str], lines: NDArray[np.int64], seen: dict[str, int], errors: LineErrors) -> None:
    """External refs must be unique in the file; ``seen`` (ref -> first line) spans all chunks."""
    line_list = lines.tolist()
    chunk = dict(zip(refs, line_list, strict=True))
    if len(chunk) == len(refs) and not (chunk.keys() & seen.keys()):
        seen.update(chunk)
        return
    for ref, line in zip(refs, line_list, strict=True):
        first = seen.get(ref)
        if first is None:
            seen[ref] = line
        elif ref:
            errors.add(line, "external_ref", "csv.ref_repeated", ref=repr(ref), first=first)


def check_kommun(kommun: str, x: NDArray[np.float64], y: NDArray[np.float64], lines: NDArray[np.int64], errors: LineErrors) -> None:
    located = ~np.isnan(x)
    outside = located & ~boundaries.inside_kommun(kommun, x, y)
    for i in np.flatnonzero(outside).tolist():
        errors.add(int(lines[i]), "position", "csv.outside", reason=boundaries.point_outside_kommun(kommun, float(x[i]), float(y[i])))
        if errors.full:
            return
