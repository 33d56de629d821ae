"""Household import speed: `grannsamverkan import households` against a bare `psql \\copy`.

    python benchmarks/bench_household_import.py [--rows 1000000] [--areas 2000]

Uses DATABASE_URL when set (e.g. postgresql://postgres@127.0.0.1:5432/postgres), else an embedded
PostgreSQL in a temporary folder. Makes a fresh database, 2,000 square areas in kommun 2283 and a
CSV of N households in SWEREF 99 TM (x,y), then times, in the same run and on the same file:

  baseline  psql \\copy of the CSV into an unindexed table of the same columns
  import    the project's import (parse, point-in-polygon, binary COPY, upsert), in a child
            process so its peak memory can be read
  PostgreSQL alone   the same rows encoded beforehand: their binary COPY into the kommun's load
            table and the three index builds, in a transaction that is rolled back (a floor for
            the first import: the server's own work, with no parsing on the way)

and prints the ratio import / baseline (goal: at most 2.0, aim 1.2) and the peak RSS (< 1.5 GiB).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import numpy as np

from grannsamverkan.db.embedded import start_embedded, with_database
from grannsamverkan.db.migrate import migrate

X0, Y0 = 560_000.0, 6_960_000.0  # south-west corner of the synthetic kommun (SWEREF 99 TM)
CELL = 500.0  # areas are 400 m squares on a 500 m grid


def area_collection(n_areas: int) -> dict:
    side = int(np.ceil(np.sqrt(n_areas)))
    features = []
    for i in range(n_areas):
        x, y = X0 + CELL * (i % side), Y0 + CELL * (i // side)
        ring = [[x, y], [x + 400, y], [x + 400, y + 400], [x, y + 400], [x, y]]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"name": f"Område {i}", "kommun": "2283", "external_ref": f"a{i}"},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_csv(path: Path, rows: int, n_areas: int, seed: int = 2283) -> None:
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_areas)))
    xs = X0 + rng.uniform(0, CELL * side, rows)
    ys = Y0 + rng.uniform(0, CELL * side, rows)
    with path.open("w", encoding="utf-8") as out:
        out.write("external_ref,street,postcode,city,x,y\n")
        for start in range(0, rows, 100_000):
            stop = min(rows, start + 100_000)
            out.writelines(
                f"h{i},Storgatan {i % 200 + 1},881 {i % 90 + 10:02d},Sollefteå,{xs[i]:.2f},{ys[i]:.2f}\n" for i in range(start, stop)
            )


CHILD = r"""
import asyncio, json, resource, sys, time
from pathlib import Path
from grannsamverkan.cli import cli_actor
from grannsamverkan.cli.registry import import_household_file
from grannsamverkan.db.pool import connect

async def main():
    conn = await connect(sys.argv[1])
    started = time.perf_counter()
    result = await import_household_file(conn, cli_actor(), Path(sys.argv[2]), "2283", quiet=True)
    seconds = time.perf_counter() - started
    await conn.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "peak_bytes": peak, "result": {"inserted": result.inserted, "assigned": result.assigned}}))

asyncio.run(main())
"""


def psql_copy_seconds(url: str, csv_path: Path) -> float:
    psql = shutil.which("psql")
    if psql is None:
        raise SystemExit("psql is needed for the baseline")
    setup = "drop table if exists bare_copy; create table bare_copy (external_ref text, street text, postcode text, city text, x double precision, y double precision)"
    subprocess.run([psql, url, "-q", "-c", setup], check=True)
    started = time.perf_counter()
    subprocess.run([psql, url, "-q", "-c", f"\\copy bare_copy from '{csv_path}' with (format csv, header true)"], check=True)
    return time.perf_counter() - started


async def prepare(url: str, n_areas: int) -> None:
    from grannsamverkan.cli import cli_actor
    from grannsamverkan.db import areas
    from grannsamverkan.db.pool import connect
    from grannsamverkan.geo.geojson import parse_feature_collection

    await migrate(url)
    conn = await connect(url)
    try:
        features = parse_feature_collection(area_collection(n_areas), crs="EPSG:3006")
        await areas.import_areas(conn, cli_actor(), features)
    finally:
        await conn.close()


def _checkpoint(url: str) -> None:
    """Start each timed run from a checkpoint, so that no run pays for the last one's writes."""

    async def run() -> None:
        conn = await asyncpg.connect(url)
        await conn.execute("checkpoint")
        await conn.close()

    asyncio.run(run())


def database_share_seconds(url: str, csv_path: Path) -> dict[str, float]:
    """What PostgreSQL alone needs for a kommun's first import, with no parsing on the way: the
    rows the import would send (area ids included) are encoded beforehand, then timed inside a
    transaction that is rolled back: their binary COPY into the load table, then the three index
    builds and the attachment. A floor for the import: no client can be faster than this."""
    import pgpq

    from grannsamverkan.db import households
    from grannsamverkan.db.pool import connect
    from grannsamverkan.geo.columnar import clean_batches

    async def run() -> dict[str, float]:
        conn = await connect(url)
        try:
            grid = await households.area_index(conn, "2283")
            encoder = pgpq.ArrowToPostgresBinaryEncoder(households.ROW_SCHEMA)
            chunks = [encoder.write_header()]
            for batch in clean_batches(csv_path.read_bytes()):
                # The rows exactly as a kommun's first import sends them (no known households).
                chunks.append(encoder.write_batch(households._prepare(batch, grid, None).new_rows))
            chunks.append(encoder.finish())

            async def encoded():
                for chunk in chunks:
                    yield chunk

            transaction = conn.transaction()
            await transaction.start()
            try:
                await conn.execute(households.CREATE_PARTITION, "2283")
                table = await conn.fetchval(households.PARTITION_NAME, "2283")
                started = time.perf_counter()
                await conn.copy_to_table(table, source=encoded(), columns=households.ROW_COLUMNS, format="binary")
                copied = time.perf_counter()
                await conn.execute(households.INDEX_BUILD_MEMORY)
                await conn.execute(households.ATTACH_PARTITION, "2283")
                return {"copy": copied - started, "indexes": time.perf_counter() - copied}
            finally:
                await transaction.rollback()
        finally:
            await conn.close()

    _checkpoint(url)
    return asyncio.run(run())


def _import_seconds(url: str, csv_path: Path) -> dict:
    _checkpoint(url)
    child = subprocess.run([sys.executable, "-c", CHILD, url, str(csv_path)], capture_output=True, text=True, check=True)
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--areas", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of baseline, import, re-run; medians are reported")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        server = os.environ.get("DATABASE_URL") or start_embedded(tmp_path / "pg")
        template = f"bench_import_{uuid.uuid4().hex[:8]}"

        async def admin(*statements: str) -> None:
            conn = await asyncpg.connect(server)
            for statement in statements:
                await conn.execute(statement)
            await conn.close()

        asyncio.run(admin(f'create database "{template}"'))
        print(f"preparing {args.areas} areas and a CSV of {args.rows:,} households …", file=sys.stderr)
        asyncio.run(prepare(with_database(server, template), args.areas))
        csv_path = tmp_path / "households.csv"
        write_csv(csv_path, args.rows, args.areas)
        size_mb = csv_path.stat().st_size / 1e6

        rounds = []
        for i in range(args.repeat):
            # Every round on a fresh copy of the prepared database: the first import is a first.
            name = f"{template}_{i}"
            asyncio.run(admin(f'create database "{name}" template "{template}"'))
            url = with_database(server, name)
            _checkpoint(url)
            baseline = psql_copy_seconds(url, csv_path)
            share = database_share_seconds(url, csv_path)
            first = _import_seconds(url, csv_path)
            again = _import_seconds(url, csv_path)
            rounds.append((baseline, first, again, share))
            print(
                f"round {i + 1}: baseline {baseline:.2f} s, import {first['seconds']:.2f} s "
                f"({first['seconds'] / baseline:.2f}x), re-run {again['seconds']:.2f} s "
                f"({again['seconds'] / baseline:.2f}x); PostgreSQL alone: COPY {share['copy']:.2f} s "
                f"+ indexes {share['indexes']:.2f} s ({(share['copy'] + share['indexes']) / baseline:.2f}x)",
                file=sys.stderr,
            )
            asyncio.run(admin(f'drop database "{name}" with (force)'))
        asyncio.run(admin(f'drop database "{template}" with (force)'))

        baseline = float(np.median([r[0] for r in rounds]))
        first_ratio = float(np.median([r[1]["seconds"] / r[0] for r in rounds]))
        again_ratio = float(np.median([r[2]["seconds"] / r[0] for r in rounds]))
        peak = max(max(r[1]["peak_bytes"], r[2]["peak_bytes"]) for r in rounds)
        print(f"CSV: {args.rows:,} rows, {size_mb:.1f} MB; {args.areas} areas; medians of {args.repeat} rounds")
        print(f"baseline psql \\copy into an unindexed table: {baseline:.2f} s")
        print(
            f"import (first run, inserts):   {float(np.median([r[1]['seconds'] for r in rounds])):.2f} s  "
            f"ratio {first_ratio:.2f}x  {rounds[-1][1]['result']}"
        )
        print(f"import (re-run, no changes):   {float(np.median([r[2]['seconds'] for r in rounds])):.2f} s  ratio {again_ratio:.2f}x")
        share_ratio = float(np.median([(r[3]["copy"] + r[3]["indexes"]) / r[0] for r in rounds]))
        print(
            f"PostgreSQL alone, rows encoded beforehand: binary COPY "
            f"{float(np.median([r[3]['copy'] for r in rounds])):.2f} s + index builds and attach "
            f"{float(np.median([r[3]['indexes'] for r in rounds])):.2f} s  ratio {share_ratio:.2f}x "
            "(the floor for the first import)"
        )
        print(f"peak RSS {peak / 2**30:.2f} GiB")
        goal_met = first_ratio <= 2.0 and peak < 1.5 * 2**30
        print("goal (first run at most 2.0x, peak RSS under 1.5 GiB):", "met" if goal_met else "NOT met")
        sys.exit(0 if goal_met else 1)


if __name__ == "__main__":
    main()
