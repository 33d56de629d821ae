"""``import areas``, ``import households`` and ``demo``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from grannsamverkan import cli, messages
from grannsamverkan.cli import (
    EXIT_OK,
    JSON_HELP,
    KOMMUN_HELP,
    cli_actor,
    command,
    print_json,
    progress_bar,
    read_file,
    run_with_connection,
    server_options,
)
from grannsamverkan.cli.point_files import point_file_options, read_point_file
from grannsamverkan.cli.summaries import area_counts, burglary_counts, counted, household_counts
from grannsamverkan.db import areas, household_import, tokens
from grannsamverkan.db.pool import connect
from grannsamverkan.domain import numbers
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
    data: bytes | Path | None = None,
    started: household_import.ReadAhead | None = None,
) -> household_import.ImportResult:
    """``data``: the file as ``read_point_file`` read it, when the caller has; ``started``: its
    reader (``household_cases.start_reading``)."""
    data = read_point_file(path) if data is None else data
    total = len(data) if isinstance(data, bytes) else None
    with progress_bar(total=total, unit="B", unit_scale=True, desc=f"hushåll {path.name}", quiet=quiet) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        return await household_cases.import_households(
            conn, actor, kommun, data, fields=fields, crs=crs, on_progress=progress, started=started
        )


@command("import areas")
def import_areas(args: argparse.Namespace, settings: Settings) -> int:
    async def work(conn: Any) -> int:
        mapping = gis.FieldMapping(name=args.name_field, external_ref=args.ref_field, kommun=args.kommun_field, kind=args.kind_field)
        result = await import_area_file(conn, cli_actor(), args.file, args.crs, mapping)
        if args.json:
            print_json(result)
        else:
            print(f"områden: {area_counts(result)}")
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
            raise InvalidInput.at("FILE", "file.unwritable", path=args.file, reason=messages.os_reason(exc)) from None
        if args.json:
            print_json({"file": str(args.file), "areas": len(records)})
        else:
            print(f"skrev {counted(len(records), 'område', 'områden')} till {args.file}")
        return EXIT_OK

    return run_with_connection(settings, work)


@command("import households")
def import_households(args: argparse.Namespace, settings: Settings) -> int:
    # The file is read, and a CSV's reading started, while the command connects and checks the
    # migrations: its first batches are ready when the database is.
    data = read_point_file(args.file)
    started = household_cases.start_reading(data, args.kommun)

    async def work(conn: Any) -> int:
        fields = PointFields.of(external_ref=args.ref_field, street=args.street_field, postcode=args.postcode_field, city=args.city_field)
        result = await import_household_file(
            conn, cli_actor(), args.file, args.kommun, fields=fields, crs=args.crs, data=data, started=started
        )
        if args.json:
            print_json(result)
        else:
            print(f"hushåll: {household_counts(result)}")
            for warning in result.warnings:
                print(f"varning: {warning}")
        return EXIT_OK

    try:
        return run_with_connection(settings, work)
    finally:
        if started is not None:
            started.close()  # the import closed it, unless it never began (no database, say)


# --- demo -----------------------------------------------------------------------------------------

DEMO_KOMMUNER = ("2283", "2505")


async def load_demo(conn: Any, *, quiet: bool = True) -> dict[str, str]:
    """Load geodata/: areas, households and burglaries of Sollefteå and Arvidsjaur, and a few groups.
    Safe to run again: imports are idempotent and groups are only made where an area has none.
    Answers what was loaded, one line per part (``{"områden": "0 nya, 0 ändrade, 12 oförändrade"}``)."""
    actor = Principal(token_id=0, name="demo", role="admin")
    folder = geodata_dir()
    summary = {"områden": area_counts(await import_area_file(conn, actor, folder / "demo-areas.geojson", None))}
    for kommun in DEMO_KOMMUNER:
        households = await import_household_file(conn, actor, folder / f"demo-households-{kommun}.csv", kommun, quiet=quiet)
        summary[f"hushåll {kommun}"] = household_counts(households)
    from grannsamverkan.db import burglaries
    from grannsamverkan.services.demo import load_demo_goals, load_demo_groups, load_demo_promises

    for kommun in DEMO_KOMMUNER:
        path = folder / f"demo-burglaries-{kommun}.csv"
        summary[f"inbrott {kommun}"] = burglary_counts(await burglaries.import_file(conn, actor, kommun, path.read_bytes(), source="demo"))
    await load_demo_groups(conn, actor)
    await load_demo_goals(conn, actor)
    for kommun in DEMO_KOMMUNER:
        promised = await load_demo_promises(conn, actor, folder / f"demo-promises-{kommun}.json")
        summary[f"medborgarlöften {kommun}"] = (
            f"{counted(promised['promises'], 'löfte', 'löften')}, {counted(promised['activities'], 'aktivitet', 'aktiviteter')}"
        )
    from grannsamverkan.services.lifecycle import load_demo_lifecycle

    steps = await load_demo_lifecycle(conn, actor, date.today())
    summary["gruppernas liv"] = f"{numbers.count(steps['steps'])} steg"
    return summary


@command("demo")
def demo(args: argparse.Namespace, settings: Settings) -> int:
    from grannsamverkan.services.demo import demo_account

    async def prepare() -> tuple[str, str, tuple[str, str]]:
        url = await cli.database_url(settings)
        conn = await connect(url)
        try:
            summary = await load_demo(conn, quiet=False)
            for what, line in summary.items():
                print(f"demo {what}: {line}", file=sys.stderr)
            _, token = await tokens.create_token(conn, role="admin", kommuner=[], name=None)
            account = await demo_account(conn, cli.cli_actor(), list(DEMO_KOMMUNER))
        finally:
            await conn.close()
        return url, token, account

    url, token, (name, password) = asyncio.run(prepare())
    print(f"Logga in på sidorna som samordnare för Sollefteå och Arvidsjaur:\n  namn: {name}\n  lösenord: {password}")
    print(f"Demodata inlästa. En admin-token att pröva API:t med (visas bara en gång):\n{token}", flush=True)
    if args.no_serve:
        return EXIT_OK
    cli.start_server(settings, url, host=args.host, port=args.port, workers=1)
    return EXIT_OK


def extend_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    imports = sub.add_parser("import", help=cli.command_help("import")).add_subparsers(dest="import_command", required=True, metavar="VAD")
    cli.IMPORT_SUBPARSERS = imports
    p = imports.add_parser(
        "areas",
        parents=[common],
        help="områden från GeoJSON, GeoPackage eller en shapefil (vanlig eller zippad); allt eller inget, "
        "och samma fil igen ändrar ingenting (ett område känns igen på external_ref)",
    )
    p.add_argument("file", type=Path, metavar="FIL", help=".geojson, .gpkg, .shp (med sina .dbf, .prj och .cpg) eller .zip")
    p.add_argument("--crs", metavar="EPSG", help="filens koordinatsystem när filen inte anger något: EPSG:4326 (standard) eller EPSG:3006")
    p.add_argument("--name-field", metavar="FÄLT", help="fältet i filen med områdets namn (standard: name)")
    p.add_argument(
        "--ref-field", metavar="FÄLT", help="fältet i filen med filens eget id, sparas som external_ref (standard: external_ref)"
    )
    p.add_argument(
        "--kommun-field",
        metavar="FÄLT",
        help="fältet i filen med SCB:s kommunkod (standard: kommun; utan det avgörs kommunen av var området ligger)",
    )
    p.add_argument("--kind-field", metavar="FÄLT", help="fältet i filen med områdets typ (standard: kind)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p = imports.add_parser(
        "households",
        parents=[common],
        help="hushåll från en CSV-fil, eller punkterna i en GeoPackage, en shapefil (vanlig eller zippad) eller GeoJSON "
        "(allt eller inget; ett hushåll känns igen på external_ref)",
    )
    p.add_argument("file", type=Path, metavar="FIL", help=".csv, .gpkg, .shp (med sina .dbf, .prj och .cpg), .zip eller .geojson")
    p.add_argument("--kommun", required=True, help=KOMMUN_HELP)
    point_file_options(p, household_fields=True)
    p.add_argument("--json", action="store_true", help=JSON_HELP)

    exports = sub.add_parser("export", help=cli.command_help("export")).add_subparsers(dest="export_command", required=True, metavar="VAD")
    p = exports.add_parser("areas", parents=[common], help="en kommuns områden som .geojson (WGS 84) eller .gpkg (EPSG:3006)")
    p.add_argument("file", type=Path, metavar="FIL.geojson|FIL.gpkg", help="filen att skriva; dess ändelse väljer formatet")
    p.add_argument("--kommun", required=True, help=KOMMUN_HELP)
    p.add_argument("--json", action="store_true", help=JSON_HELP)

    p = sub.add_parser("demo", parents=[common], help=cli.command_help("demo"))
    server_options(p)
    p.add_argument("--no-serve", action="store_true", help="läs bara in data och skriv ut token; starta inte webbtjänsten")


cli.PARSER_EXTENSIONS.append(extend_parser)
