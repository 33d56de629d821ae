"""CSV imports: households and burglaries.

Decoding: the whole input is decoded at once, UTF-8 (with or without BOM) first, then
Windows-1252, which is what Excel writes on Swedish Windows; UTF-16 with a BOM is read too.
The delimiter (semicolon, comma or tab) is the one the header line uses most, or the one an
Excel ``sep=;`` first line declares. Header names are
matched case-insensitively after trimming; unknown columns are ignored. Values are trimmed.

Line numbers in errors are physical lines of the file, 1-based, the header being line 1 (a quoted
value spanning lines is reported at the line where its record starts). Up to 50 errors are
collected, then :class:`InvalidInput` is raised with all of them; each names its line and column.

Households are parsed in chunks of column-oriented arrays so that a million rows take a few
seconds: lines without quotes are split with ``str.split`` (fast path), chunks holding quotes go
through the :mod:`csv` module. :func:`iter_households` yields chunks and reports bytes consumed,
for a progress bar; it yields nothing more once an error is found, keeps reading to collect
errors, then raises.

Coordinates: ``lon,lat`` are EPSG:4326, ``x,y`` and ``e,n`` EPSG:3006. They may be empty on a
line (no location) but both or neither. A decimal comma ("17,27") is accepted. Output is
SWEREF 99 TM with NaN for no location.
"""

from __future__ import annotations

import csv
import gc
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import IO, Any, Final

import msgspec
import numpy as np
from numpy.typing import NDArray

from grannsamverkan import messages
from grannsamverkan.domain.calendar import STOCKHOLM
from grannsamverkan.errors import FieldError, InvalidInput, MalformedInput
from grannsamverkan.geo import boundaries
from grannsamverkan.geo.crs import SWEREF99TM, WGS84, explain_outside, inside_sweden, to_sweref

CHUNK_ROWS: Final = 50_000
MAX_ERRORS: Final = 50
MAX_TEXT: Final = 300
# Longest value per column where the database allows less than MAX_TEXT (its check constraints).
MAX_LENGTHS: Final = {"external_ref": 200}

HOUSEHOLD_COLUMNS: Final = ("external_ref", "street", "postcode", "city")
BURGLARY_COLUMNS: Final = ("external_ref", "occurred_from", "occurred_to", "category")
BURGLARY_CATEGORIES: Final = ("villa", "lagenhet", "fritidshus", "forrad", "ovrigt")
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
COORDINATE_COLUMNS: Final = ((("lon", "lat"), WGS84), (("x", "y"), SWEREF99TM), (("e", "n"), SWEREF99TM))


class HouseholdChunk(msgspec.Struct, kw_only=True):
    """Up to ``CHUNK_ROWS`` households, column-oriented; ``x_sweref``/``y_sweref`` NaN = no location.

    ``line`` is each row's line in the file. ``bytes_consumed`` of ``total_bytes`` is for progress.
    """

    line: NDArray[np.int64]
    external_ref: list[str]
    street: list[str]
    postcode: list[str]
    city: list[str]
    x_sweref: NDArray[np.float64]
    y_sweref: NDArray[np.float64]
    bytes_consumed: int
    total_bytes: int

    def __len__(self) -> int:
        return len(self.external_ref)

    @property
    def has_location(self) -> NDArray[np.bool_]:
        return ~np.isnan(self.x_sweref)


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


# --- decoding -----------------------------------------------------------------------------------


def read_all(source: bytes | bytearray | memoryview | IO[bytes]) -> bytes:
    """The whole input as bytes (a binary file object is read to its end)."""
    if isinstance(source, bytes):
        return source
    if isinstance(source, (bytearray, memoryview)):
        return bytes(source)
    data = source.read()
    if isinstance(data, str):
        raise TypeError("open the file in binary mode ('rb')")
    return bytes(data)


def decode_text(data: bytes) -> tuple[str, str]:
    """``(text, encoding)``: UTF-8 (BOM or not), else Windows-1252; UTF-16 only with a BOM.

    Refuses with :class:`MalformedInput` what is not text: a spreadsheet, NUL bytes, or bytes
    that are neither UTF-8 nor Windows-1252.
    """
    if data.startswith(b"PK\x03\x04"):
        raise MalformedInput("csv.xlsx")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise MalformedInput("csv.utf16", reason=exc.reason, at=exc.start) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise MalformedInput("csv.nul", offset=nul, line=line)
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise MalformedInput("csv.encoding", byte=f"0x{data[exc.start]:02x}", line=line) from None


# --- the table reader ---------------------------------------------------------------------------


def normalise_newlines(text: str) -> str:
    """``\\r\\n`` (Windows) and lone ``\\r`` (old Mac) line ends as ``\\n``."""
    if "\r" in text:
        return text.replace("\r\n", "\n") if "\n" in text else text.replace("\r", "\n")
    return text


class _Errors:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[FieldError] = []

    def add(self, line: int, field: str, code: str, **values: Any) -> None:
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
        if self.items:
            more = messages.text("errors.more", count=len(self.items) - 1) if len(self.items) > 1 else ""
            if self.full:
                more += messages.text("errors.stopped", limit=self.limit)
            raise InvalidInput(code, list(self.items), first=self.items[0].message, more=more)


def _header_error(code: str, field: str = "header", /, **values: Any) -> InvalidInput:
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


class _RawChunk(msgspec.Struct):
    lines: NDArray[np.int64]
    cols: list[list[str]]  # one list per header column, untrimmed
    chars_consumed: int


class _Table:
    """A decoded CSV split into physical lines, with its header parsed."""

    @classmethod
    def read(cls, source: bytes | bytearray | memoryview | IO[bytes]) -> _Table:
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
            raise _header_error("csv.empty")
        declared = None
        sep = self.lines[start].strip()
        if sep.lower().startswith("sep=") and len(sep) == 5:  # Excel's "sep=;" first line
            declared = sep[4]
            start += 1
            if start == len(self.lines):
                raise _header_error("csv.empty")
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
            raise _header_error("csv.header_unreadable", "header", reason=_csv_reason(exc)) from None
        self.header = [h.strip().lstrip("\ufeff").lower() for h in raw_header]
        self.raw_header = raw_header
        self.pos = start + 1  # index into self.lines of the next data line
        self.chars_done = len(first) + 1 + start
        positions: dict[str, int] = {}
        for i, name in enumerate(self.header):
            if not name:
                continue
            if name in positions:
                raise _header_error("csv.column_twice", name, name=name, first=positions[name] + 1, second=i + 1)
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
            raise _header_error(code, missing[0], columns=listed, header=self.describe_header())

    def coordinate_columns(self) -> tuple[tuple[str, str], int] | None:
        """The one coordinate column pair present and its CRS, or ``None``."""
        found = []
        for (cx, cy), crs in COORDINATE_COLUMNS:
            hx, hy = cx in self.positions, cy in self.positions
            if hx != hy:
                have, lack = (cx, cy) if hx else (cy, cx)
                raise _header_error("csv.no_partner", lack, have=have, lack=lack)
            if hx:
                found.append(((cx, cy), crs))
        if len(found) > 1:
            names = " och ".join(f"{a},{b}" for (a, b), _ in found)
            raise _header_error("csv.two_pairs", found[1][0][0], names=names)
        return found[0] if found else None

    def chunks(self, chunk_rows: int, errors: _Errors, optional: frozenset[str]) -> Iterator[_RawChunk]:
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
            yield _RawChunk(nums, cols, self.chars_done)
            if errors.full:
                return

    def _fix_rows(
        self,
        rows: list[list[str]],
        nums: NDArray[np.int64],
        ncols: int,
        errors: _Errors,
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
        errors: _Errors,
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
        errors: _Errors,
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
        shown = "tabb" if self.delimiter == "\t" else f"'{self.delimiter}'"
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


def _strip(col: list[str]) -> list[str]:
    return [s.strip() for s in col]


def _drop_blank_rows(raw: _RawChunk) -> _RawChunk:
    """Drop rows whose every field is empty (";;;;" lines that Excel writes)."""
    keep = [i for i in range(len(raw.lines)) if any(c[i].strip() for c in raw.cols)]
    if len(keep) == len(raw.lines):
        return raw
    return _RawChunk(raw.lines[keep], [[c[i] for i in keep] for c in raw.cols], raw.chars_consumed)


def _require_values(col: list[str], name: str, lines: NDArray[np.int64], errors: _Errors) -> None:
    if not all(col):
        for i, v in enumerate(col):
            if not v:
                errors.add(int(lines[i]), name, "csv.empty_value", name=name)
    limit = MAX_LENGTHS.get(name, MAX_TEXT)
    if col and max(map(len, col)) > limit:
        for i, v in enumerate(col):
            if len(v) > limit:
                errors.add(int(lines[i]), name, "csv.too_long", name=name, length=len(v), max=limit)


_POSTCODES_NORMAL = re.compile(r"(?:[0-9]{3} [0-9]{2}\n)*[0-9]{3} [0-9]{2}")
_POSTCODES_DIGITS = re.compile(r"(?:[0-9]{5}\n)*[0-9]{5}")
_POSTCODE = re.compile(r"^(?:SE-?\s*)?(\d{3})\s?(\d{2})$", re.IGNORECASE)


def _postcodes(col: list[str], lines: NDArray[np.int64], errors: _Errors, *, allow_empty: bool = False) -> list[str]:
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


def _numbers(
    col: list[str],
    name: str,
    lines: NDArray[np.int64],
    errors: _Errors,
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


def _coordinates(
    raw: _RawChunk,
    table: _Table,
    pair: tuple[str, str],
    crs: int,
    errors: _Errors,
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


def _check_duplicates(refs: list[str], lines: NDArray[np.int64], seen: dict[str, int], errors: _Errors) -> None:
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


# --- households ---------------------------------------------------------------------------------


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
    table = _Table(head, total_bytes=1, total_chars=1, encoding="utf-8")
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
) -> Iterator[HouseholdChunk]:
    """Households of a CSV, chunk by chunk; raises :class:`InvalidInput` after the last good chunk.

    Column ``external_ref`` is required. ``street,postcode,city`` are required (and non-empty) on
    a line without a position; a file with ``lon,lat`` or ``x,y``/``e,n`` may leave them out, and
    a line with a position may leave them empty. With ``kommun``, a position outside the kommun
    (beyond ``boundaries.TOLERANCE_M`` of its outline) is an error naming the line. Once a line has
    an error no more chunks are yielded (whatever the caller stored must be rolled back); reading
    goes on to collect up to ``max_errors`` errors, which are raised together. A file without data
    lines is an error.
    """
    table = _Table.read(source)
    coords = table.coordinate_columns()
    table.require(HOUSEHOLD_COLUMNS if coords is None else HOUSEHOLD_COLUMNS[:1])
    optional = frozenset(c for pair, _ in COORDINATE_COLUMNS for c in pair)
    errors = _Errors(max_errors)
    seen: dict[str, int] = {}
    rows = 0

    def text(raw: _RawChunk, name: str) -> list[str]:
        at = table.positions.get(name)
        return _strip(raw.cols[at]) if at is not None else [""] * len(raw.lines)

    for raw in table.chunks(chunk_rows, errors, optional):
        if not len(raw.lines):
            continue
        refs = raw.cols[table.positions["external_ref"]]
        if not all(map(str.strip, refs)):
            raw = _drop_blank_rows(raw)
            if not len(raw.lines):
                continue
        lines = raw.lines
        ref = _strip(raw.cols[table.positions["external_ref"]])
        street, city, post_raw = text(raw, "street"), text(raw, "city"), text(raw, "postcode")
        if coords is not None:
            x, y = _coordinates(raw, table, coords[0], coords[1], errors)
        else:
            x = np.full(len(lines), np.nan)
            y = np.full(len(lines), np.nan)
        _require_values(ref, "external_ref", lines, errors)
        located = ~np.isnan(x)
        if located.all():
            for name, col in (("street", street), ("postcode", post_raw), ("city", city)):
                _check_lengths(col, name, lines, errors)
        else:
            # An address is needed where there is no position (someone will place the household).
            here, there = np.flatnonzero(located), np.flatnonzero(~located)
            for name, col in (("street", street), ("postcode", post_raw), ("city", city)):
                if name not in table.positions:
                    for i in there.tolist():
                        errors.add(int(lines[i]), name, "csv.address_needed", name=name)
                    continue
                _require_values([col[i] for i in there.tolist()], name, lines[there], errors)
                _check_lengths([col[i] for i in here.tolist()], name, lines[here], errors)
        postcode = _postcodes(post_raw, lines, errors, allow_empty=coords is not None)
        if kommun is not None and located.any():
            _check_kommun(kommun, x, y, lines, errors)
        _check_duplicates(ref, lines, seen, errors)
        rows += len(lines)
        if not errors:
            yield HouseholdChunk(
                line=lines,
                external_ref=ref,
                street=street,
                postcode=postcode,
                city=city,
                x_sweref=x,
                y_sweref=y,
                bytes_consumed=table.bytes_consumed(raw.chars_consumed),
                total_bytes=table.total_bytes,
            )
        if errors.full:
            break
    errors.raise_if_any("csv.invalid_households")
    if rows == 0:
        raise _header_error("csv.no_data", "external_ref")


def _check_lengths(col: list[str], name: str, lines: NDArray[np.int64], errors: _Errors) -> None:
    limit = MAX_LENGTHS.get(name, MAX_TEXT)
    if col and max(map(len, col)) > limit:
        for i, v in enumerate(col):
            if len(v) > limit:
                errors.add(int(lines[i]), name, "csv.too_long", name=name, length=len(v), max=limit)


def _check_kommun(kommun: str, x: NDArray[np.float64], y: NDArray[np.float64], lines: NDArray[np.int64], errors: _Errors) -> None:
    located = ~np.isnan(x)
    outside = located & ~boundaries.inside_kommun(kommun, x, y)
    for i in np.flatnonzero(outside).tolist():
        errors.add(int(lines[i]), "position", "csv.outside", reason=boundaries.point_outside_kommun(kommun, float(x[i]), float(y[i])))
        if errors.full:
            return


def parse_households(
    source: bytes | bytearray | memoryview | IO[bytes],
    *,
    max_errors: int = MAX_ERRORS,
) -> HouseholdChunk:
    """All households of a CSV as one column-oriented table (see :func:`iter_households`)."""
    chunks = list(iter_households(source, max_errors=max_errors))
    return concat_households(chunks)


def concat_households(chunks: Sequence[HouseholdChunk]) -> HouseholdChunk:
    """One table of several chunks (in order)."""
    if not chunks:
        raise ValueError("no chunks")
    if len(chunks) == 1:
        return chunks[0]
    return HouseholdChunk(
        line=np.concatenate([c.line for c in chunks]),
        external_ref=[v for c in chunks for v in c.external_ref],
        street=[v for c in chunks for v in c.street],
        postcode=[v for c in chunks for v in c.postcode],
        city=[v for c in chunks for v in c.city],
        x_sweref=np.concatenate([c.x_sweref for c in chunks]),
        y_sweref=np.concatenate([c.y_sweref for c in chunks]),
        bytes_consumed=chunks[-1].bytes_consumed,
        total_bytes=chunks[-1].total_bytes,
    )


# --- burglaries ---------------------------------------------------------------------------------


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
    table = _Table.read(source)
    table.require(BURGLARY_COLUMNS)
    coords = table.coordinate_columns()
    has_area = "area_external_ref" in table.positions
    if coords is None and not has_area:
        raise _header_error("csv.burglary_place_columns", "area_external_ref", header=table.describe_header())
    optional = frozenset({"occurred_to", "area_external_ref"} | {c for p, _ in COORDINATE_COLUMNS for c in p})
    latest = (now or datetime.now(UTC)) + timedelta(days=1)
    errors = _Errors(max_errors)
    seen: dict[str, int] = {}
    out: list[BurglaryRecord] = []
    for raw in table.chunks(CHUNK_ROWS, errors, optional):
        if not len(raw.lines):
            continue
        raw = _drop_blank_rows(raw)
        if not len(raw.lines):
            continue
        lines = raw.lines
        pos = table.positions
        ref = _strip(raw.cols[pos["external_ref"]])
        _require_values(ref, "external_ref", lines, errors)
        _check_duplicates(ref, lines, seen, errors)
        if coords is not None:
            xs, ys = _coordinates(raw, table, coords[0], coords[1], errors)
            if kommun is not None and (~np.isnan(xs)).any():
                _check_kommun(kommun, xs, ys, lines, errors)
        else:
            xs = ys = np.full(len(lines), np.nan)
        areas = _strip(raw.cols[pos["area_external_ref"]]) if has_area else [""] * len(lines)
        for i, line in enumerate(lines.tolist()):
            t_from, t_to = _times(raw.cols[pos["occurred_from"]][i], raw.cols[pos["occurred_to"]][i], line, latest, errors)
            cat_raw = raw.cols[pos["category"]][i].strip()
            category = normalise_category(cat_raw)
            if category is None:
                code = "csv.category_unknown" if cat_raw else "csv.category_empty"
                errors.add(line, "category", code, value=repr(cat_raw), categories=", ".join(BURGLARY_CATEGORIES))
            if errors or t_from is None or t_to is None or category is None:
                continue
            x, y = float(xs[i]), float(ys[i])
            has_xy = not math.isnan(x)
            out.append(
                BurglaryRecord(
                    external_ref=ref[i],
                    occurred_from=t_from,
                    occurred_to=t_to,
                    category=category,
                    x_sweref=x if has_xy else None,
                    y_sweref=y if has_xy else None,
                    area_external_ref=areas[i] or None,
                    line=line,
                )
            )
        if errors.full:
            break
    errors.raise_if_any("csv.invalid_burglaries")
    if not out:
        raise _header_error("csv.no_data", "external_ref")
    return out


def _times(
    raw_from: str,
    raw_to: str,
    line: int,
    latest: datetime,
    errors: _Errors,
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


__all__ = [
    "BURGLARY_CATEGORIES",
    "CHUNK_ROWS",
    "HOUSEHOLD_COLUMNS",
    "MAX_LENGTHS",
    "BurglaryRecord",
    "HouseholdChunk",
    "HouseholdLayout",
    "concat_households",
    "decode_text",
    "household_layout",
    "iter_households",
    "normalise_category",
    "normalise_newlines",
    "parse_burglaries_csv",
    "parse_households",
    "parse_time",
    "read_all",
]
