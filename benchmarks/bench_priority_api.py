"""Server time of ``GET /api/v1/priority-areas`` on the synthetic kommun, per method.

    python benchmarks/bench_priority_api.py [--seed 2283] [--runs 15]

Loads the synthetic kommun of ``synthetic_burglaries.py`` (2,000 areas, ~20,000 burglaries over
six years, 10 % of areas with an active group) into a fresh database, then prints the median of:

1. ``db load + rank``: :func:`grannsamverkan.db.burglaries.priority_areas` on one connection
   (the work of the handler: read the areas and the burglaries, rank them);
2. ``request``: the whole HTTP request through the app (auth, guard, query parsing,
   serialisation of 100 items) with an in-process ASGI client;

for a ranking over all six years (every burglary read) and over the last year, plus the backtest
route (one yearly fold). The target is under 100 ms per ranking. A baseline (``np.sort`` of
200,000 floats) run in the same process gives the ratio on another machine.

The database is DATABASE_URL's server when set (a new database is made there and dropped after),
else an embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

import asyncpg
import numpy as np
import shapely
from synthetic_burglaries import generate

from grannsamverkan.db import burglaries, tokens
from grannsamverkan.db.embedded import start_embedded, stop_embedded, with_database
from grannsamverkan.db.migrate import migrate
from grannsamverkan.db.pool import connect
from grannsamverkan.settings import Settings

KOMMUN = "2283"


async def median_ms(fn: Callable[[], Awaitable[object]], runs: int) -> float:
    await fn()  # warm up (prepared statements, caches)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        await fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


async def load(conn: asyncpg.Connection, seed: int) -> tuple[int, int, date, date]:
    data = generate(seed, years=6)
    area_rows = []
    for a in data.areas:
        square = shapely.box(a.x - 100, a.y - 100, a.x + 100, a.y + 100)
        area_rows.append(
            (
                KOMMUN,
                a.name,
                "by",
                f"syn-{a.area_id}",
                shapely.to_wkb(square),
                asyncpg.Box((a.x + 100, a.y + 100), (a.x - 100, a.y - 100)),
                square.area,
                a.x,
                a.y,
                a.households,
            )
        )
    await conn.copy_records_to_table(
        "area",
        records=area_rows,
        columns=["kommun", "name", "kind", "external_ref", "geom_wkb", "bbox", "area_m2", "point_x", "point_y", "households_total"],
    )
    ids = {r["external_ref"]: r["id"] for r in await conn.fetch("select id, external_ref from area where kommun = $1", KOMMUN)}
    db_id = {a.area_id: ids[f"syn-{a.area_id}"] for a in data.areas}
    await conn.executemany(
        "insert into watch_group (kommun, area_id, kind, name, status, established_on) "
        "values ($1, $2, 'grannsamverkan', $3, 'active', '2015-01-01')",
        [(KOMMUN, db_id[a.area_id], f"GSV {a.name}") for a in data.areas if a.has_active_group],
    )
    incident_rows = [
        (
            KOMMUN,
            "synthetic",
            f"s{i}",
            inc.occurred_from,
            inc.occurred_to,
            "villa",
            inc.x,
            inc.y,
            None if inc.area_id is None else db_id[inc.area_id],
        )
        for i, inc in enumerate(data.incidents)
    ]
    await conn.copy_records_to_table(
        "burglary",
        records=incident_rows,
        columns=["kommun", "source", "external_ref", "occurred_from", "occurred_to", "category", "x", "y", "area_id"],
    )
    await conn.execute("analyze")
    first = data.start.date()
    last = date(data.start.year + data.years - 1, 12, 31)
    return len(data.areas), len(data.incidents), first, last


async def run(url: str, runs: int, seed: int) -> None:
    from litestar.testing import AsyncTestClient

    from grannsamverkan.app import create_app

    await migrate(url)
    conn = await connect(url)
    try:
        t = time.perf_counter()
        n_areas, n_incidents, first, last = await load(conn, seed)
        print(f"loaded {n_areas} areas and {n_incidents} burglaries in {time.perf_counter() - t:.1f} s")
        _, token = await tokens.create_token(conn, role="police", kommuner=[KOMMUN], name="bench")

        noise = np.random.default_rng(0).random(200_000)

        async def sort() -> None:
            np.sort(noise)

        baseline = await median_ms(sort, runs)
        print(f"baseline (np.sort of 200,000 floats): {baseline:.2f} ms\n")

        year_from = date(last.year, 1, 1)
        periods = {"6 years (all burglaries)": (first, last), "last year": (year_from, last)}
        app = create_app(Settings(database_url=url, token_cache_seconds=60, pool_min_size=1, pool_max_size=4), run_migrations=False)
        headers = {"Authorization": f"Bearer {token}"}
        print(f"{'period':<26} {'method':<12} {'db load + rank':>15} {'request':>10} {'ratio':>7}")
        async with AsyncTestClient(app=app) as client:
            for label, (p0, p1) in periods.items():
                for method in ("rate", "eb", "near_repeat"):

                    async def direct(m: str = method, a: date = p0, b: date = p1) -> None:
                        await burglaries.priority_areas(conn, KOMMUN, a, b, m)  # type: ignore[arg-type]

                    async def request(m: str = method, a: date = p0, b: date = p1) -> None:
                        response = await client.get(
                            f"/api/v1/priority-areas?kommun={KOMMUN}&from={a}&to={b}&method={m}&limit=100", headers=headers
                        )
                        assert response.status_code == 200, response.text

                    d = await median_ms(direct, runs)
                    r = await median_ms(request, runs)
                    flag = "" if r < 100 else "  over 100 ms"
                    print(f"{label:<26} {method:<12} {d:>12.1f} ms {r:>7.1f} ms {r / baseline:>7.1f}{flag}")

            async def backtest() -> None:
                response = await client.get(
                    f"/api/v1/priority-areas/backtest?kommun={KOMMUN}&train_from={last.year - 1}-01-01"
                    f"&train_to={last.year - 1}-12-31&test_from={last.year}-01-01&test_to={last}&method=eb",
                    headers=headers,
                )
                assert response.status_code == 200, response.text

            b = await median_ms(backtest, runs)
            print(f"\nbacktest route (one yearly fold, eb + naive baseline): {b:.1f} ms ({b / baseline:.1f} × baseline)")
    finally:
        await conn.close()


async def main_async(args: argparse.Namespace) -> None:
    server = os.environ.get("DATABASE_URL")
    tmp = None
    if not server:
        tmp = tempfile.TemporaryDirectory(prefix="gsv-bench-")
        server = start_embedded(Path(tmp.name) / "pgdata")
    name = f"gsv_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f'create database "{name}"')
    await admin.close()
    try:
        await run(with_database(server, name), args.runs, args.seed)
    finally:
        admin = await asyncpg.connect(server)
        await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.close()
        if tmp is not None:  # the server first, then its folder (else it outlives the benchmark)
            stop_embedded(Path(tmp.name) / "pgdata")
            tmp.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2283)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the table
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
