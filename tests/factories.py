"""Test data with sensible defaults, built the way the product builds it (through the db layer or
the API), so every test file asks for an area, a group or a village the same way.

    area_id = await area(conn, "Ramsele", "2283", RAMSELE)
    group_id = await group(conn, area_id)
    area_id, household_ids = await api_village(client, headers, n=10)
"""

from __future__ import annotations

from datetime import date

import asyncpg
from litestar.testing import AsyncTestClient

from grannsamverkan.cli import cli_actor
from grannsamverkan.db import areas, groups
from grannsamverkan.geo.geojson import parse_feature
from grannsamverkan.services import groups as group_cases
from tests.geodata import (
    ARVIDSJAUR,
    RAMSELE,
    SOLLEFTEA,
    area_feature,
    grid_points,
    households_csv,
)

TODAY = date(2026, 11, 23)

#: Two areas in Sollefteå and one in Arvidsjaur, far apart: (name, kommun, centre).
THREE_AREAS = (("Centrum", "2283", SOLLEFTEA), ("Ramsele", "2283", RAMSELE), ("By", "2505", ARVIDSJAUR))


async def area(conn: asyncpg.Connection, name: str = "Ramsele", kommun: str = "2283", centre: tuple[float, float] = RAMSELE) -> int:
    """A square area around ``centre`` created as a coordinator would; answers its id."""
    return await areas.create_area(conn, cli_actor(), parse_feature(area_feature(name, kommun, centre)))


async def three_areas(conn: asyncpg.Connection) -> list[int]:
    return [await area(conn, name, kommun, centre) for name, kommun, centre in THREE_AREAS]


async def group(
    conn: asyncpg.Connection, area_id: int, name: str = "Grannsamverkan", *, kind: str = "grannsamverkan", today: date = TODAY
) -> int:
    """A forming group in ``area_id``; answers its id."""
    return await group_cases.create_group(conn, cli_actor(), groups.GroupInput(area_id=area_id, kind=kind, name=name), today)


async def api_village(
    client: AsyncTestClient, headers: dict[str, str], n: int = 10, kommun: str = "2283", center: tuple[float, float] = RAMSELE
) -> tuple[int, list[int]]:
    """An area with n households in it, made through the API; answers the area id and the household ids."""
    created = await client.post("/api/v1/areas", json=area_feature("Ramsele", kommun, center), headers=headers)
    area_id = created.json()["properties"]["id"]
    csv = households_csv(f"r{kommun}-", grid_points(center, n))
    imported = await client.post(
        f"/api/v1/households/import?kommun={kommun}", content=csv.encode(), headers={**headers, "content-type": "text/csv"}
    )
    assert imported.json()["assigned"] == n, imported.text
    listed = await client.get(f"/api/v1/areas/{area_id}/households?limit=1000", headers=headers)
    return area_id, [h["id"] for h in listed.json()["items"]]


#: The password the factories' accounts get (at least 12 characters, like every password).
PASSWORD = "rätt-häst-batteri"


async def account(
    conn: asyncpg.Connection, name: str = "samordnare@solleftea.se", role: str = "coordinator", *kommuner: str, password: str = PASSWORD
) -> int:
    """A personal account made as the command line makes it (``kommuner`` default: Sollefteå for a
    coordinator or police account); answers its id."""
    from grannsamverkan.services import accounts

    scope = list(kommuner) or ([] if role == "admin" else ["2283"])
    info = await accounts.create_account(conn, cli_actor(), name=name, role=role, kommuner=scope, password=password)
    return info.id
