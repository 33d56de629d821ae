"""Household import speed: `grannsamverkan import households` end to end against the database's floor.

    python benchmarks/bench_household_import.py [--rows 1000000] [--areas 2000] [--repeat 3]

Uses DATABASE_URL when set (e.g. postgresql://postgres@127.0.0.1:5432/postgres), else an embedded
PostgreSQL in a temporary folder. Makes a fresh database, 2,000 square areas in kommun 2283 and a
CSV of N households in SWEREF 99 TM (x,y), then, in each round on a fresh copy of that database:

  floor    what the database alone needs for the same rows: `psql \\copy` of the CSV into an
           unindexed table of its columns, then (one more psql) the three index builds the
           registry needs, one unique on the text key and two on 8-byte numbers, with the
           maintenance_work_mem the import gives its own index builds
  import   `grannsamverkan import households FILE --kommun 2283` as a user runs it: a child
           process, start-up, migration check, parsing, point-in-polygon, load, indexes, commit;
           its peak RSS is read with wait4
  re-run   the same command again (nothing changes)

The package's bytecode is compiled first, as `pip install` does for an installed package: a
process started with PYTHONDONTWRITEBYTECODE (as on some CI machines) would otherwise compile
every module of the command from source in every round (about 50 ms).

It prints the ratio import / floor (goal: at most 1.3, aim 1.15) and the peak RSS (< 1.5 GiB).

When the server runs on this machine (its postmaster.pid readable), it also prints the CPU seconds
of each step: the server's processes (postmaster, backends, parallel workers; read from /proc,
every database of the server included) and the client's (psql, or the CLI). On a machine shared
with other work, the wall-clock ratio varies from run to run; the CPU ratio varies less.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import numpy as np

from grannsamverkan.db.embedded import start_embedded, stop_embedded, with_database
from grannsamverkan.db.migrate import migrate

X0, Y0 = 585_000.0, 7_025_000.0  # south-west corner of the synthetic areas, inside kommun 2283 (SWEREF 99 TM)
CELL = 500.0  # areas are 400 m squares on a 500 m grid
GOAL, AIM = 1.3, 1.15
MEMORY_LIMIT = 1.5 * 2**30

FLOOR_TABLE = """
drop table if exists floor_copy;
create table floor_copy (
    external_ref text collate "C", street text, postcode text, city text, x double precision, y double precision
)
"""
FLOOR_INDEXES = """
set maintenance_work_mem = '256MB';
create unique index floor_copy_ref on floor_copy (external_ref);
create index floor_copy_x on floor_copy (x);
create index floor_copy_y on floor_copy (y);
"""


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


def server_pid(url: str) -> int | None:
    """The postmaster's pid, when the server's data directory is readable here."""

    async def data_directory() -> str:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetchval("show data_directory")
        finally:
            await conn.close()

    try:
        return int((Path(asyncio.run(data_directory())) / "postmaster.pid").read_text().split()[0])
    except (OSError, asyncpg.PostgresError, ValueError):
        return None


def _cpu_of(stat: str, *, children: bool) -> float:
    fields = stat.rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11 : 15 if children else 13])  # utime, stime (, cutime, cstime)
    return ticks / os.sysconf("SC_CLK_TCK")


def server_cpu(pid: int | None) -> float:
    """CPU seconds the server's processes have used: the postmaster with its exited children, and
    the living ones."""
    if pid is None:
        return float("nan")
    total = _cpu_of(Path(f"/proc/{pid}/stat").read_text(), children=True)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            total += _cpu_of(stat, children=False)
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _psql(url: str, *args: str) -> float:
    psql = shutil.which("psql")
    if psql is None:
        raise SystemExit("psql is needed for the floor")
    started = time.perf_counter()
    subprocess.run([psql, url, "-q", "-v", "ON_ERROR_STOP=1", *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def floor_seconds(url: str, csv_path: Path, pid: int | None) -> dict[str, float]:
    _psql(url, "-c", FLOOR_TABLE)
    _checkpoint(url)
    server, client = server_cpu(pid), _children_cpu()
    copy = _psql(url, "-c", f"\\copy floor_copy from '{csv_path}' with (format csv, header true)")
    indexes = _psql(url, "-c", FLOOR_INDEXES)
    server, client = server_cpu(pid) - server, _children_cpu() - client
    _psql(url, "-c", "drop table floor_copy")
    return {"copy": copy, "indexes": indexes, "server_cpu": server, "client_cpu": client}


def import_seconds(url: str, csv_path: Path, pid: int | None) -> dict:
    """The CLI in a child process, wall time from spawn to exit, and the child's peak RSS."""
    _checkpoint(url)
    server = server_cpu(pid)
    env = {**os.environ, "DATABASE_URL": url}
    command = [sys.executable, "-m", "grannsamverkan", "import", "households", str(csv_path), "--kommun", "2283", "--json"]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    out, err = child.stdout.read(), child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    server = server_cpu(pid) - server
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"the import failed ({child.returncode}): {err.decode(errors='replace')[-2000:]}")
    result = json.loads(out)
    return {
        "seconds": seconds,
        "peak_bytes": usage.ru_maxrss * 1024,
        "server_cpu": server,
        "client_cpu": usage.ru_utime + usage.ru_stime,
        "inserted": result["inserted"],
        "assigned": result["assigned"],
    }


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


def compile_bytecode() -> None:
    """The package's .pyc files, as an installed package has them (pip compiles at install)."""
    import grannsamverkan

    compileall.compile_dir(Path(grannsamverkan.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--areas", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of floor, import, re-run; medians are reported")
    args = parser.parse_args()
    compile_bytecode()

    # The embedded server (if any) is stopped before its temporary folder is removed: the other
    # way round, it outlives the benchmark without a data directory.
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stop_server:
        tmp_path = Path(tmp)
        server = os.environ.get("DATABASE_URL")
        if not server:
            server = start_embedded(tmp_path / "pg")
            stop_server.callback(stop_embedded, tmp_path / "pg")
        template = f"bench_import_{uuid.uuid4().hex[:8]}"

        async def admin(*statements: str) -> None:
            conn = await asyncpg.connect(server)
            for statement in statements:
                await conn.execute(statement)
            await conn.close()

        async def version() -> str:
            conn = await asyncpg.connect(server)
            try:
                return await conn.fetchval("show server_version")
            finally:
                await conn.close()

        asyncio.run(admin(f'create database "{template}"'))
        print(f"preparing {args.areas} areas and a CSV of {args.rows:,} households …", file=sys.stderr)
        asyncio.run(prepare(with_database(server, template), args.areas))
        csv_path = tmp_path / "households.csv"
        write_csv(csv_path, args.rows, args.areas)
        size_mb = csv_path.stat().st_size / 1e6

        rounds = []
        pid = server_pid(server)
        for i in range(args.repeat):
            # Every round on a fresh copy of the prepared database: the first import is a first.
            name = f"{template}_{i}"
            asyncio.run(admin(f'create database "{name}" template "{template}"'))
            url = with_database(server, name)
            floor = floor_seconds(url, csv_path, pid)
            first = import_seconds(url, csv_path, pid)
            again = import_seconds(url, csv_path, pid)
            total = floor["copy"] + floor["indexes"]
            rounds.append((total, first, again, floor))
            print(
                f"round {i + 1}: floor {total:.2f} s (\\copy {floor['copy']:.2f} s + indexes {floor['indexes']:.2f} s; "
                f"CPU server {floor['server_cpu']:.2f} s, psql {floor['client_cpu']:.2f} s), "
                f"import {first['seconds']:.2f} s ({first['seconds'] / total:.2f}x; "
                f"CPU server {first['server_cpu']:.2f} s, CLI {first['client_cpu']:.2f} s), "
                f"re-run {again['seconds']:.2f} s ({again['seconds'] / total:.2f}x)",
                file=sys.stderr,
            )
            asyncio.run(admin(f'drop database "{name}" with (force)'))
        asyncio.run(admin(f'drop database "{template}" with (force)'))
        where = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded"

        floor = float(np.median([r[0] for r in rounds]))
        first_ratio = float(np.median([r[1]["seconds"] / r[0] for r in rounds]))
        again_ratio = float(np.median([r[2]["seconds"] / r[0] for r in rounds]))
        peak = max(max(r[1]["peak_bytes"], r[2]["peak_bytes"]) for r in rounds)
        print(f"PostgreSQL {asyncio.run(version())} ({where}); CSV: {args.rows:,} rows, {size_mb:.1f} MB; {args.areas} areas")
        print(f"medians of {args.repeat} rounds; floor (\\copy + three index builds): {floor:.2f} s")
        each = ", ".join(f"{r[1]['seconds'] / r[0]:.2f}" for r in rounds)
        print(
            f"import, first run (CLI end to end): {float(np.median([r[1]['seconds'] for r in rounds])):.2f} s  "
            f"ratio {first_ratio:.2f}x (rounds {each})  "
            f"{rounds[-1][1]['inserted']:,} inserted, {rounds[-1][1]['assigned']:,} in an area"
        )
        print(f"import, re-run (nothing changes): {float(np.median([r[2]['seconds'] for r in rounds])):.2f} s  ratio {again_ratio:.2f}x")
        floor_cpu = float(np.median([r[3]["server_cpu"] + r[3]["client_cpu"] for r in rounds]))
        import_cpu = float(np.median([r[1]["server_cpu"] + r[1]["client_cpu"] for r in rounds]))
        print(
            f"CPU, medians: floor {floor_cpu:.2f} s (server and psql), import {import_cpu:.2f} s (server and CLI), "
            f"ratio {import_cpu / floor_cpu:.2f}x (server processes of every database counted)"
        )
        print(f"peak RSS {peak / 2**30:.2f} GiB")
        goal_met = first_ratio <= GOAL and peak < MEMORY_LIMIT
        print(f"goal (first run at most {GOAL}x the floor, aim {AIM}x; peak RSS under 1.5 GiB):", "met" if goal_met else "NOT met")
        sys.exit(0 if goal_met else 1)


if __name__ == "__main__":
    main()
