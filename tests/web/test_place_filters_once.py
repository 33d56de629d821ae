"""The places list and its map read the list's filters through one declaration: the same query
string shows the same reports in the list's table and on its map."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import TokenFactory
from tests.geodata import RAMSELE
from tests.web.test_map_layers import layers_of_page, of_layer
from tests.web.test_pages import sign_in, token_of

TABLE_ROW = re.compile(r'<tr><td><a href="/platser/(\d+)">\1</a></td>')


async def report(
    client: AsyncTestClient, headers: dict[str, str], n: int, *, publish: bool = True, status: str = "in_progress", **fields: Any
) -> int:
    """A report of the kommun at its own point near Ramsele, published and moved to ``status``
    unless told otherwise."""
    body = {
        "kommun": "2283",
        "category": "belysning",
        "what": f"Mörk gångväg {n}",
        "location": {"type": "Point", "coordinates": [RAMSELE[0] + n * 0.002, RAMSELE[1]]},
        **fields,
    }
    made = await client.post("/api/v1/places", json=body, headers=headers)
    assert made.status_code == 201, made.text
    report_id: int = made.json()["id"]
    if publish:
        assert (await client.post(f"/api/v1/places/{report_id}/publish", headers=headers)).status_code == 200
        moved = await client.post(f"/api/v1/places/{report_id}/status", json={"status": status}, headers=headers)
        assert moved.status_code == 200, moved.text
    return report_id


async def list_and_map(client: AsyncTestClient, query: str) -> tuple[list[int], list[int]]:
    """The reports in the list's table, and those on the map the page links to."""
    page, features = await layers_of_page(client, f"/platser?{query}")
    listed = sorted(int(i) for i in TABLE_ROW.findall(page))
    mapped = sorted(int(f["properties"]["href"].removeprefix("/platser/")) for f in of_layer(features, "place"))
    return listed, mapped


async def test_the_list_and_its_map_show_the_same_reports_for_the_same_filters(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    wanted = [await report(client, headers, 1), await report(client, headers, 2)]
    others = [
        await report(client, headers, 3, publish=False),  # pending and open
        await report(client, headers, 4, category="trafik"),
        await report(client, headers, 5, feeling="trygg"),
        await report(client, headers, 6, source="open311"),
        await report(client, headers, 7, status="fixed"),
    ]
    await sign_in(client, token_of(headers))

    everything = await list_and_map(client, "kommun=2283")
    assert everything == (sorted(wanted + others), sorted(wanted + others))
    query = (
        "kommun=2283&kategori=belysning&upplevelse=otrygg&status=in_progress&granskning=published&kalla=trygghetsvandring&fran=2020-01-01"
    )
    assert await list_and_map(client, query) == (sorted(wanted), sorted(wanted))
    # A choice the list does not know is no filter, in the list and on the map alike.
    assert await list_and_map(client, "kommun=2283&kategori=belysning&upplevelse=otrygg&status=bogus") == (
        sorted([*wanted, others[0], others[3], others[4]]),
        sorted([*wanted, others[0], others[3], others[4]]),
    )
