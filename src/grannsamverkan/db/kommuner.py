"""The reference table of Sweden's 290 kommuner."""

from __future__ import annotations

import asyncpg
import msgspec

from grannsamverkan.errors import FieldError, InvalidInput


class Kommun(msgspec.Struct, frozen=True):
    code: str
    name: str
    lan_code: str


LIST_KOMMUNER = "select code, name, lan_code from kommun order by code"
GET_KOMMUN = "select code, name, lan_code from kommun where code = $1"
KNOWN_CODES = "select code from kommun where code = any($1::text[])"


async def list_kommuner(conn: asyncpg.Connection) -> list[Kommun]:
    rows = await conn.fetch(LIST_KOMMUNER)
    return [Kommun(r["code"], r["name"], r["lan_code"]) for r in rows]


async def get_kommun(conn: asyncpg.Connection, code: str) -> Kommun:
    await require_known(conn, [code])
    row = await conn.fetchrow(GET_KOMMUN, code)
    return Kommun(row["code"], row["name"], row["lan_code"])


async def require_known(conn: asyncpg.Connection, codes: list[str], *, field: str = "kommun") -> None:
    """422 for any code that is not one of SCB's kommun codes."""
    if not codes:
        return
    known = {r["code"] for r in await conn.fetch(KNOWN_CODES, codes)}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput(
            "kommun.unknown_codes",
            [FieldError.of(field, "kommun.unknown_code", code=repr(c)) for c in unknown],
            codes=", ".join(map(repr, unknown)),
        )
