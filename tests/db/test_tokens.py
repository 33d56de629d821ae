from __future__ import annotations

import hashlib

import asyncpg
import pytest

from grannsamverkan.db import tokens
from grannsamverkan.errors import InvalidInput


async def test_only_the_hash_is_stored(conn: asyncpg.Connection) -> None:
    info, token = await tokens.create_token(conn, role="coordinator", kommuner=["2283"], name="sollefteå-samordnare")
    stored = await conn.fetchrow("select token_hash, kommuner from api_token where id = $1", info.id)
    assert stored["token_hash"] == hashlib.sha256(token.encode()).digest()
    dump = await conn.fetchval("select string_agg(t::text, ' ') from api_token t")
    assert token not in dump
    principal = await tokens.principal_for(conn, token)
    assert principal is not None and principal.role == "coordinator" and principal.kommuner == ("2283",)


async def test_revoked_token_no_longer_authenticates(conn: asyncpg.Connection) -> None:
    _info, token = await tokens.create_token(conn, role="police", kommuner=["2505"], name="polis")
    await tokens.revoke_token(conn, "polis")
    assert await tokens.principal_for(conn, token) is None


@pytest.mark.parametrize(
    ("role", "kommuner"),
    [("coordinator", []), ("police", ["9999"]), ("superuser", ["2283"]), ("coordinator", ["228"])],
)
async def test_bad_token_requests_are_refused(conn: asyncpg.Connection, role: str, kommuner: list[str]) -> None:
    with pytest.raises(InvalidInput):
        await tokens.create_token(conn, role=role, kommuner=kommuner, name=None)


async def test_an_unknown_role_lists_the_roles_in_swedish_with_their_codes(conn: asyncpg.Connection) -> None:
    with pytest.raises(InvalidInput) as info:
        await tokens.create_token(conn, role="superuser", kommuner=["2283"], name=None)
    assert info.value.detail == "Okänd roll 'superuser'."
    assert [(e.field, e.code, e.message) for e in info.value.errors] == [
        ("role", "account.role_one_of", "Rollen ska vara en av: administratör (admin), samordnare (coordinator), polis (police).")
    ]  # the code of a role refusal, as for an account (it was a place status's code)
