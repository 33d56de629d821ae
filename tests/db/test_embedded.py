"""The embedded server: what a new data directory is set up with."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import asyncpg

from grannsamverkan.db.embedded import start_embedded, stop_embedded


async def test_a_new_embedded_server_keeps_only_the_wal_crash_recovery_needs() -> None:
    # Its own data directory, whatever server the other tests use.
    folder = Path(tempfile.mkdtemp(prefix="grannsamverkan-test-embedded-"))
    try:
        conn = await asyncpg.connect(start_embedded(folder / "pgdata"))
        try:
            assert await conn.fetchval("show wal_level") == "minimal"
            assert await conn.fetchval("show max_wal_senders") == "0"
            assert await conn.fetchval("show fsync") == "on"  # commits stay durable
        finally:
            await conn.close()
    finally:
        stop_embedded(folder / "pgdata")
        shutil.rmtree(folder, ignore_errors=True)


async def test_the_server_is_a_version_the_readme_promises(conn: asyncpg.Connection) -> None:
    """README: PostgreSQL 15 or newer; CI runs 15 (external), 16 and 18 (embedded)."""
    version = int(await conn.fetchval("show server_version_num")) // 10_000
    assert version >= 15
    asked = os.environ.get("TEST_EMBEDDED_PG_VERSION")
    if asked and not os.environ.get("TEST_DATABASE_URL"):
        assert version == int(asked)
