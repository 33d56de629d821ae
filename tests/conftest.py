"""Real PostgreSQL for every database test.

TEST_DATABASE_URL (a server's admin database, e.g. postgresql://postgres@127.0.0.1:5432/postgres)
selects an external server; otherwise an embedded server is started in a temporary folder.
The migrations run once into a template database; each test gets ``CREATE DATABASE … TEMPLATE``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
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
    yield start_embedded(folder / "pgdata", int(version) if version else None)
    stop_embedded(folder / "pgdata")
    shutil.rmtree(folder, ignore_errors=True)


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


@pytest.fixture
async def database_url(server_url: str, template_name: str) -> AsyncIterator[str]:
    name = f"gsv_test_{uuid.uuid4().hex[:12]}"
    admin = await _admin(server_url)
    await admin.execute(f'create database "{name}" template "{template_name}"')
    await admin.close()
    yield with_database(server_url, name)
    admin = await _admin(server_url)
    await admin.execute(f'drop database if exists "{name}" with (force)')
    await admin.close()


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


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    app = create_app(settings, run_migrations=False)
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
