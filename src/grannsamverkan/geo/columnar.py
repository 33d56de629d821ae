"""Households of a CSV as Arrow columns, in batches, for the bulk import.

Two readers. :func:`clean_batches` streams a clean file (the usual export: one record per
line, every value valid) through pyarrow's C++ CSV reader and checks each block with vectorised
compute functions: a million lines in about half a second, several times faster than reading line
by line. When it meets anything else (an empty or bad value, a short line, a coordinate outside
Sweden, lone carriage returns, ...) it raises :class:`NotClean`, at whatever batch it is, and the
import starts over with :func:`household_batches`: the careful reader of
:mod:`grannsamverkan.geo.household_csv`, whose messages name the line and column. So the fast reader
never reports a problem itself, and the two give the same households for every file both accept
(``tests/unit/test_geo_columnar.py``). Repeated external refs are left to the import, which
finds them with the unique index and hands over too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import IO, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from numpy.typing import NDArray

from grannsamverkan.geo import boundaries
from grannsamverkan.geo.crs import inside_sweden, to_sweref
from grannsamverkan.geo.csv_table import MAX_LENGTHS, MAX_TEXT
from grannsamverkan.geo.household_csv import ADDRESS_COLUMNS, HouseholdBatch, HouseholdLayout, household_layout, iter_households
from grannsamverkan.geo.text_files import normalise_newlines, read_all

BATCH_ROWS: Final = 100_000
HEAD_BYTES: Final = 65_536  # the header is looked for in this much of the start of the file
POSTCODE_SPELLINGS: Final = r"^(?:[Ss][Ee]-?\s*)?([0-9]{3})\s?([0-9]{2})$"  # 88130, SE-881 30
POSTCODE: Final = r"^[0-9]{3} [0-9]{2}$"


class NotClean(Exception):
    """The file needs the careful reader (raised at any batch; what was read so far is void)."""


def household_batches(
    source: bytes | bytearray | memoryview | IO[bytes], *, batch_rows: int = BATCH_ROWS, kommun: str | None = None
) -> Iterator[HouseholdBatch]:
    """The households of a CSV in batches, read carefully (line by line); raises
    :class:`InvalidInput` with line-numbered errors as ``iter_households`` does."""
    return iter_households(read_all(source), chunk_rows=batch_rows, kommun=kommun)


def clean_batches(data: bytes, *, block_bytes: int = 4 << 20, kommun: str | None = None) -> Iterator[HouseholdBatch]:
    """The households of a clean file, streamed in batches of about ``block_bytes`` of CSV.

    Raises :class:`NotClean` (before the first batch or after any) when the careful reader must
    read the file, and what the careful reader raises for a bad header.
    """
    if data.startswith((b"PK\x03\x04", b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise NotClean("not a text CSV file")
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        raise NotClean("lone carriage returns")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not _is_utf8(data):
        try:
            data = data.decode("cp1252").encode("utf-8")  # what Excel writes on Swedish Windows
        except UnicodeDecodeError:  # e.g. byte 0x81: the careful reader says where
            raise NotClean("neither UTF-8 nor Windows-1252") from None
    layout = _layout(data[:HEAD_BYTES].decode("utf-8", errors="ignore"), complete=len(data) <= HEAD_BYTES)
    offset = _offset_of_line(data, layout.first_data_line)
    total = len(data)
    try:
        reader = pacsv.open_csv(
            pa.BufferReader(memoryview(data)[offset:]),
            # One thread: the import parses in a thread of its own while the database works.
            read_options=pacsv.ReadOptions(column_names=[f"c{i}" for i in range(layout.width)], block_size=block_bytes, use_threads=False),
            # Quoted line breaks are read as the careful reader reads them (blocks end between
            # records). Without a quote in the file there are none, and the faster scan will do.
            parse_options=pacsv.ParseOptions(delimiter=layout.delimiter, newlines_in_values=b'"' in data, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(layout.width)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:  # e.g. no data lines
        raise NotClean(str(exc)) from None
    rows = 0
    consumed = offset
    while True:
        try:
            block = reader.read_next_batch()
        except StopIteration:
            break
        except pa.ArrowInvalid as exc:  # a short or long line, a quote left open
            raise NotClean(str(exc)) from None
        # The block's share of the file: its values, plus a delimiter or line end after each.
        consumed += sum(pc.sum(pc.binary_length(c)).as_py() or 0 for c in block.columns) + block.num_rows * layout.width
        batch = _checked(block, layout, min(consumed, total), total, kommun)
        rows += len(batch)
        if len(batch):
            yield batch
    if not rows:
        raise NotClean("no data lines")


def _checked(block: pa.RecordBatch, layout: HouseholdLayout, consumed: int, total: int, kommun: str | None = None) -> HouseholdBatch:
    """One block as a batch, with the careful reader's checks done on whole columns, but for
    repeated external refs: the import finds those (the unique index), and so does the careful
    reader, which then names the lines."""

    def column(name: str) -> pa.Array:
        return pc.utf8_trim_whitespace(block.column(layout.positions[name]))

    refs = column("external_ref")
    if len(refs) and not _lengths_within(refs, MAX_LENGTHS.get("external_ref", MAX_TEXT)):
        raise NotClean("an empty or too long external_ref")
    x, y = _locations(layout, block) if layout.coordinates else (np.full(len(refs), np.nan),) * 2
    address = _addresses(layout, column, ~np.isnan(x))
    if kommun is not None and layout.coordinates:
        located = ~np.isnan(x)
        if not boundaries.inside_kommun(kommun, x[located], y[located]).all():
            raise NotClean("a position outside the kommun (the careful reader names the line)")
    return HouseholdBatch(
        external_ref=refs,
        street=address["street"],
        postcode=address["postcode"],
        city=address["city"],
        x_sweref=x,
        y_sweref=y,
        bytes_consumed=consumed,
        total_bytes=total,
    )


def _addresses(layout: HouseholdLayout, column: Callable[[str], pa.Array], located: NDArray[np.bool_]) -> dict[str, pa.Array]:
    """Street, postcode and city, each non-empty; a file of positions may leave the columns out
    (all null then), as long as every line has its position."""
    address = {}
    for name in ADDRESS_COLUMNS:
        if name not in layout.positions:
            if not located.all():
                raise NotClean(f"a line without a position in a file without '{name}' (the careful reader names it)")
            address[name] = pa.nulls(len(located), pa.string())
            continue
        values = column(name)
        if len(values) and not _lengths_within(values, MAX_LENGTHS.get(name, MAX_TEXT)):
            raise NotClean(f"an empty or too long {name}")
        address[name] = _postcodes(values) if name == "postcode" else values
    return address


def _is_utf8(data: bytes) -> bool:
    """Is ``data`` valid UTF-8? Checked by Arrow without a copy, about three times as fast as
    ``bytes.decode`` and without holding the GIL (the import's event loop keeps running)."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        whole.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _layout(head: str, *, complete: bool) -> HouseholdLayout:
    lines = normalise_newlines(head).split("\n")
    if not complete:
        lines.pop()  # may be cut in the middle
    layout = household_layout(lines)  # a bad header raises here, as in the careful reader
    if layout.first_data_line > len(lines):
        raise NotClean("the header is not near the start")
    return layout


def _offset_of_line(data: bytes, index: int) -> int:
    """Where physical line ``index`` (0-based) starts in ``data``."""
    offset = 0
    for _ in range(index):
        found = data.find(b"\n", offset)
        if found < 0:
            return len(data)
        offset = found + 1
    return offset


def _postcodes(values: pa.Array) -> pa.Array:
    """``881 30`` for every value (``88130`` and ``SE-881 30`` are accepted)."""
    if not pc.all(pc.match_substring_regex(values, POSTCODE)).as_py():
        values = pc.replace_substring_regex(values, POSTCODE_SPELLINGS, r"\1 \2")
        if not pc.all(pc.match_substring_regex(values, POSTCODE)).as_py():
            raise NotClean("a postcode that is not Swedish")
    return values


def _lengths_within(values: pa.Array, most: int) -> bool:
    """Every value has 1 to ``most`` characters. Counted in bytes first (a character is at least
    one byte), and in characters only when some value has more bytes than ``most``."""
    lowest, highest = pc.min_max(pc.binary_length(values)).values()
    if lowest.as_py() < 1:
        return False
    return highest.as_py() <= most or pc.max(pc.utf8_length(values)).as_py() <= most


def _numbers(raw: pa.Array, name: str) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """The values of a coordinate column as numbers, and where they are empty. Plain numbers in
    every line (the usual export) are cast as they are; anything else (an empty value, a decimal
    comma, spaces) goes the longer way."""
    with contextlib.suppress(pa.ArrowInvalid):
        return pc.cast(raw, pa.float64()).to_numpy(zero_copy_only=False), np.zeros(len(raw), np.bool_)
    raw = pc.utf8_trim_whitespace(raw)
    missing = pc.equal(raw, "")
    decimal = pc.replace_substring(raw, ",", ".")
    try:
        values = pc.cast(pc.if_else(missing, None, decimal), pa.float64())
    except pa.ArrowInvalid:
        raise NotClean(f"a value of {name} that is not a number") from None
    return values.to_numpy(zero_copy_only=False), missing.to_numpy(zero_copy_only=False)


def _locations(
    layout: HouseholdLayout,
    block: pa.RecordBatch,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """SWEREF 99 TM x, y (NaN where both are empty); :class:`NotClean` for any value the careful
    reader would refuse: not a number, only one of the two, outside Sweden."""
    assert layout.coordinates is not None
    (cx, cy), crs = layout.coordinates
    numbers = [_numbers(block.column(layout.positions[name]), name) for name in (cx, cy)]
    (xs, mx), (ys, my) = numbers
    if (mx != my).any():
        raise NotClean("a location with one coordinate")
    present = ~mx
    if not (np.isfinite(xs[present]).all() and np.isfinite(ys[present]).all() and inside_sweden(xs[present], ys[present], crs).all()):
        raise NotClean("a location outside Sweden")
    out_x = np.full(len(xs), np.nan)
    out_y = np.full(len(xs), np.nan)
    if present.any():
        out_x[present], out_y[present] = to_sweref(xs[present], ys[present], crs)
    return out_x, out_y
