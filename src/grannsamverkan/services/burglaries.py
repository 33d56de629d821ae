"""The burglary import the API, the pages and the command line share: a CSV, the police's events
JSON, or a GIS file's points (GeoPackage, (zipped) shapefile, GeoJSON) read into the CSV's form."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

import asyncpg
import msgspec

from grannsamverkan.db import burglaries
from grannsamverkan.domain.access import Principal
from grannsamverkan.geo.gis_points import PointFields, as_features, burglaries_csv, is_gis_file


class BurglaryFile(msgspec.Struct, kw_only=True):
    """A parsed burglary file: what it was (``gis``: its points, read as a CSV) and its burglaries."""

    kind: str  # "csv" | "police" | "gis"
    parsed: burglaries.ParsedBurglaries


def read_burglary_file(
    data: bytes | Path,
    kommun: str,
    *,
    source: str | None = None,
    content_type: str | None = None,
    fields: PointFields | None = None,
    crs: str | None = None,
) -> BurglaryFile:
    """A CSV or police JSON (db.burglaries.parse_body), or a GIS file (told by its bytes; a path is a
    ``.shp``) with ``fields`` naming its fields, its errors naming its features."""
    if not is_gis_file(data):
        assert isinstance(data, bytes)
        parsed = burglaries.parse_body(data, content_type=content_type, source=source, kommun=kommun)
        return BurglaryFile(kind=parsed.format, parsed=parsed)
    csv = burglaries_csv(data, fields, crs=crs)
    with as_features():
        return BurglaryFile(kind="gis", parsed=burglaries.parse_body(csv, content_type="text/csv", source=source, kommun=kommun))


async def import_burglary_file(
    conn: asyncpg.Connection,
    actor: Principal,
    kommun: str,
    file: BurglaryFile,
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> burglaries.ImportResult:
    """All or nothing, idempotent by (source, external_ref) (db.burglaries.import_burglaries)."""
    with as_features() if file.kind == "gis" else contextlib.nullcontext():
        return await burglaries.import_burglaries(conn, actor, kommun, file.parsed, on_progress=on_progress)


async def import_burglaries(
    conn: asyncpg.Connection,
    actor: Principal,
    kommun: str,
    data: bytes | Path,
    *,
    source: str | None = None,
    content_type: str | None = None,
    fields: PointFields | None = None,
    crs: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> burglaries.ImportResult:
    """Read and import a burglary file (:func:`read_burglary_file`, :func:`import_burglary_file`)."""
    actor.require_kommun(kommun)
    # Parsing a file of tens of megabytes takes seconds of CPU: off the event loop, so that the
    # server keeps answering other requests meanwhile.
    file = await asyncio.to_thread(read_burglary_file, data, kommun, source=source, content_type=content_type, fields=fields, crs=crs)
    return await import_burglary_file(conn, actor, kommun, file, on_progress=on_progress)
