"""``grannsamverkan accounts create|list|disable|password``: Swedish lines, the password read from
standard input or asked twice, never printed; the demo's coordinator account."""

from __future__ import annotations

import asyncio
import io
import json
import re
import sys

import asyncpg
import pytest

from grannsamverkan.cli import main
from grannsamverkan.domain.access import SYSTEM
from grannsamverkan.services import accounts
from grannsamverkan.services.demo import demo_account

PASSWORD = "ett-långt-lösenord"


async def run(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return await asyncio.to_thread(main, list(argv))


@pytest.fixture(autouse=True)
def _database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)


async def test_create_list_disable_and_a_new_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], conn: asyncpg.Connection
) -> None:
    create = ("accounts", "create", "--name", "anna@solleftea.se", "--role", "coordinator", "--kommun", "2283", "--password-stdin")
    assert await run(monkeypatch, *create, stdin=PASSWORD + "\n") == 0
    out = capsys.readouterr().out
    assert re.fullmatch(r"skapade kontot 'anna@solleftea.se' \(nr \d+, roll coordinator, 2283\)\n", out), out
    assert await accounts.sign_in_with_password(conn, "anna@solleftea.se", PASSWORD, hours=1)

    assert await run(monkeypatch, "accounts", "create", "--name", "admin", "--role", "admin", "--password-stdin", stdin=PASSWORD) == 0
    assert "alla kommuner" in capsys.readouterr().out
    assert await run(monkeypatch, "accounts", "list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and "anna@solleftea.se" in listed[1] and listed[1].endswith("aktivt")
    assert await run(monkeypatch, "accounts", "list", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in rows} == {"admin", "anna@solleftea.se"} and all("password_hash" not in r for r in rows)

    new = "ett-annat-långt-lösenord"
    assert await run(monkeypatch, "accounts", "password", "Anna@Solleftea.se", "--password-stdin", stdin=new + "\n") == 0
    assert "har ett nytt lösenord" in capsys.readouterr().out
    assert await accounts.sign_in_with_password(conn, "anna@solleftea.se", PASSWORD, hours=1) is None
    assert await accounts.sign_in_with_password(conn, "anna@solleftea.se", new, hours=1)

    assert await run(monkeypatch, "accounts", "disable", "anna@solleftea.se") == 0
    assert "är avstängt" in capsys.readouterr().out
    assert await accounts.sign_in_with_password(conn, "anna@solleftea.se", new, hours=1) is None
    assert await run(monkeypatch, "accounts", "list") == 0
    assert "avstängt 20" in capsys.readouterr().out

    # Enabled again: the same password works, the audit trail has both changes.
    assert await run(monkeypatch, "accounts", "enable", "anna@solleftea.se") == 0
    assert "kan logga in igen" in capsys.readouterr().out
    assert await accounts.sign_in_with_password(conn, "anna@solleftea.se", new, hours=1)
    changes = await conn.fetch("select before, after from audit_event where table_name = 'account' and action = 'update' order by id")
    assert [c["after"]["disabled_at"] is None for c in changes[-2:]] == [False, True]


async def test_bad_input_says_what_in_swedish_and_never_echoes_the_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], conn: asyncpg.Connection
) -> None:
    short = "kort-lösen"
    argv = ("accounts", "create", "--name", "anna", "--role", "coordinator", "--kommun", "2283", "--password-stdin")
    assert await run(monkeypatch, *argv, stdin=short) == 2
    done = capsys.readouterr()
    assert "minst 12 tecken" in done.err and short not in done.err + done.out
    assert await run(monkeypatch, "accounts", "create", "--name", "anna", "--role", "police", "--password-stdin", stdin=PASSWORD) == 2
    assert "minst en kommun" in capsys.readouterr().err
    assert await run(monkeypatch, "accounts", "disable", "nobody") == 2
    assert "inget konto" in capsys.readouterr().err
    assert await conn.fetchval("select count(*) from account") == 0
    # Asked twice at the terminal: two different answers make no account.
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert await run(monkeypatch, "accounts", "create", "--name", "anna", "--role", "coordinator", "--kommun", "2283") == 2
    assert "Lösenorden är inte lika" in capsys.readouterr().err
    answers = iter([PASSWORD, PASSWORD])
    assert await run(monkeypatch, "accounts", "create", "--name", "anna", "--role", "coordinator", "--kommun", "2283") == 0
    assert await conn.fetchval("select count(*) from account") == 1


async def test_the_demo_account_gets_a_new_password_on_every_run(conn: asyncpg.Connection) -> None:
    """(The demo command prints them: tests/cli/test_cli.py, test_demo_data_loads_twice_without_change.)"""
    first = await demo_account(conn, SYSTEM, ["2283", "2505"])
    again = await demo_account(conn, SYSTEM, ["2283", "2505"])
    assert first[0] == again[0] == "demo-samordnare" and first[1] != again[1] and len(again[1]) >= 12
    assert await accounts.sign_in_with_password(conn, *first, hours=1) is None
    signed_in = await accounts.sign_in_with_password(conn, *again, hours=1)
    assert signed_in and signed_in.principal.role == "coordinator" and signed_in.principal.kommuner == ("2283", "2505")
