"""The Swedish Police events feed (polisen.se ``/api/events``) as burglary records.

An event is ``{id, datetime, name, summary, url, type, location: {name, gps: "lat,lng"}}``.
Only burglary types are kept: ``Inbrott``, ``Inbrott, försök`` and ``Stöld/inbrott``, compared
case-insensitively after trimming and collapsing spaces (the feed has types with trailing
spaces). Everything else is counted as skipped, without being validated.

Quirks handled: ``datetime`` is ``"YYYY-MM-DD H:MM:SS +HH:MM"`` with the hour often lacking its
leading zero; ``gps`` is ``"lat,lng"`` (latitude first) with float artefacts such as
``58.345364000000004``; an event may appear twice in archived feeds (the last copy wins).

Times: ``occurred_from = occurred_to =`` the event's ``datetime`` (its publication time; the
feed has no other machine-readable time).

Location: the feed's ``gps`` is not the place of the event but a fixed centre point of the
``location.name`` (a kommun, sometimes a county). So by default every police point is flagged
``location_is_centroid=True``. A caller who knows better passes ``centroids``: the known centre
points (lon, lat); then only events on one of those points (within ~1 m) are flagged, and the
others are taken as exact.

Category: from the summary's wording, the first of these that occurs: fritidshus (fritidshus,
sommarstuga, stuga, ...), lagenhet (lägenhet, lgh), villa (villa, radhus, parhus, ...), forrad
(förråd, garage, bod, uthus, källare); otherwise ``ovrigt`` ("bostadsinbrott" does not say which
kind of home).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

import msgspec

from grannsamverkan import messages
from grannsamverkan.domain.calendar import STOCKHOLM
from grannsamverkan.errors import FieldError, InvalidInput, MalformedInput
from grannsamverkan.geo.burglary_csv import BurglaryRecord
from grannsamverkan.geo.crs import WGS84, format_point, inside_sweden, to_sweref
from grannsamverkan.geo.csv_table import MAX_ERRORS

SOURCE: Final = "polisen"
BURGLARY_TYPES: Final = frozenset({"inbrott", "inbrott, försök", "stöld/inbrott"})
CENTROID_TOLERANCE_DEG: Final = 1e-5  # about one metre

_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([+-])(\d{2}):?(\d{2})|Z)?$")
_CATEGORY = re.compile(
    r"""(?P<fritidshus>\bfritidshus|\bfritidsboende|\bsommarstug|\bsommarhus|\bfritidsstug|\bjaktstug
        |\bstug(?:a|an|or|orna)\b)
      |(?P<lagenhet>\blägenhet|\blgh\b)
      |(?P<villa>\bvilla|\bvillor|\bradhus|\bparhus|\bkedjehus|\benfamiljshus|\begnahem)
      |(?P<forrad>förråd|\bgarage|\bbod(?:en|ar|arna)?\b|\buthus|\bkällare|\bkällarförråd)""",
    re.IGNORECASE | re.VERBOSE,
)


class PoliceImport(msgspec.Struct, kw_only=True):
    """The burglaries of a police events array and what was left out."""

    records: list[BurglaryRecord]
    events: int  # events in the input
    kept: int  # burglary records returned (after removing duplicates)
    skipped: int  # events of other types
    duplicates: int  # burglary events whose id came again (the last copy is kept)
    skipped_types: dict[str, int]  # type -> count, of the skipped events


def is_json_array(data: bytes | str) -> bool:
    """Does the body look like a JSON array (police feed) rather than a CSV?"""
    if isinstance(data, bytes):
        return data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"["
    return data[:64].lstrip("\ufeff \t\r\n")[:1] == "["


def is_burglary_type(kind: object) -> bool:
    """Is a feed ``type`` one of the burglary types (any case, extra spaces)?"""
    return isinstance(kind, str) and " ".join(kind.split()).casefold() in BURGLARY_TYPES


def category_from_summary(text: str | None) -> str:
    """``villa|lagenhet|fritidshus|forrad`` when the text names the kind of building, else ``ovrigt``."""
    if not text:
        return "ovrigt"
    m = _CATEGORY.search(text)
    return m.lastgroup if m and m.lastgroup else "ovrigt"


def parse_event_time(value: str) -> datetime:
    """``"2023-03-23 9:37:32 +01:00"`` as an aware datetime in Europe/Stockholm; ValueError if not."""
    m = _DATETIME.match(value.strip())
    if m is None:
        raise ValueError(f"not a feed datetime: {value!r}")
    year, month, day, hour, minute = (int(m[i]) for i in range(1, 6))
    second = int(m[6] or 0)
    if m[7]:
        offset = timedelta(hours=int(m[8]), minutes=int(m[9]))
        tz = timezone(-offset if m[7] == "-" else offset)
        return datetime(year, month, day, hour, minute, second, tzinfo=tz).astimezone(STOCKHOLM)
    tz_default = UTC if value.strip().endswith("Z") else STOCKHOLM
    return datetime(year, month, day, hour, minute, second, tzinfo=tz_default).astimezone(STOCKHOLM)


def parse_police_events(
    data: bytes | str | list[Any],
    *,
    centroids: Collection[tuple[float, float]] | None = None,
    source: str = SOURCE,
    max_errors: int = MAX_ERRORS,
) -> PoliceImport:
    """The burglary events of a police feed array as :class:`BurglaryRecord` (SWEREF 99 TM).

    ``data`` is the raw JSON or the decoded array. Broken JSON is :class:`MalformedInput`; a
    burglary event lacking an id or datetime, or with gps outside Sweden, is
    :class:`InvalidInput` naming the event's index (``feature``) and field.
    """
    events = _event_array(data)
    errors: list[FieldError] = []
    skipped: Counter[str] = Counter()
    # Keyed by reference: a repeated event id keeps its first place and its last content.
    kept: dict[str, tuple[BurglaryRecord, tuple[float, float] | None]] = {}
    duplicates = 0
    for index, event in enumerate(events):
        if len(errors) >= max_errors:
            break
        kind = event.get("type") if isinstance(event, dict) else None
        if isinstance(event, dict) and not is_burglary_type(kind):
            skipped[kind.strip() if isinstance(kind, str) else repr(kind)] += 1
            continue
        try:
            record, point = _burglary(event, source)
        except _BadEvent as bad:
            text = messages.text("place.event", event=index) + messages.text(bad.code, **bad.values)
            errors.append(FieldError(field=f"[{index}].{bad.field}", message=text, feature=index, code=bad.code))
            continue
        duplicates += record.external_ref in kept
        kept[record.external_ref] = (record, point)
    if errors:
        more = messages.text("errors.more", count=len(errors) - 1) if len(errors) > 1 else ""
        raise InvalidInput("police.invalid_events", errors, first=errors[0].message, more=more)

    records = [record for record, _ in kept.values()]
    _locate(records, [point for _, point in kept.values()], centroids)
    return PoliceImport(
        records=records,
        events=len(events),
        kept=len(records),
        skipped=sum(skipped.values()),
        duplicates=duplicates,
        skipped_types=dict(skipped),
    )


class _BadEvent(Exception):
    """One event's field is unusable; the parser reports it with the event's index."""

    def __init__(self, field: str, code: str, **values: object) -> None:
        super().__init__(code)
        self.field = field
        self.code = code
        self.values = values


def _event_array(data: bytes | str | list[Any]) -> list[Any]:
    if isinstance(data, (bytes, str)):
        try:
            data = msgspec.json.decode(data)
        except msgspec.DecodeError as exc:
            raise MalformedInput("file.json_invalid", reason=str(exc)) from None
    if not isinstance(data, list):
        raise InvalidInput.at("body", "police.array")
    return data


def _burglary(event: object, source: str) -> tuple[BurglaryRecord, tuple[float, float] | None]:
    """A burglary event as a record and its feed position ``(lon, lat)`` (None when absent)."""
    if not isinstance(event, dict):
        raise _BadEvent("type", "police.event_object")
    raw_id = event.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, (int, str)) or not str(raw_id).strip():
        raise _BadEvent("id", "police.id", value=repr(raw_id))
    raw_time = event.get("datetime")
    try:
        when = parse_event_time(raw_time) if isinstance(raw_time, str) else None
    except ValueError:
        when = None
    if when is None:
        raise _BadEvent("datetime", "police.datetime", value=repr(raw_time))
    found = event.get("location")
    location: dict[str, Any] = found if isinstance(found, dict) else {}
    point = _gps(location.get("gps"))
    place, summary, url = location.get("name"), event.get("summary"), event.get("url")
    record = BurglaryRecord(
        external_ref=str(raw_id).strip(),
        occurred_from=when,
        occurred_to=when,
        category=category_from_summary(summary if isinstance(summary, str) else None),
        source=source,
        place=place.strip() if isinstance(place, str) else None,
        summary=summary if isinstance(summary, str) else None,
        url=url if isinstance(url, str) else None,
    )
    return record, point


def _gps(raw: object) -> tuple[float, float] | None:
    """``(lon, lat)`` of the feed's ``"lat,lng"``, or None when absent; :class:`_BadEvent` when unusable."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    parts = raw.split(",") if isinstance(raw, str) else []
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise _BadEvent("location.gps", "police.gps_format", value=repr(raw)) from None
    if not inside_sweden([lon], [lat], WGS84)[0]:
        if inside_sweden([lat], [lon], WGS84)[0]:
            raise _BadEvent("location.gps", "police.gps_swapped", value=repr(raw))
        raise _BadEvent("location.gps", "police.gps_outside", value=repr(raw), point=format_point(lon, lat, WGS84))
    return (lon, lat)


def _locate(
    records: list[BurglaryRecord],
    lonlat: list[tuple[float, float] | None],
    centroids: Collection[tuple[float, float]] | None,
) -> None:
    idx = [i for i, p in enumerate(lonlat) if p is not None]
    if not idx:
        return
    xs, ys = to_sweref([lonlat[i][0] for i in idx], [lonlat[i][1] for i in idx], WGS84)  # type: ignore[index]
    known = list(centroids) if centroids is not None else None
    for k, i in enumerate(idx):
        rec = records[i]
        rec.x_sweref = float(xs[k])
        rec.y_sweref = float(ys[k])
        if known is None:
            rec.location_is_centroid = True
        else:
            lon, lat = lonlat[i]  # type: ignore[misc]
            rec.location_is_centroid = any(
                abs(lon - c_lon) <= CENTROID_TOLERANCE_DEG and abs(lat - c_lat) <= CENTROID_TOLERANCE_DEG for c_lon, c_lat in known
            )
