"""The account use cases against the real database: making, listing, disabling and re-passwording
accounts, and signing in (wrong password, unknown name, disabled, scope, rotation)."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest
from argon2 import PasswordHasher

from grannsamverkan.cli import cli_actor
from grannsamverkan.db import sessions
from grannsamverkan.errors import Conflict, InvalidInput, NotFound
from grannsamverkan.services import accounts
from tests.factories import PASSWORD, account

HOURS = 1.0


async def test_only_an_argon2id_hash_is_stored(conn: asyncpg.Connection) -> None:
    account_id = await account(conn, "Åsa@Solleftea.se", "coordinator", "2283", "2505")
    row = await conn.fetchrow("select name, name_key, role, kommuner, password_hash from account where id = $1", account_id)
    assert row["name"] == "Åsa@Solleftea.se" and row["name_key"] == "åsa@solleftea.se"
    assert row["role"] == "coordinator" and row["kommuner"] == ["2283", "2505"]
    assert row["password_hash"].startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    dump = await conn.fetchval("select string_agg(a::text, ' ') from account a")
    assert PASSWORD not in dump
    listed = await accounts.list_accounts(conn)
    assert [a.name for a in listed] == ["Åsa@Solleftea.se"]
    assert "password_hash" not in type(listed[0]).__struct_fields__


async def test_the_audit_trail_has_the_events_and_never_a_password(conn: asyncpg.Connection) -> None:
    account_id = await account(conn, "anna")
    await accounts.change_password(conn, cli_actor(), "anna", "ett-nytt-långt-lösenord")
    await accounts.disable_account(conn, cli_actor(), "ANNA")
    events = await conn.fetch(
        "select actor, action, before::text as before, after::text as after from audit_event where table_name = 'account' and row_id = $1 order by id",
        account_id,
    )
    assert [e["action"] for e in events] == ["insert", "update", "update"]
    assert all(e["actor"].startswith("cli:") for e in events)
    assert '"password_changed_at"' in events[1]["after"] and '"disabled_at"' in events[2]["after"]
    trail = " ".join(f"{e['before']} {e['after']}" for e in events)
    for secret in (PASSWORD, "ett-nytt-långt-lösenord", "argon2", "password_hash"):
        assert secret not in trail
    # Disabling again changes nothing and records nothing.
    await accounts.disable_account(conn, cli_actor(), "anna")
    assert await conn.fetchval("select count(*) from audit_event where table_name = 'account'") == 3


async def test_names_are_unique_regardless_of_case(conn: asyncpg.Connection) -> None:
    await account(conn, "anna@kommun.se")
    with pytest.raises(Conflict) as taken:
        await account(conn, "ANNA@Kommun.se")
    assert "finns redan ett konto" in taken.value.detail and taken.value.errors[0].field == "name"


@pytest.mark.parametrize(
    ("role", "kommuner", "password", "field"),
    [
        ("coordinator", [], PASSWORD, "kommun"),
        ("police", ["9999"], PASSWORD, "kommun"),
        ("superuser", ["2283"], PASSWORD, "role"),
        ("coordinator", ["2283"], "elva-tecken", "password"),
    ],
)
async def test_bad_accounts_are_refused(conn: asyncpg.Connection, role: str, kommuner: list[str], password: str, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        await accounts.create_account(conn, cli_actor(), name="anna", role=role, kommuner=kommuner, password=password)
    assert refused.value.errors[0].field == field
    assert password not in refused.value.detail
    assert await conn.fetchval("select count(*) from account") == 0


async def test_the_right_password_opens_a_session_with_the_accounts_scope(conn: asyncpg.Connection) -> None:
    await account(conn, "polis@polisen.se", "police", "2505")
    signed_in = await accounts.sign_in_with_password(conn, "Polis@Polisen.se", PASSWORD, hours=HOURS)
    assert signed_in is not None
    principal = signed_in.principal
    assert (principal.name, principal.role, principal.kommuner) == ("polis@polisen.se", "police", ("2505",))
    assert principal.sees("2505") and not principal.sees("2283") and not principal.can("read_households")
    assert await sessions.principal_for(conn, signed_in.session) == principal
    assert await conn.fetchval("select account_id is not null and token_id is null from web_session")


async def test_wrong_password_unknown_name_and_disabled_account_all_fail_alike(
    conn: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    await account(conn, "anna")
    await account(conn, "bertil")
    await accounts.disable_account(conn, cli_actor(), "bertil")
    checked: list[str] = []
    verify = accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda stored, password: checked.append(stored) or verify(stored, password))
    attempts = [("anna", "fel-lösenord-här"), ("nobody", PASSWORD), ("bertil", PASSWORD), ("anna", ""), ("anna", "x" * 10_000)]
    for name, password in attempts:
        assert await accounts.sign_in_with_password(conn, name, password, hours=HOURS) is None, name
    # Every attempt paid for one argon2 check: the unknown name against the dummy hash.
    assert len(checked) == len(attempts)
    assert checked[1] == accounts.DUMMY_HASH
    assert await conn.fetchval("select count(*) from web_session") == 0
    assert (await accounts.sign_in_with_password(conn, "anna", PASSWORD, hours=HOURS)) is not None


def test_the_dummy_hash_costs_what_a_real_one_costs() -> None:
    assert not accounts.HASHER.check_needs_rehash(accounts.DUMMY_HASH)
    assert accounts.DUMMY_HASH.startswith("$argon2id$")


async def test_disabling_ends_the_accounts_sessions(conn: asyncpg.Connection) -> None:
    await account(conn, "anna")
    first = await accounts.sign_in_with_password(conn, "anna", PASSWORD, hours=HOURS)
    second = await accounts.sign_in_with_password(conn, "anna", PASSWORD, hours=HOURS)
    assert first and second
    info = await accounts.disable_account(conn, cli_actor(), "anna")
    assert info.disabled_at is not None
    assert await sessions.principal_for(conn, first.session) is None
    assert await sessions.principal_for(conn, second.session) is None
    assert await conn.fetchval("select count(*) from web_session") == 0
    # Even a session left behind (a race with the disabling) answers nobody.
    await conn.execute(sessions.OPEN_FOR_ACCOUNT, b"x" * 32, info.id, timedelta(hours=1))
    assert await conn.fetchval(sessions.FIND_ACTIVE, b"x" * 32) is None
    with pytest.raises(NotFound):
        await accounts.disable_account(conn, cli_actor(), "nobody")


async def test_a_new_password_ends_the_sessions_and_the_old_password(conn: asyncpg.Connection) -> None:
    account_id = await account(conn, "anna")
    before = await accounts.sign_in_with_password(conn, "anna", PASSWORD, hours=HOURS)
    assert before
    with pytest.raises(InvalidInput):
        await accounts.change_password(conn, cli_actor(), "anna", "för-kort")
    info = await accounts.change_password(conn, cli_actor(), str(account_id), "ett-nytt-långt-lösenord")
    assert info.name == "anna"
    assert await sessions.principal_for(conn, before.session) is None
    assert await accounts.sign_in_with_password(conn, "anna", PASSWORD, hours=HOURS) is None
    assert await accounts.sign_in_with_password(conn, "anna", "ett-nytt-långt-lösenord", hours=HOURS) is not None


async def test_signing_in_again_rotates_the_session(conn: asyncpg.Connection) -> None:
    await account(conn, "anna")
    first = await accounts.sign_in_with_password(conn, "anna", PASSWORD, hours=HOURS)
    assert first
    second = await accounts.sign_in_with_password(conn, "anna", PASSWORD, hours=HOURS, replacing=first.session)
    assert second and second.session != first.session
    assert await sessions.principal_for(conn, first.session) is None
    assert await sessions.principal_for(conn, second.session) is not None
    assert await accounts.sign_out(conn, second.session)
    assert await sessions.principal_for(conn, second.session) is None


async def test_a_weaker_hash_is_replaced_at_sign_in(conn: asyncpg.Connection) -> None:
    account_id = await account(conn, "anna")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    await conn.execute("update account set password_hash = $2 where id = $1", account_id, weak)
    assert await accounts.sign_in_with_password(conn, "anna", PASSWORD, hours=HOURS)
    stored = await conn.fetchval("select password_hash from account where id = $1", account_id)
    assert stored != weak and not accounts.HASHER.check_needs_rehash(stored)
    assert await accounts.sign_in_with_password(conn, "anna", PASSWORD, hours=HOURS)


async def test_a_session_has_exactly_one_owner(conn: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        await conn.execute("insert into web_session (session_hash, expires_at) values ('\\x01', now())")
