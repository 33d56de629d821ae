"""The project's own small migrator (sqlx's is the model).

Files ``sql/migrations/NNNN_name.sql`` are applied in order, each in its own transaction, under a
``pg_advisory_lock`` held on a dedicated connection, so two processes migrating at once apply each
file once. A bookkeeping table keeps version, name, sha256 checksum and time; an applied file that
has changed since is refused rather than silently diverging.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import asyncpg
import msgspec

from grannsamverkan.errors import MigrationError
from grannsamverkan.resources import sql_dir

# Any constant works; it only has to be the same in every process of this project.
MIGRATION_LOCK_KEY = 7_226_283_2505
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class Migration(msgspec.Struct, frozen=True):
    version: int
    name: str
    checksum: str
    sql: str


class MigrationState(msgspec.Struct, frozen=True):
    version: int
    name: str
    applied_at: datetime | None
    state: str  # "applied", "pending" or "changed"


def load_migrations(directory: Path | None = None) -> list[Migration]:
    directory = directory or sql_dir() / "migrations"
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError("migration.file_name", name=repr(path.name))
        text = path.read_text(encoding="utf-8")
        checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
        migrations.append(Migration(int(match[1]), match[2], checksum, text))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError("migration.same_version")
    return migrations


CREATE_BOOKKEEPING = """
create table if not exists schema_migration (
    version integer primary key,
    name text not null,
    checksum text not null,
    applied_at timestamptz not null default now()
)
"""

BOOKKEEPING_EXISTS = "select to_regclass('schema_migration') is not null"
LIST_APPLIED = "select version, name, checksum, applied_at from schema_migration"
RECORD_APPLIED = "insert into schema_migration (version, name, checksum) values ($1, $2, $3)"
LOCK = "select pg_advisory_lock($1)"
UNLOCK = "select pg_advisory_unlock($1)"


async def _applied(conn: asyncpg.Connection) -> dict[int, asyncpg.Record]:
    exists = await conn.fetchval(BOOKKEEPING_EXISTS)
    if not exists:
        return {}
    rows = await conn.fetch(LIST_APPLIED)
    return {row["version"]: row for row in rows}


def _check_drift(migrations: list[Migration], applied: dict[int, asyncpg.Record]) -> None:
    for migration in migrations:
        row = applied.get(migration.version)
        if row is not None and row["checksum"] != migration.checksum:
            raise MigrationError("migration.changed", file=f"{migration.version:04d}_{migration.name}.sql")


async def migrate(
    url: str,
    migrations: list[Migration] | None = None,
    on_applied: Callable[[Migration], None] | None = None,
) -> list[Migration]:
    """Apply pending migrations; answer the ones this call applied."""
    migrations = load_migrations() if migrations is None else migrations
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(LOCK, MIGRATION_LOCK_KEY)
        try:
            await conn.execute(CREATE_BOOKKEEPING)
            applied = await _applied(conn)
            _check_drift(migrations, applied)
            done = []
            for migration in migrations:
                if migration.version in applied:
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(RECORD_APPLIED, migration.version, migration.name, migration.checksum)
                done.append(migration)
                if on_applied:
                    on_applied(migration)
            return done
        finally:
            await conn.execute(UNLOCK, MIGRATION_LOCK_KEY)
    finally:
        await conn.close()


async def status(url: str, migrations: list[Migration] | None = None) -> list[MigrationState]:
    migrations = load_migrations() if migrations is None else migrations
    conn = await asyncpg.connect(url)
    try:
        applied = await _applied(conn)
    finally:
        await conn.close()
    states = []
    for migration in migrations:
        row = applied.get(migration.version)
        if row is None:
            states.append(MigrationState(migration.version, migration.name, None, "pending"))
        else:
            state = "applied" if row["checksum"] == migration.checksum else "changed"
            states.append(MigrationState(migration.version, migration.name, row["applied_at"], state))
    return states
