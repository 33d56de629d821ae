"""The priority page and its map's layer (fetched right after the page) rank the kommun once per
visit, and the layer never shows a ranking older than the burglaries, areas and groups."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from litestar.testing import AsyncTestClient

from grannsamverkan.db import burglaries
from tests.api.test_priority_api import kommun_with_burglaries
from tests.conftest import TokenFactory
from tests.web.test_map_layers import PRIORITY_2024, TABLE_ROW, layers_of_page, of_layer
from tests.web.test_pages import sign_in, token_of


def counted_rankings(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The rankings computed from now on (the kommun, days and method of each), by wrapping the db's
    ranking; it still ranks, so every answer is the real one."""
    calls: list[tuple[Any, ...]] = []
    real = burglaries.priority_areas

    async def counting(conn: Any, kommun: str, *args: Any, **kwargs: Any) -> Any:
        calls.append((kommun, *args))
        return await real(conn, kommun, *args, **kwargs)

    monkeypatch.setattr(burglaries, "priority_areas", counting)
    return calls


class Signed(NamedTuple):
    """A coordinator signed in on the pages of a kommun of four areas with burglaries, and the
    rankings counted from then on."""

    headers: dict[str, str]
    ids: dict[str, int]
    calls: list[tuple[Any, ...]]


@pytest.fixture
async def signed_in(client: AsyncTestClient, auth: TokenFactory, monkeypatch: pytest.MonkeyPatch) -> Signed:
    headers = await auth("coordinator", "2283")
    ids = await kommun_with_burglaries(client, headers)
    await sign_in(client, token_of(headers))
    return Signed(headers, ids, counted_rankings(monkeypatch))


def map_order(features: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """(place, area id) of the ranked areas on the map, by place."""
    ranked = sorted((f["properties"] for f in of_layer(features, "area") if "rank" in f["properties"]), key=lambda p: p["rank"])
    return [(p["rank"], p["id"]) for p in ranked]


def table_order(page: str) -> list[tuple[int, int]]:
    return [(int(rank), int(area_id)) for rank, area_id in TABLE_ROW.findall(page)]


async def layer(client: AsyncTestClient, query: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/prioritering/karta.geojson?{query}")
    assert answer.status_code == 200, answer.text
    return answer.json()["features"]


async def test_a_visit_ranks_once_and_the_map_keeps_the_tables_order(client: AsyncTestClient, signed_in: Signed) -> None:
    ids, calls = signed_in.ids, signed_in.calls

    page, features = await layers_of_page(client, f"/prioritering?{PRIORITY_2024}")
    assert len(calls) == 1, calls
    expected = [(place, ids[ref]) for place, ref in enumerate("cabd", start=1)]  # rate: the hamlet first
    assert table_order(page) == map_order(features) == expected

    # Another method or period is another ranking; the page's own again is not.
    eb = await layer(client, "kommun=2283&metod=eb&fran=2024-01-01&till=2024-12-31")
    autumn = await layer(client, "kommun=2283&metod=rate&fran=2024-06-01&till=2024-12-31")
    assert len(calls) == 3, calls
    assert [i for _, i in map_order(eb)] == [ids[ref] for ref in "acbd"]
    assert map_order(autumn) != expected  # June–December: A's spring burglaries no longer count
    assert map_order(await layer(client, PRIORITY_2024)) == expected
    assert len(calls) == 3, calls


async def test_the_map_after_an_import_or_a_new_group_shows_the_new_ranking(client: AsyncTestClient, signed_in: Signed) -> None:
    headers, ids, calls = signed_in
    page = await client.get(f"/prioritering?{PRIORITY_2024}")
    assert table_order(page.text) == [(place, ids[ref]) for place, ref in enumerate("cabd", start=1)]

    # Between the page and its layer, ten more burglaries in D (100 households): 120 per 1 000
    # households passes A's 80.
    more = "external_ref,occurred_from,occurred_to,category,area_external_ref\n" + "".join(
        f"d-more-{i},2024-10-{i + 1:02d}T12:00,2024-10-{i + 1:02d}T12:00,villa,by-d\n" for i in range(10)
    )
    imported = await client.post(
        "/api/v1/burglaries/import?kommun=2283", content=more.encode(), headers={**headers, "content-type": "text/csv"}
    )
    assert imported.status_code == 200 and imported.json()["inserted"] == 10, imported.text
    after_import = [(place, ids[ref]) for place, ref in enumerate("cdab", start=1)]
    assert map_order(await layer(client, PRIORITY_2024)) == after_import

    # Then an active group in C: C leaves the ranking and is drawn as covered.
    group = {"area_id": ids["c"], "kind": "grannsamverkan", "name": "GSV C", "status": "active", "established_on": "2020-05-01"}
    assert (await client.post("/api/v1/groups", json=group, headers=headers)).status_code == 201
    features = await layer(client, PRIORITY_2024)
    after_group = [(place, ids[ref]) for place, ref in enumerate("dab", start=1)]
    assert map_order(features) == after_group
    assert next(f["properties"]["state"] for f in of_layer(features, "area") if f["properties"]["id"] == ids["c"]) == "covered"
    assert len(calls) == 3, calls

    # The next visit's page shows what its map showed, from the same ranking.
    page = await client.get(f"/prioritering?{PRIORITY_2024}")
    assert table_order(page.text) == after_group
    assert len(calls) == 3, calls
