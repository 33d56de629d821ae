"""Burglaries and priority areas over HTTP: imports, listing, the hand-checked ranking, scoping
and the backtest."""

from __future__ import annotations

import json
import math
from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import TokenFactory, assert_problem
from tests.geodata import SOLLEFTEA, area_feature, grid_points, households_csv

# Five areas in a row along Sollefteå, 0.01° (≈ 500 m) apart: four with 100 households, and a
# hamlet with 2.
LON, LAT = SOLLEFTEA
CENTRES = {"a": (LON, LAT), "b": (LON + 0.01, LAT), "d": (LON + 0.02, LAT), "e": (LON + 0.03, LAT), "c": (LON + 0.04, LAT)}
HOUSEHOLDS = {"a": 100, "b": 100, "d": 100, "e": 100, "c": 2}

# 15 burglaries in 2024, known times, given by area reference.
BURGLARY_DAYS = {
    "a": ["2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01", "2024-07-01", "2024-08-01", "2024-09-01", "2024-09-15"],
    "b": ["2024-12-01", "2024-12-20"],
    "d": ["2024-03-15", "2024-08-15"],
    "e": ["2024-04-10", "2024-10-10"],
    "c": ["2024-05-05"],
}
ITEM_FIELDS = {
    "rank",
    "area_id",
    "name",
    "kommun",
    "households",
    "burglaries",
    "rate_per_1000",
    "rate_ci_low",
    "rate_ci_high",
    "eb_rate_per_1000",
    "near_repeat_score",
    "has_active_group",
    "score",
}


def burglary_csv() -> str:
    lines = ["external_ref,occurred_from,occurred_to,category,area_external_ref"]
    for ref, days in BURGLARY_DAYS.items():
        for i, day in enumerate(days):
            lines.append(f"{ref}-{i},{day}T12:00,{day}T12:00,villa,by-{ref}")
    return "\n".join(lines) + "\n"


async def kommun_with_burglaries(client: AsyncTestClient, headers: dict[str, str]) -> dict[str, int]:
    """The five areas with their households and burglaries; area E has an active group."""
    collection = {
        "type": "FeatureCollection",
        "features": [area_feature(f"By {ref.upper()}", "2283", centre, external_ref=f"by-{ref}") for ref, centre in CENTRES.items()],
    }
    response = await client.post("/api/v1/areas/import", json=collection, headers=headers)
    assert response.status_code == 200, response.text
    listed = (await client.get("/api/v1/areas?kommun=2283", headers=headers)).json()["features"]
    ids = {f["properties"]["external_ref"].removeprefix("by-"): f["properties"]["id"] for f in listed}
    csv = "external_ref,street,postcode,city,lon,lat\n" + "".join(
        households_csv(f"h{ref}-", grid_points(CENTRES[ref], n)).split("\n", 1)[1] for ref, n in HOUSEHOLDS.items()
    )
    response = await client.post(
        "/api/v1/households/import?kommun=2283", content=csv.encode(), headers={**headers, "content-type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["assigned"] == 402
    response = await client.post(
        "/api/v1/burglaries/import?kommun=2283", content=burglary_csv().encode(), headers={**headers, "content-type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"inserted": 15, "updated": 0, "unchanged": 0, "skipped": 0, "assigned": 15, "unassigned": 0}
    group = {"area_id": ids["e"], "kind": "grannsamverkan", "name": "GSV E", "status": "active", "established_on": "2019-05-01"}
    assert (await client.post("/api/v1/groups", json=group, headers=headers)).status_code == 201
    return ids


def marshall_eb(k: dict[str, int], n: dict[str, int]) -> dict[str, float]:
    """Marshall's (1991) global EB rate per 1,000 households, written out by hand."""
    total_n = sum(n.values())
    m = sum(k.values()) / total_n
    s2 = sum(n[i] * (k[i] / n[i] - m) ** 2 for i in n) / total_n
    a = s2 - m / (total_n / len(n))
    assert a > 0
    return {i: 1000 * ((a / (a + m / n[i])) * k[i] / n[i] + (1 - a / (a + m / n[i])) * m) for i in n}


async def test_rate_tops_the_hamlet_but_eb_does_not(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    ids = await kommun_with_burglaries(client, headers)
    name_of = {v: k for k, v in ids.items()}
    period = "kommun=2283&from=2024-01-01&to=2024-12-31"

    rate = (await client.get(f"/api/v1/priority-areas?{period}&method=rate", headers=headers)).json()
    assert rate["total"] == 4  # E has an active group
    assert [name_of[i["area_id"]] for i in rate["items"]] == ["c", "a", "b", "d"]
    top = rate["items"][0]
    assert set(top) == ITEM_FIELDS
    assert (top["rank"], top["households"], top["burglaries"], top["has_active_group"]) == (1, 2, 1.0, False)
    assert top["rate_per_1000"] == 500.0 and top["score"] == 500.0
    # k = 1: the exact 95 % interval is [-ln(0.975), chi2(0.975; 4)/2] = [0.025318, 5.571643] burglaries
    assert math.isclose(top["rate_ci_low"], -math.log(0.975) * 500, rel_tol=1e-6)
    assert math.isclose(top["rate_ci_high"], 5.571643 * 500, rel_tol=1e-6)
    assert math.isclose(rate["items"][1]["rate_per_1000"], 80.0)

    eb = (await client.get(f"/api/v1/priority-areas?{period}&method=eb", headers=headers)).json()
    counts = {ref: len(days) for ref, days in BURGLARY_DAYS.items()}
    expected = marshall_eb(counts, HOUSEHOLDS)  # a ≈ 70.35, c ≈ 66.97, b = d = e ≈ 23.91
    assert [name_of[i["area_id"]] for i in eb["items"]] == ["a", "c", "b", "d"]
    for item in eb["items"]:
        assert math.isclose(item["eb_rate_per_1000"], expected[name_of[item["area_id"]]], rel_tol=1e-9)
        assert item["score"] == item["eb_rate_per_1000"]
    assert math.isclose(expected["a"], 70.353047, rel_tol=1e-6) and math.isclose(expected["c"], 66.974596, rel_tol=1e-6)

    # near_repeat at the end of 2024: only B's burglaries of 1 and 20 December are younger than
    # 8 weeks: (1 − 30.5/56) + (1 − 11.5/56) = 1.25, all in B's own area.
    near = (await client.get(f"/api/v1/priority-areas?{period}&method=near_repeat", headers=headers)).json()
    assert name_of[near["items"][0]["area_id"]] == "b"
    assert math.isclose(near["items"][0]["near_repeat_score"], 1.25, rel_tol=1e-9)
    assert all(i["near_repeat_score"] == 0 for i in near["items"][1:])
    wider = (await client.get(f"/api/v1/priority-areas?{period}&method=near_repeat&window_days=112", headers=headers)).json()
    assert math.isclose(wider["items"][0]["near_repeat_score"], (1 - 30.5 / 112) + (1 - 11.5 / 112), rel_tol=1e-9)

    covered = (await client.get(f"/api/v1/priority-areas?{period}&method=eb&include_covered=true", headers=headers)).json()
    assert covered["total"] == 5
    e_item = next(i for i in covered["items"] if i["area_id"] == ids["e"])
    assert e_item["has_active_group"] is True
    # Covered areas inform the EB mean either way: the same numbers with and without them.
    assert {i["area_id"]: i["eb_rate_per_1000"] for i in covered["items"] if i["area_id"] != ids["e"]} == {
        i["area_id"]: i["eb_rate_per_1000"] for i in eb["items"]
    }

    limited = (await client.get(f"/api/v1/priority-areas?{period}&method=rate&limit=2&offset=1", headers=headers)).json()
    assert [i["rank"] for i in limited["items"]] == [2, 3] and limited["total"] == 4

    # Default period: the year up to today, which holds none of 2024's burglaries.
    default = (await client.get("/api/v1/priority-areas?kommun=2283", headers=headers)).json()
    assert default["total"] == 4 and all(i["burglaries"] == 0 for i in default["items"])


async def test_kommun_scope_of_priority_areas(client: AsyncTestClient, auth: TokenFactory) -> None:
    coordinator = await auth("coordinator", "2283")
    await kommun_with_burglaries(client, coordinator)
    police = await auth("police", "2283")
    response = await client.get("/api/v1/priority-areas?kommun=2283&from=2024-01-01&to=2024-12-31", headers=police)
    assert response.status_code == 200 and response.json()["total"] == 4
    assert (await client.get("/api/v1/burglaries?kommun=2283", headers=police)).json()["total"] == 15

    arvidsjaur = await auth("coordinator", "2505")
    body = assert_problem(await client.get("/api/v1/priority-areas?kommun=2283", headers=arvidsjaur), 404)
    assert "2283" in body["detail"]
    assert_problem(await client.get("/api/v1/priority-areas/backtest?kommun=2283", headers=arvidsjaur), 404)
    assert (await client.get("/api/v1/burglaries?kommun=2283", headers=arvidsjaur)).json() == {"items": [], "total": 0}
    assert_problem(await client.get("/api/v1/priority-areas?kommun=9999", headers=await auth("admin")), 422)
    response = await client.get("/api/v1/priority-areas", headers=coordinator)
    assert response.status_code in (400, 422)
    assert_problem(await client.get("/api/v1/priority-areas?kommun=2283&method=hunch", headers=coordinator), 422)
    assert_problem(await client.get("/api/v1/priority-areas?kommun=2283&from=2024-12-31&to=2024-01-01", headers=coordinator), 422)

    # Writes: police never, other kommuner's coordinators never.
    csv = burglary_csv().encode()
    assert_problem(
        await client.post("/api/v1/burglaries/import?kommun=2283", content=csv, headers={**police, "content-type": "text/csv"}), 403
    )
    assert_problem(
        await client.post("/api/v1/burglaries/import?kommun=2283", content=csv, headers={**arvidsjaur, "content-type": "text/csv"}), 403
    )


async def test_backtest_answers_the_documented_fields(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("police", "2283")
    await kommun_with_burglaries(client, await auth("coordinator", "2283"))
    periods = "kommun=2283&train_from=2024-01-01&train_to=2024-06-30&test_from=2024-07-01&test_to=2024-12-31"
    response = await client.get(f"/api/v1/priority-areas/backtest?{periods}&method=rate&coverage=0.2", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"method", "coverage", "hit_rate", "pai", "households_share", "burglaries_test"} <= set(body)
    # Training counts A 4, D 1, E 1, C 1, B 0; test counts A 4, B 2, D 1, E 1, C 0 (8).
    # rate flags the hamlet C (500) and A (40): 102 of 402 households, 4 of 8 test burglaries.
    assert body["method"] == "rate" and body["coverage"] == 0.2 and body["burglaries_test"] == 8.0
    assert math.isclose(body["households_share"], 102 / 402) and body["hit_rate"] == 0.5
    assert math.isclose(body["pai"], 0.5 / (102 / 402))
    # naive flags A alone (4 training burglaries): 100 of 402 households, 4 of 8.
    baseline = body["baseline"]
    assert baseline["method"] == "naive" and math.isclose(baseline["households_share"], 100 / 402)
    assert math.isclose(baseline["pai"], 0.5 / (100 / 402))
    assert (body["train_from"], body["test_to"]) == ("2024-01-01", "2024-12-31")

    default = (await client.get("/api/v1/priority-areas/backtest?kommun=2283", headers=headers)).json()
    assert default["method"] == "eb" and default["coverage"] == 0.1 and default["burglaries_test"] == 0.0
    assert_problem(await client.get(f"/api/v1/priority-areas/backtest?{periods}&coverage=1.5", headers=headers), 422)


async def test_import_and_list_over_http(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    ids = await kommun_with_burglaries(client, headers)
    bad = burglary_csv() + "x-1,2024-13-01,,villa,by-a\n"
    body = assert_problem(
        await client.post("/api/v1/burglaries/import?kommun=2283", content=bad.encode(), headers={**headers, "content-type": "text/csv"}),
        422,
    )
    assert body["errors"][0]["line"] == 17 and "2024-13-01" in body["errors"][0]["message"]
    unknown = burglary_csv() + "x-1,2024-03-01,,villa,by-okand\n"
    body = assert_problem(
        await client.post(
            "/api/v1/burglaries/import?kommun=2283", content=unknown.encode(), headers={**headers, "content-type": "text/csv"}
        ),
        422,
    )
    assert body["errors"][0]["line"] == 17 and "by-okand" in body["detail"]

    feed: list[dict[str, Any]] = [
        {
            "id": 9001,
            "datetime": "2024-11-02 3:15:00 +01:00",
            "name": "02 november 03.15, Inbrott, Sollefteå",
            "summary": "Inbrott i en lägenhet.",
            "url": "/a/",
            "type": "Inbrott ",
            "location": {"name": "Sollefteå", "gps": "63.166667,17.266667"},
        },
        {
            "id": 9002,
            "datetime": "2024-11-02 4:00:00 +01:00",
            "name": "02 november 04.00, Brand, Sollefteå",
            "summary": "Brand i bil.",
            "url": "/b/",
            "type": "Brand",
            "location": {"name": "Sollefteå", "gps": "63.166667,17.266667"},
        },
    ]
    response = await client.post(
        "/api/v1/burglaries/import?kommun=2283", content=json.dumps(feed).encode(), headers={**headers, "content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"inserted": 1, "updated": 0, "unchanged": 0, "skipped": 1, "assigned": 0, "unassigned": 1}

    listed = (await client.get("/api/v1/burglaries?kommun=2283&from=2024-11-01&to=2024-12-31", headers=headers)).json()
    assert listed["total"] == 3
    first = listed["items"][0]
    assert set(first) == {"id", "kommun", "occurred_from", "occurred_to", "category", "location", "area_id", "source", "external_ref"}
    assert first["external_ref"] == "b-1" and first["area_id"] == ids["b"] and first["location"] is None
    police = next(i for i in listed["items"] if i["source"] == "polisen")
    assert police["area_id"] is None and police["category"] == "lagenhet" and police["external_ref"] == "9001"
    by_area = (await client.get(f"/api/v1/burglaries?kommun=2283&area_id={ids['a']}&limit=3", headers=headers)).json()
    assert by_area["total"] == 8 and len(by_area["items"]) == 3

    audit = (await client.get("/api/v1/audit?table=burglary", headers=await auth("admin"))).json()
    assert [e["action"] for e in audit["items"]] == ["import", "import"]
