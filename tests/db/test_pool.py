"""The pool gives connections back without asyncpg's reset query (db/pool.py): a released
connection must still come back clean for everything our code does with one."""

from __future__ import annotations

import asyncio
import re
from importlib import resources
from typing import Any

import asyncpg
import pytest

from grannsamverkan.db.pool import create_pool


async def test_a_connection_comes_back_clean(database_url: str) -> None:
    # One connection only, so the second acquire gets the same server session back.
    pool = await create_pool(database_url, min_size=1, max_size=1)
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    previous_handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        async with pool.acquire() as conn:
            pid = await conn.fetchval("select pg_backend_pid()")
            # What a request cut off in the middle of a transaction leaves behind.
            await conn.execute("begin")
            await conn.execute("set local statement_timeout = '1234ms'")
            await conn.execute("select pg_advisory_xact_lock(hashtext('area:2283'))")
            await conn.execute("create temp table staging_probe (x int) on commit drop")
            await conn.execute("insert into kommun (code, name, lan_code) values ('0001', 'Provkommun', '00')")
            assert conn.is_in_transaction()

        async with pool.acquire() as conn:
            assert await conn.fetchval("select pg_backend_pid()") == pid
            assert not conn.is_in_transaction()
            assert await conn.fetchval("show statement_timeout") == "0"
            assert await conn.fetchval("select count(*) from pg_locks where pid = pg_backend_pid() and locktype = 'advisory'") == 0
            assert await conn.fetchval("select to_regclass('pg_temp.staging_probe')") is None
            # The row written in the open transaction was rolled back, not committed.
            assert await conn.fetchval("select count(*) from kommun where code = '0001'") == 0
            # The codecs set up by the pool's init stay.
            assert await conn.fetchval("select '{\"a\": 1}'::jsonb") == {"a": 1}
    finally:
        loop.set_exception_handler(previous_handler)
        await pool.close()
    # asyncpg rolled the open transaction back itself, and said so.
    assert [c["message"] for c in reported if "active transaction" in c["message"]], reported


async def test_a_failed_statement_in_a_transaction_leaves_nothing_behind(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            with pytest.raises(asyncpg.DivisionByZeroError):
                async with conn.transaction():
                    await conn.execute("select pg_advisory_xact_lock(1)")
                    await conn.execute("select 1 / 0")
        async with pool.acquire() as conn:
            assert not conn.is_in_transaction()
            assert await conn.fetchval("select 1") == 1
            assert await conn.fetchval("select count(*) from pg_locks where pid = pg_backend_pid() and locktype = 'advisory'") == 0
    finally:
        await pool.close()


# What the default reset query would undo, written so that the pool never has to.
SESSION_STATE = [
    # A SQL string that starts with SET (an UPDATE's SET clause never does).
    (re.compile(r"[\"']\s*set\s+(?!local\b)(session\s+)?[a-z_.]+\s*(=|to)\s", re.I), "a session-level SET (use SET LOCAL)"),
    (re.compile(r"set_config\([^)]*false\s*\)", re.I), "a session-level set_config"),
    (re.compile(r"[\"']\s*listen\s", re.I), "LISTEN"),
    (re.compile(r"pg_advisory_lock(_shared)?\s*\(", re.I), "a session advisory lock"),
    (re.compile(r"\bdeclare\b.*\bcursor\b.*\bwith\s+hold\b", re.I), "a cursor WITH HOLD"),
    (re.compile(r"\.add_listener\(", re.I), "add_listener"),
]
# The migrator holds its lock, and the notification listener listens, on a connection of its own,
# never on a pooled one.
OWN_CONNECTION = {"migrate.py", "notify.py"}


def test_the_db_modules_leave_no_session_state_on_pooled_connections() -> None:
    found = []
    for module in resources.files("grannsamverkan.db").iterdir():
        if not module.name.endswith(".py") or module.name in OWN_CONNECTION:
            continue
        text = module.read_text(encoding="utf-8")
        found += [f"{module.name}: {why}" for pattern, why in SESSION_STATE if pattern.search(text)]
        # Temporary tables must go with their transaction.
        for start in re.finditer(r"create\s+temp(?:orary)?\s+table", text, re.I):
            statement = text[start.start() :].split('"""')[0].split("\n\n")[0]
            if not re.search(r"on\s+commit\s+drop", statement, re.I):
                found.append(f"{module.name}: a temporary table that outlives its transaction")
    assert not found, found
