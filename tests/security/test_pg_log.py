"""Issue 13, item 8: a refused row's personal data never reaches PostgreSQL's log.

Before, the embedded server logged ``Failing row contains (…, street, postcode, city …)`` (the
DETAIL of a constraint violation) and the failing statement. These tests start an embedded server
of their own (whatever server the other tests use), make the database refuse rows that carry
personal data, and read the log file the server wrote.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from grannsamverkan.db.embedded import LOG_SETTINGS_MARKER, server_log, start_embedded, stop_embedded, with_database
from grannsamverkan.db.migrate import migrate


@pytest.fixture(scope="module")
def own_server() -> Iterator[tuple[Path, str]]:
    folder = Path(tempfile.mkdtemp(prefix="grannsamverkan-log-test-"))
    data_dir = folder / "pgdata"
    url = start_embedded(data_dir)
    yield data_dir, url
    stop_embedded(data_dir)
    shutil.rmtree(folder, ignore_errors=True)


def _log_after(data_dir: Path, marker: str) -> str:
    """The log, once the server has written the line with ``marker`` (the log is written by the
    server process, a moment after the client got the error)."""
    deadline = time.monotonic() + 10
    while True:
        text = server_log(data_dir).read_text(encoding="utf-8", errors="replace")
        if marker in text or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


async def _refused_rows(conn: asyncpg.Connection, tag: str) -> dict[str, str]:
    """Rows with personal data that the schema refuses, sent as the application sends them (bind
    parameters), and as a literal statement; answers the values that must not be logged."""
    secrets = {
        "street": f"Hemliggatan {tag}",
        "city": f"Hemligby{tag}",
        "ref": f"fastighet-{tag}",
        "name": f"Greta {tag}",
        "phone": f"070-{tag[:3]}",
    }
    # A check violation: "Failing row contains (…)" in the DETAIL.
    with pytest.raises(asyncpg.CheckViolationError):
        await conn.execute(
            "insert into household (kommun, external_ref, street, postcode, city) values ($1, $2, $3, $4, $5)",
            "2283",
            "x" * 201 + secrets["ref"],
            secrets["street"],
            "880 77",
            secrets["city"],
        )
    # A unique violation: "Key (external_ref, kommun)=(…) already exists" in the DETAIL.
    await conn.execute("insert into household (kommun, external_ref, street) values ('2283', $1, 'Storgatan 1')", secrets["ref"])
    with pytest.raises(asyncpg.UniqueViolationError):
        await conn.execute(
            "insert into household (kommun, external_ref, street) values ('2283', $1, $2)", secrets["ref"], secrets["street"]
        )
    # A contact person too long to store, as a literal statement (the statement text is the leak).
    with pytest.raises(asyncpg.CheckViolationError):
        await conn.execute(
            f"insert into contact_person (group_id, household_id, kommun, name, phone, consent_at) "
            f"values (1, 1, '2283', '{'x' * 201}{secrets['name']}', '{secrets['phone']}', now())"
        )
    return secrets


async def _migrated(url: str) -> str:
    name = f"gsv_log_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(url)
    await admin.execute(f'create database "{name}"')
    await admin.close()
    await migrate(with_database(url, name))
    return with_database(url, name)


async def test_refused_rows_leave_no_personal_data_in_the_server_log(own_server: tuple[Path, str]) -> None:
    data_dir, url = own_server
    conn = await asyncpg.connect(await _migrated(url))
    try:
        assert await conn.fetchval("show log_error_verbosity") == "terse"
        assert await conn.fetchval("show log_min_error_statement") == "panic"
        tag = uuid.uuid4().hex[:12]
        secrets = await _refused_rows(conn, tag)
        await conn.execute("do $$ begin raise log 'end of test %', $1; end $$".replace("$1", f"'{tag}-end'"))
    finally:
        await conn.close()
    log = _log_after(data_dir, f"end of test {tag}-end")
    # The failures are logged (which rule, which table), their values are not.
    assert "violates check constraint" in log and "duplicate key value violates unique constraint" in log
    leaked = [what for what, value in secrets.items() if value in log]
    assert not leaked, f"in the server log: {leaked}"


async def test_the_same_rows_with_postgresqls_defaults_would_be_logged(own_server: tuple[Path, str]) -> None:
    """The check above can fail: with the defaults (for this session) the values are in the log."""
    data_dir, url = own_server
    conn = await asyncpg.connect(await _migrated(url))
    try:
        await conn.execute("set log_error_verbosity = 'default'")  # PostgreSQL's own default, not the server's
        await conn.execute("set log_min_error_statement = 'error'")
        tag = uuid.uuid4().hex[:12]
        secrets = await _refused_rows(conn, tag)
        await conn.execute(f"do $$ begin raise log 'end of test {tag}-end'; end $$")
    finally:
        await conn.close()
    log = _log_after(data_dir, f"end of test {tag}-end")
    assert "Failing row contains" in log
    assert {what for what, value in secrets.items() if value in log} == set(secrets)


async def test_a_data_directory_made_before_the_settings_gets_them(own_server: tuple[Path, str]) -> None:
    data_dir, url = own_server
    conf = data_dir / "postgresql.conf"
    stop_embedded(data_dir)
    text = conf.read_text(encoding="utf-8")
    conf.write_text(text[: text.index(LOG_SETTINGS_MARKER)], encoding="utf-8")  # as an older version left it
    url = start_embedded(data_dir)
    conn = await asyncpg.connect(url)
    try:
        assert await conn.fetchval("show log_error_verbosity") == "terse"
        assert await conn.fetchval("show log_min_error_statement") == "panic"
    finally:
        await conn.close()
    assert conf.read_text(encoding="utf-8").count(LOG_SETTINGS_MARKER) == 1
