"""``import areas``, ``import households`` and ``demo``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
from tqdm import tqdm

from grannsamverkan import cli
from grannsamverkan.cli import EXIT_OK, cli_actor, command, print_json, read_file, run_with_connection
from grannsamverkan.cli.point_files import point_file_options, read_point_file
from grannsamverkan.db import areas, household_import, tokens
from grannsamverkan.db.pool import connect
from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import InvalidInput
from grannsamverkan.geo import gis
from grannsamverkan.geo.geojson import AreaFeature
from grannsamverkan.geo.gis_points import PointFields
from grannsamverkan.resources import geodata_dir
from grannsamverkan.services import households as household_cases
from grannsamverkan.settings import Settings


async def import_area_file(
    conn: Any, actor: Principal, path: Path, crs: str | None, mapping: gis.FieldMapping | None = None
) -> areas.ImportSummary:
    """GeoJSON, GeoPackage or a (zipped) shapefile; a ``.shp`` is read with its sibling files."""
    return await areas.import_areas(conn, actor, read_area_file(path, crs, mapping))


def read_area_file(path: Path, crs: str | None, mapping: gis.FieldMapping | None = None) -> list[AreaFeature]:
    if path.suffix.lower() == ".shp":
        if not path.is_file():
            read_file(path)  # the error naming the file
        return gis.read_areas(path, crs=crs, mapping=mapping)
    return gis.read_areas(read_file(path), crs=crs, mapping=mapping)


async def import_household_file(
    conn: Any,
    actor: Principal,
    path: Path,
    kommun: str,
    *,
    quiet: bool = False,
    fields: PointFields | None = None,
    crs: str | None = None,
) -> household_import.ImportResult:
    data = read_point_file(path)
    total = len(data) if isinstance(data, bytes) else None
    with tqdm(
        total=total, unit="B", unit_scale=True, desc=f"households {path.name}", file=sys.stderr, disable=quiet or None, leave=False
    ) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        return await household_cases.import_households(conn, actor, kommun, data, fields=fields, crs=crs, on_progress=progress)


@command("import areas")
def import_areas(args: argparse.Namespace, settings: Settings) -> int:
    async def work(conn: Any) -> int:
        mapping = gis.FieldMapping(name=args.name_field, external_ref=args.ref_field, kommun=args.kommun_field, kind=args.kind_field)
        result = await import_area_file(conn, cli_actor(), args.file, args.crs, mapping)
        if args.json:
            print_json(result)
        else:
            print(f"areas: {result.inserted} inserted, {result.updated} updated, {result.unchanged} unchanged")
            for warning in result.warnings:
                print(f"varning: {warning}")
        return EXIT_OK

    return run_with_connection(settings, work)


EXPORT_FORMATS = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg"}


@command("export areas")
def export_areas(args: argparse.Namespace, settings: Settings) -> int:
    """The kommun's areas as GeoJSON (as GET /api/v1/areas writes them) or GeoPackage (EPSG:3006);
    either re-imports as unchanged."""
    kind = EXPORT_FORMATS.get(args.file.suffix.lower())
    if kind is None:
        raise InvalidInput.at("FILE", "file.export_suffix", path=args.file)

    async def work(conn: Any) -> int:
        records = await areas.export_areas(conn, args.kommun)
        try:
            if kind == "gpkg":
                args.file.unlink(missing_ok=True)
                gis.write_areas_gpkg(args.file, records)
            else:
                args.file.write_bytes(msgspec.json.encode(gis.areas_geojson(records)))
        except OSError as exc:
            raise InvalidInput.at("FILE", "file.unwritable", path=args.file, reason=exc.strerror) from None
        if args.json:
            print_json({"file": str(args.file), "areas": len(records)})
        else:
            print(f"areas: {len(records)} exported to {args.file}")
        return EXIT_OK

    return run_with_connection(settings, work)


@command("import households")
def import_households(args: argparse.Namespace, settings: Settings) -> int:
    async def work(conn: Any) -> int:
        fields = PointFields.of(external_ref=args.ref_field, street=args.street_field, postcode=args.postcode_field, city=args.city_field)
        result = await import_household_file(conn, cli_actor(), args.file, args.kommun, fields=fields, crs=args.crs)
        if args.json:
            print_json(result)
        else:
            print(
                f"households: {result.inserted} inserted, {result.updated} updated, "
                f"{result.assigned} in an area, {result.unassigned} in none"
            )
            for warning in result.warnings:
                print(f"varning: {warning}")
        return EXIT_OK

    return run_with_connection(settings, work)


# --- demo -----------------------------------------------------------------------------------------

DEMO_KOMMUNER = ("2283", "2505")


async def load_demo(conn: Any, *, quiet: bool = True) -> dict[str, Any]:
    """Load geodata/: areas, households and burglaries of Sollefteå and Arvidsjaur, and a few groups.
    Safe to run again: imports are idempotent and groups are only made where an area has none."""
    actor = Principal(token_id=0, name="demo", role="admin")
    folder = geodata_dir()
    summary: dict[str, Any] = {"areas": await import_area_file(conn, actor, folder / "demo-areas.geojson", None)}
    for kommun in DEMO_KOMMUNER:
        summary[f"households {kommun}"] = await import_household_file(
            conn, actor, folder / f"demo-households-{kommun}.csv", kommun, quiet=quiet
        )
    from grannsamverkan.db import burglaries
    from grannsamverkan.services.demo import load_demo_goals, load_demo_groups, load_demo_promises

    for kommun in DEMO_KOMMUNER:
        path = folder / f"demo-burglaries-{kommun}.csv"
        summary[f"burglaries {kommun}"] = await burglaries.import_file(conn, actor, kommun, path.read_bytes(), source="demo")
    await load_demo_groups(conn, actor)
    await load_demo_goals(conn, actor)
    for kommun in DEMO_KOMMUNER:
        summary[f"medborgarlöften {kommun}"] = await load_demo_promises(conn, actor, folder / f"demo-promises-{kommun}.json")
    from grannsamverkan.services.lifecycle import load_demo_lifecycle

    summary["gruppernas liv"] = await load_demo_lifecycle(conn, actor, date.today())
    return summary


@command("demo")
def demo(args: argparse.Namespace, settings: Settings) -> int:
    from grannsamverkan.services.demo import demo_account

    async def prepare() -> tuple[str, str, tuple[str, str]]:
        url = await cli.database_url(settings)
        conn = await connect(url)
        try:
            summary = await load_demo(conn, quiet=False)
            for what, result in summary.items():
                print(f"demo {what}: {result}", file=sys.stderr)
            _, token = await tokens.create_token(conn, role="admin", kommuner=[], name=None)
            account = await demo_account(conn, cli.cli_actor(), list(DEMO_KOMMUNER))
        finally:
            await conn.close()
        return url, token, account

    url, token, (name, password) = asyncio.run(prepare())
    print(f"Logga in på sidorna som samordnare för Sollefteå och Arvidsjaur:\n  namn: {name}\n  lösenord: {password}")
    print(f"demo data loaded; an admin token for trying the API (shown once):\n{token}", flush=True)
    if args.no_serve:
        return EXIT_OK
    cli.start_server(settings, url, host=args.host, port=args.port, workers=1)
    return EXIT_OK


def extend_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    imports = sub.add_parser("import", help=cli.command_help("import")).add_subparsers(dest="import_command", required=True, metavar="WHAT")
    cli.IMPORT_SUBPARSERS = imports
    p = imports.add_parser(
        "areas",
        parents=[common],
        help="areas from GeoJSON, GeoPackage or a shapefile (plain or zipped); all or nothing, idempotent by external_ref",
    )
    p.add_argument("file", type=Path, metavar="FILE", help=".geojson, .gpkg, .shp (with its .dbf, .prj, .cpg) or .zip")
    p.add_argument("--crs", help="the file's CRS when it names none: EPSG:4326 (default) or EPSG:3006")
    p.add_argument("--name-field", help="the file's field holding the area's name (default: name)")
    p.add_argument("--ref-field", help="the file's field holding its own id, kept as external_ref (default: external_ref)")
    p.add_argument(
        "--kommun-field",
        help="the file's field holding the SCB kommun code (default: kommun; without one the kommun is found from the geometry)",
    )
    p.add_argument("--kind-field", help="the file's field holding the kind (default: kind)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p = imports.add_parser(
        "households",
        parents=[common],
        help="households from a CSV, or the points of a GeoPackage, shapefile (plain or zipped) or GeoJSON "
        "(all or nothing, idempotent by external_ref)",
    )
    p.add_argument("file", type=Path, metavar="FILE", help=".csv, .gpkg, .shp (with its .dbf, .prj, .cpg), .zip or .geojson")
    p.add_argument("--kommun", required=True, help="SCB kommun code, e.g. 2283")
    point_file_options(p, household_fields=True)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    exports = sub.add_parser("export", help=cli.command_help("export")).add_subparsers(dest="export_command", required=True, metavar="WHAT")
    p = exports.add_parser("areas", parents=[common], help="a kommun's areas as .geojson (WGS 84) or .gpkg (EPSG:3006)")
    p.add_argument("file", type=Path, metavar="FILE.geojson|FILE.gpkg")
    p.add_argument("--kommun", required=True, help="SCB kommun code, e.g. 2283")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    p = sub.add_parser("demo", parents=[common], help=cli.command_help("demo"))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="only load the data and print the token")


cli.PARSER_EXTENSIONS.append(extend_parser)
