"""A hand-made area in SWEREF 99 TM for the tests of a group's life: a 400 × 100 m block with 31
households in a row, 10 m apart, made through the API as a coordinator would."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

# Near Ramsele, SWEREF 99 TM metres
X0, Y0 = 574_000.0, 7_046_000.0
WIDTH, HEIGHT = 400.0, 100.0


def block(name: str = "Kvarteret Linden", kommun: str = "2283", x0: float = X0, y0: float = Y0) -> dict[str, Any]:
    ring = [[x0, y0], [x0 + WIDTH, y0], [x0 + WIDTH, y0 + HEIGHT], [x0, y0 + HEIGHT], [x0, y0]]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"name": name, "kommun": kommun, "kind": "villa"},
    }


def row_csv(n: int, prefix: str = "lind-", x0: float = X0, y0: float = Y0) -> str:
    lines = ["external_ref,street,postcode,city,x,y"]
    lines += [f"{prefix}{i},Lindvägen {i + 1},881 30,Ramsele,{x0 + 10 + 10 * i:.1f},{y0 + 50:.1f}" for i in range(n)]
    return "\n".join(lines) + "\n"


async def village(
    client: AsyncTestClient, headers: dict[str, str], n: int = 31, kommun: str = "2283", name: str = "Kvarteret Linden", x0: float = X0
) -> tuple[int, list[int]]:
    """The block with n households; answers the area id and the household ids in row order."""
    created = await client.post("/api/v1/areas?crs=EPSG:3006", json=block(name, kommun, x0), headers=headers)
    assert created.status_code == 201, created.text
    area_id = created.json()["properties"]["id"]
    imported = await client.post(
        f"/api/v1/households/import?kommun={kommun}",
        content=row_csv(n, f"{name}-", x0).encode(),
        headers={**headers, "content-type": "text/csv"},
    )
    assert imported.json()["assigned"] == n, imported.text
    listed = await client.get(f"/api/v1/areas/{area_id}/households?limit=1000", headers=headers)
    return area_id, [h["id"] for h in sorted(listed.json()["items"], key=lambda h: h["external_ref"].split("-")[-1].zfill(4))]


async def group_with(
    client: AsyncTestClient,
    headers: dict[str, str],
    area_id: int,
    signed: list[int],
    contacts: list[tuple[int, str | None]],
    name: str = "Linden",
) -> int:
    """A forming group with these sign-ups and contact persons (household id, e-mail)."""
    created = await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "grannsamverkan", "name": name}, headers=headers)
    assert created.status_code == 201, created.text
    group_id = created.json()["id"]
    for h in signed:
        assert (await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": h}, headers=headers)).status_code == 201
    for i, (h, email) in enumerate(contacts):
        body: dict[str, Any] = {"household_id": h, "name": f"Kontakt {i + 1}", "phone": "070-123 45 67"}
        if email:
            body["email"] = email
        r = await client.post(f"/api/v1/groups/{group_id}/contacts", json=body, headers=headers)
        assert r.status_code == 201, r.text
    return group_id
