"""Hot path: requests/s of ``GET /api/v1/groups/{id}/eligibility`` against a bare Litestar + asyncpg
single-row lookup, on the same database, server and settings, in the same run.

    python benchmarks/bench_hot_path.py [--seconds 10] [--connections 32] [--workers N]
                                        [--servers uvicorn,granian] [--rounds 3]

Uses DATABASE_URL when set (a server's admin database, e.g. postgresql://postgres@127.0.0.1/postgres),
else an embedded PostgreSQL in a temporary folder. Makes a fresh database with one area of 1,000
households in kommun 2283, a forming group with 700 sign-ups and a contact person, and a
coordinator token. Then, for each ASGI server, starts three servers with ``--workers N`` each
(default: the cores) and measures them with ``wrk`` (apt-get install wrk; falls back to a Python load generator in a
separate process when wrk is missing):

  baseline-asyncpg   a bare Litestar app: GET /baseline/{id} -> one asyncpg fetchrow of the
                     group row, on a pool with asyncpg's defaults (its reset query on release)
  baseline-app-pool  the same app on the project's pool settings (db/pool.py: no reset query)
  app                grannsamverkan: GET /api/v1/groups/{id}/eligibility with the coordinator token

The three servers run side by side and the runs take turns for --rounds rounds. It prints each
target's median round (requests/s, p50), its worst p99 and all its errors, and the ratio
app / baseline per server against both baselines. The goal is judged against the baseline with the app's own pool settings.
Goal: ratio >= 1.0, p99 < 50 ms at 32 connections, 0 errors. The token cache
(GRANNSAMVERKAN_TOKEN_CACHE_SECONDS, default 5 s) is left at its default, as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
RAMSELE = (16.485, 63.535)
KOMMUN = "2283"


# --- the baseline app (imported by the ASGI server in its workers) -----------------------------


BASELINES = {"baseline-asyncpg": "asyncpg", "baseline-app-pool": "app"}


def baseline_app() -> Any:
    """A bare Litestar app: one pooled asyncpg fetchrow per request. BENCH_BASELINE_POOL=app uses the
    project's pool (create_pool), anything else a pool with asyncpg's defaults of the same size."""
    import asyncpg
    from litestar import Litestar, get
    from litestar.datastructures import State

    from grannsamverkan.db.pool import create_pool
    from grannsamverkan.settings import Settings

    settings = Settings.from_env()

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        if os.environ.get("BENCH_BASELINE_POOL") == "app":
            app.state.pool = await create_pool(
                settings.database_url or "", min_size=settings.pool_min_size, max_size=settings.pool_max_size
            )
        else:
            app.state.pool = await asyncpg.create_pool(
                settings.database_url or "", min_size=settings.pool_min_size, max_size=settings.pool_max_size
            )
        try:
            yield
        finally:
            await app.state.pool.close()

    @get("/baseline/{group_id:int}")
    async def baseline(state: State, group_id: int) -> dict[str, Any]:
        async with state.pool.acquire() as conn:
            row = await conn.fetchrow("select id, households_signed_up, status from watch_group where id = $1", group_id)
        return {"group_id": row["id"], "households_signed_up": row["households_signed_up"], "status": row["status"]}

    return Litestar(route_handlers=[baseline], lifespan=[database])


# --- the database --------------------------------------------------------------------------------


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, migrated database on DATABASE_URL's server or on an embedded one; dropped afterwards."""
    import asyncpg

    from grannsamverkan.db.embedded import start_embedded, stop_embedded, with_database
    from grannsamverkan.db.migrate import migrate

    folder = None
    admin_url = os.environ.get("DATABASE_URL")
    if not admin_url:
        folder = Path(tempfile.mkdtemp(prefix="grannsamverkan-bench-pg-"))
        admin_url = start_embedded(folder / "pgdata")
    name = f"gsv_bench_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'create database "{name}"'))
    url = with_database(admin_url, name)
    asyncio.run(migrate(url))
    try:
        yield url
    finally:
        asyncio.run(admin(f'drop database if exists "{name}" with (force)'))
        if folder:
            stop_embedded(folder / "pgdata")
            shutil.rmtree(folder, ignore_errors=True)


@dataclass
class World:
    group_id: int
    area_id: int
    household_ids: list[int]
    signed_up: list[int]
    token: str
    admin_token: str


def _square(center: tuple[float, float], half: float) -> list[list[list[float]]]:
    lon, lat = center
    return [
        [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half], [lon - half, lat - half]]
    ]


def _households_csv(n: int, center: tuple[float, float], spread: float, prefix: str) -> bytes:
    lon, lat = center
    side = int(n**0.5) + 1
    step = 2 * spread / side
    lines = ["external_ref,street,postcode,city,lon,lat"]
    for i in range(n):
        x, y = lon - spread + step * (i % side), lat - spread + step * (i // side)
        lines.append(f"{prefix}{i},Storgatan {i + 1},880 40,Ramsele,{x:.6f},{y:.6f}")
    return ("\n".join(lines) + "\n").encode()


async def seed(url: str, *, households: int = 1000, signups: int = 700, groups: int = 1) -> list[World]:
    """``groups`` areas side by side, each with ``households`` households and a forming group with
    ``signups`` sign-ups and a contact person; made with the project's own db functions."""
    from grannsamverkan.db import areas, tokens
    from grannsamverkan.db import groups as group_db
    from grannsamverkan.db import households as household_db
    from grannsamverkan.db.pool import connect
    from grannsamverkan.domain.access import SYSTEM
    from grannsamverkan.geo.geojson import parse_feature
    from grannsamverkan.services import groups as group_cases

    conn = await connect(url)
    worlds = []
    try:
        _, token = await tokens.create_token(conn, role="coordinator", kommuner=[KOMMUN], name="bench-coordinator")
        _, admin_token = await tokens.create_token(conn, role="admin", kommuner=[], name="bench-admin")
        for g in range(groups):
            center = (RAMSELE[0] + 0.025 * g, RAMSELE[1])
            feature = parse_feature(
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": _square(center, 0.01)},
                    "properties": {"name": f"Bench {g}", "kommun": KOMMUN},
                }
            )
            area_id = await areas.create_area(conn, SYSTEM, feature)
            await household_db.import_households(conn, SYSTEM, KOMMUN, _households_csv(households, center, 0.009, f"b{g}-"))
            ids = [r["id"] for r in await conn.fetch("select id from household where area_id = $1 order by id", area_id)]
            assert len(ids) == households, (len(ids), households)
            group_id = await group_cases.create_group(
                conn, SYSTEM, group_db.GroupInput(area_id=area_id, kind="byavakt", name=f"Byavakt {g}"), date.today()
            )
            for household_id in ids[:signups]:
                await group_cases.sign_up(conn, SYSTEM, group_id, household_id)
            if signups:
                await group_cases.add_contact(conn, SYSTEM, group_id, group_db.ContactInput(household_id=ids[0], name="Kontakt"))
            worlds.append(World(group_id, area_id, ids, ids[:signups], token, admin_token))
    finally:
        await conn.close()
    return worlds


# --- servers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(server: str, target: str, port: int, workers: int) -> list[str]:
    app = "grannsamverkan.app:create_app_from_env" if target == "app" else "bench_hot_path:baseline_app"
    bindir = Path(sys.executable).parent
    if server == "uvicorn":
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--app-dir",
            str(HERE),
        ]
    if server == "granian":
        granian = shutil.which("granian", path=str(bindir)) or "granian"
        return [
            granian,
            "--interface",
            "asgi",
            "--factory",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--loop",
            "uvloop",
            "--no-access-log",
            "--log-level",
            "warning",
            "--working-dir",
            str(HERE),
        ]
    raise ValueError(server)


# The ASGI server that `grannsamverkan serve` runs: the exit code judges the goal on it alone.
SERVED_BY = "uvicorn"

# The process group of each running server, by its base URL (for the CPU accounting).
SERVER_GROUPS: dict[str, int] = {}


@contextmanager
def running(server: str, target: str, url: str, workers: int) -> Iterator[str]:
    import httpx

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        "BENCH_BASELINE_POOL": BASELINES.get(target, ""),
    }
    child = subprocess.Popen(
        server_command(server, target, port, workers), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"{server} {target} exited: {child.stderr.read().decode()[-3000:]}")  # type: ignore[union-attr]
            try:
                httpx.get(base + "/health" if target == "app" else base + "/baseline/0", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        SERVER_GROUPS[base] = child.pid
        yield base
    finally:
        SERVER_GROUPS.pop(base, None)
        os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        child.stderr.close()  # type: ignore[union-attr]


# --- load -----------------------------------------------------------------------------------------


@dataclass
class Result:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    server_cpu_us: float = 0.0  # CPU time per request of the ASGI server's processes
    database_cpu_us: float = 0.0  # and of PostgreSQL's backends for the benchmark database


def _cpu_seconds(*, group: int | None = None, database: str | None = None) -> float:
    """utime + stime of the processes of a process group, or of PostgreSQL backends whose title
    names ``database`` (Linux /proc; 0 elsewhere). CPU per request is steadier than requests/s on
    a machine with other work: it tells which side got cheaper when the rates are within noise."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if group is not None and int(fields[2]) != group:
                continue
            if database is not None and f" {database} " not in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace"
            ):
                continue
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    return total / tick


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, headers: dict[str, str], seconds: float, connections: int, threads: int) -> Result:
    command = ["wrk", "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{int(seconds)}s", "--timeout", "5s"]
    for k, v in headers.items():
        command += ["-H", f"{k}: {v}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(x) for x in m.groups())
    return Result(rps, p50, p99, total, errors)


def python_load(url: str, headers: dict[str, str], seconds: float, connections: int) -> Result:
    """The fallback: an httpx load generator in a separate process (less efficient than wrk)."""
    code = f"""
import asyncio, json, time, httpx
async def main():
    lat, errors = [], 0
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections={connections}), timeout=5) as c:
        end = time.monotonic() + {seconds}
        async def one():
            nonlocal errors
            while time.monotonic() < end:
                t = time.perf_counter()
                try:
                    r = await c.get({url!r}, headers={headers!r})
                    errors += r.status_code >= 400
                except httpx.HTTPError:
                    errors += 1
                lat.append(time.perf_counter() - t)
        await asyncio.gather(*(one() for _ in range({connections})))
    lat.sort()
    print(json.dumps([len(lat), errors, lat[len(lat) // 2], lat[int(len(lat) * 0.99)]]))
asyncio.run(main())
"""
    n, errors, p50, p99 = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    return Result(n / seconds, p50 * 1000, p99 * 1000, n, errors)


def measure(url: str, headers: dict[str, str], seconds: float, connections: int, *, database: str = "") -> Result:
    load = wrk if shutil.which("wrk") else (lambda u, h, s, c, threads: python_load(u, h, s, c))
    load(url, headers, 2, connections, threads=2)  # warm-up: connections, prepared statements, caches
    parts = urlsplit(url)
    group = SERVER_GROUPS.get(f"{parts.scheme}://{parts.netloc}")

    def usage() -> tuple[float, float]:
        return (_cpu_seconds(group=group) if group else 0.0, _cpu_seconds(database=database) if database else 0.0)

    before = usage()
    result = load(url, headers, seconds, connections, threads=2)
    after = usage()
    per_request = 1e6 / max(result.requests, 1)
    result.server_cpu_us = (after[0] - before[0]) * per_request
    result.database_cpu_us = (after[1] - before[1]) * per_request
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--servers", default="uvicorn,granian")
    parser.add_argument("--rounds", type=int, default=3, help="runs per target, taking turns (median reported)")
    args = parser.parse_args()

    servers = [s for s in args.servers.split(",") if s]
    print(
        f"hot path: {args.connections} connections, {args.seconds:.0f} s per run, {args.workers} worker(s), "
        f"{os.cpu_count()} cores, load by {'wrk' if shutil.which('wrk') else 'httpx'}",
        flush=True,
    )
    import httpx

    with fresh_database() as url:
        world = asyncio.run(seed(url))[0]
        headers = {"Authorization": f"Bearer {world.token}"}
        app_path, baseline_path = f"/api/v1/groups/{world.group_id}/eligibility", f"/baseline/{world.group_id}"
        rows = []
        for server in servers:
            # All three servers stay up (an idle one costs nothing) and the runs take turns, round
            # after round, so that a burst of other work on the machine does not land on one target
            # only. Each target's figure is its median round by requests/s.
            with contextlib.ExitStack() as stack:
                bases = {target: stack.enter_context(running(server, target, url, args.workers)) for target in (*BASELINES, "app")}
                answer = httpx.get(bases["app"] + app_path, headers=headers).json()
                assert answer["households_total"] == 1000 and answer["households_signed_up"] == 700, answer
                rounds: dict[str, list[Result]] = {target: [] for target in bases}
                for _ in range(args.rounds):
                    for target, base in bases.items():
                        rounds[target].append(
                            measure(
                                base + (app_path if target == "app" else baseline_path),
                                headers if target == "app" else {},
                                args.seconds,
                                args.connections,
                                database=urlsplit(url).path.lstrip("/"),
                            )
                        )
            results = {}
            for target, runs in rounds.items():
                median = sorted(runs, key=lambda x: x.requests_per_s)[len(runs) // 2]
                r = results[target] = Result(
                    median.requests_per_s,
                    median.p50_ms,
                    max(x.p99_ms for x in runs),
                    sum(x.requests for x in runs),
                    sum(x.errors for x in runs),
                    statistics.median(x.server_cpu_us for x in runs),
                    statistics.median(x.database_cpu_us for x in runs),
                )
                print(
                    f"  {server:<8} {target:<17} {r.requests_per_s:>9.0f} req/s   p50 {r.p50_ms:6.2f} ms   "
                    f"p99 {r.p99_ms:6.2f} ms   errors {r.errors}   CPU/request: server {r.server_cpu_us:5.0f} µs, "
                    f"database {r.database_cpu_us:4.0f} µs   (rounds: {', '.join(f'{x.requests_per_s:.0f}' for x in runs)})",
                    flush=True,
                )
            rows.append((server, results))
        print()
        ok = True
        for server, results in rows:
            app = results["app"]
            print(
                f"{server:<8} ratio app/baseline-asyncpg {app.requests_per_s / results['baseline-asyncpg'].requests_per_s:.2f}x "
                "(a bare lookup on asyncpg's default pool)"
            )
            ratio = app.requests_per_s / results["baseline-app-pool"].requests_per_s
            verdict = ratio >= 1.0 and app.p99_ms < 50 and app.errors == 0
            judged = server == SERVED_BY
            ok = ok and (verdict or not judged)
            print(
                f"{server:<8} ratio app/baseline-app-pool {ratio:.2f}x   app p99 {app.p99_ms:.1f} ms   app errors {app.errors}   "
                f"{'OK' if verdict else 'BELOW GOAL'} (goal >= 1.0x against the same pool settings, p99 < 50 ms, 0 errors)"
                f"{'' if judged else f'; for comparison only, serve runs {SERVED_BY}'}"
            )
        if len(rows) > 1:
            best = max(rows, key=lambda row: row[1]["app"].requests_per_s)
            print(f"fastest server for the app: {best[0]} ({best[1]['app'].requests_per_s:.0f} req/s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
