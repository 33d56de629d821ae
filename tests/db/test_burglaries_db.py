"""Burglaries in the database: CSV and police imports, idempotency, all or nothing, listing,
and the data the ranking reads."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest
import shapely

from grannsamverkan.db import burglaries
from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import Forbidden, InvalidInput
from grannsamverkan.geo.crs import WGS84, sweref_to_wgs84, to_sweref

STOCKHOLM = ZoneInfo("Europe/Stockholm")
COORDINATOR = Principal(token_id=1, name="samordnare-solleftea", role="coordinator", kommuner=("2283",))
ADMIN = Principal(token_id=2, name="admin", role="admin")

X0, Y0 = 620_000.0, 7_000_000.0  # Sollefteå, SWEREF 99 TM


async def insert_area(
    conn: asyncpg.Connection, ref: str, x0: float, y0: float, *, kommun: str = "2283", households: int = 10, size: float = 200.0
) -> int:
    square = shapely.box(x0, y0, x0 + size, y0 + size)
    return await conn.fetchval(
        """insert into area (kommun, name, kind, external_ref, geom_wkb, bbox, area_m2, point_x, point_y, households_total)
           values ($1, $2, 'by', $3, $4, box(point($5, $6), point($7, $8)), $9, $10, $11, $12) returning id""",
        kommun,
        f"Område {ref}",
        ref,
        shapely.to_wkb(square),
        x0,
        y0,
        x0 + size,
        y0 + size,
        square.area,
        x0 + size / 2,
        y0 + size / 2,
        households,
    )


def lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = sweref_to_wgs84([x], [y])
    return float(lon[0]), float(lat[0])


@pytest.fixture
async def two_areas(conn: asyncpg.Connection) -> tuple[int, int]:
    return await insert_area(conn, "by-a", X0, Y0), await insert_area(conn, "by-b", X0 + 1_000, Y0)


def csv_body(sep: str = ",") -> bytes:
    a_lon, a_lat = lonlat(X0 + 100, Y0 + 100)
    nowhere_lon, nowhere_lat = lonlat(X0 + 5_000, Y0 + 5_000)
    rows = [
        ["external_ref", "occurred_from", "occurred_to", "category", "lon", "lat", "area_external_ref"],
        # a known time, located in by-a
        ["b1", "2024-03-01T14:30", "2024-03-01T14:30", "villa", f"{a_lon:.7f}", f"{a_lat:.7f}", ""],
        # found after a weekend away: a window of dates (occurred_to a bare date = its end)
        ["b2", "2024-03-08", "2024-03-10", "Lägenhet", "", "", "by-b"],
        # occurred_to empty = the day of occurred_from
        ["b3", "2024-04-02", "", "förråd", f"{nowhere_lon:.7f}", f"{nowhere_lat:.7f}", ""],
        # neither point nor area: counts for the kommun
        ["b4", "2024-05-01T03:00+02:00", "2024-05-01T05:00+02:00", "ovrigt", "", "", ""],
    ]
    return ("\n".join(sep.join(r) for r in rows) + "\n").encode()


async def test_csv_import_stores_windows_points_and_areas(conn: asyncpg.Connection, two_areas: tuple[int, int]) -> None:
    area_a, area_b = two_areas
    result = await burglaries.import_file(conn, COORDINATOR, "2283", csv_body(";"))
    assert result == burglaries.ImportResult(inserted=4, updated=0, unchanged=0, skipped=0, assigned=2, unassigned=2)

    rows = {r["external_ref"]: r for r in await conn.fetch("select * from burglary order by external_ref")}
    assert {r["source"] for r in rows.values()} == {"csv"} and {r["kommun"] for r in rows.values()} == {"2283"}
    assert rows["b1"]["area_id"] == area_a and rows["b1"]["occurred_from"] == rows["b1"]["occurred_to"]
    assert abs(rows["b1"]["x"] - (X0 + 100)) < 0.01 and abs(rows["b1"]["y"] - (Y0 + 100)) < 0.01
    assert rows["b1"]["occurred_from"] == datetime(2024, 3, 1, 14, 30, tzinfo=STOCKHOLM)
    assert rows["b2"]["area_id"] == area_b and rows["b2"]["x"] is None and rows["b2"]["category"] == "lagenhet"
    assert rows["b2"]["occurred_from"] == datetime(2024, 3, 8, tzinfo=STOCKHOLM)
    assert rows["b2"]["occurred_to"] == datetime(2024, 3, 10, 23, 59, 59, tzinfo=STOCKHOLM)
    assert rows["b3"]["area_id"] is None and rows["b3"]["x"] is not None and rows["b3"]["category"] == "forrad"
    assert rows["b3"]["occurred_to"] - rows["b3"]["occurred_from"] == timedelta(hours=23, minutes=59, seconds=59)
    assert rows["b4"]["area_id"] is None and rows["b4"]["x"] is None

    events = await conn.fetch("select actor, kommun, table_name, action, after from audit_event")
    assert len(events) == 1
    event = events[0]
    assert (event["actor"], event["kommun"], event["table_name"], event["action"]) == ("samordnare-solleftea", "2283", "burglary", "import")
    after = event["after"] if isinstance(event["after"], dict) else json.loads(event["after"])
    assert after["inserted"] == 4 and after["source"] == "csv"


async def test_reimport_is_idempotent_and_updates_changed_lines(conn: asyncpg.Connection, two_areas: tuple[int, int]) -> None:
    await burglaries.import_file(conn, COORDINATOR, "2283", csv_body())
    again = await burglaries.import_file(conn, COORDINATOR, "2283", csv_body())
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert await conn.fetchval("select count(*) from burglary") == 4

    changed = csv_body().replace(b"b2,2024-03-08,2024-03-10,L\xc3\xa4genhet", b"b2,2024-03-08,2024-03-11,villa")
    result = await burglaries.import_file(conn, COORDINATOR, "2283", changed)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 3)
    assert await conn.fetchval("select category from burglary where external_ref = 'b2'") == "villa"
    # The same refs under another source are other burglaries.
    other = await burglaries.import_file(conn, COORDINATOR, "2283", csv_body(), source="larmbolaget")
    assert other.inserted == 4
    assert await conn.fetchval("select count(*) from burglary") == 8


async def test_a_bad_line_writes_nothing_and_names_the_line(conn: asyncpg.Connection, two_areas: tuple[int, int]) -> None:
    bad_category = csv_body() + b"b5,2024-06-01,,garage,,,by-a\n"
    with pytest.raises(InvalidInput) as info:
        await burglaries.import_file(conn, COORDINATOR, "2283", bad_category)
    assert info.value.errors[0].line == 6 and "garage" in info.value.errors[0].message

    unknown_area = csv_body() + b"b5,2024-06-01,,villa,,,by-okand\n"
    with pytest.raises(InvalidInput) as info:
        await burglaries.import_file(conn, COORDINATOR, "2283", unknown_area)
    assert info.value.errors[0].line == 6 and "by-okand" in info.value.detail

    a_lon, a_lat = lonlat(X0 + 100, Y0 + 100)
    contradiction = csv_body() + f"b5,2024-06-01,,villa,{a_lon},{a_lat},by-b\n".encode()
    with pytest.raises(InvalidInput) as info:
        await burglaries.import_file(conn, COORDINATOR, "2283", contradiction)
    assert info.value.errors[0].line == 6 and "by-b" in info.value.detail

    assert await conn.fetchval("select count(*) from burglary") == 0
    assert await conn.fetchval("select count(*) from audit_event") == 0


async def test_scope_and_other_kommuns_refs(conn: asyncpg.Connection, two_areas: tuple[int, int]) -> None:
    with pytest.raises(Forbidden):
        await burglaries.import_file(conn, COORDINATOR, "2505", csv_body())
    await burglaries.import_file(conn, COORDINATOR, "2283", csv_body())
    # References are unique per kommun (0008): Arvidsjaur may store the same source and external_ref.
    result = await burglaries.import_file(
        conn, ADMIN, "2505", b"external_ref,occurred_from,occurred_to,category,x,y\nb1,2024-03-01,,villa,,\n"
    )
    assert result.inserted == 1
    assert await conn.fetchval("select count(*) from burglary where kommun = '2505'") == 1
    assert await conn.fetchval("select count(*) from burglary where kommun = '2283' and external_ref = 'b1'") == 1


# A small feed in the Swedish Police events format, with the quirks of the real one: an hour
# without its leading zero, a type with a trailing space, the kommun's name in another case, a
# float artefact in gps, an event repeated by the archive, other types, another kommun and a county.
SOLLEFTEA_GPS = "63.166667,17.266667"
POLICE_FEED = [
    {
        "id": 401001,
        "datetime": "2024-03-23 9:37:32 +01:00",
        "name": "23 mars 09.37, Inbrott, Sollefteå",
        "summary": "Inbrott i villa i Ramsele under natten.",
        "url": "/aktuellt/handelser/2024/mars/23/inbrott-solleftea/",
        "type": "Inbrott",
        "location": {"name": "Sollefteå", "gps": SOLLEFTEA_GPS},
    },
    {
        "id": 401002,
        "datetime": "2024-03-24 21:05:00 +01:00",
        "name": "24 mars 21.05, Inbrott, försök, Sollefteå",
        "summary": "Försök till inbrott i ett förråd i Långsele.",
        "url": "/aktuellt/handelser/2024/mars/24/x/",
        "type": "Inbrott, försök ",
        "location": {"name": "sollefteå", "gps": "63.166667000000004,17.266667"},
    },
    {
        "id": 401003,
        "datetime": "2024-07-02 14:10:11 +02:00",
        "name": "02 juli 14.10, Stöld/inbrott, Sollefteå",
        "summary": "Stöld ur sommarstuga vid Nämforsen.",
        "url": "/aktuellt/handelser/2024/juli/2/y/",
        "type": "Stöld/inbrott",
        "location": {"name": "Sollefteå", "gps": SOLLEFTEA_GPS},
    },
    {
        "id": 401001,
        "datetime": "2024-03-23 9:37:32 +01:00",
        "name": "23 mars 09.37, Inbrott, Sollefteå",
        "summary": "Inbrott i villa i Ramsele under natten.",
        "url": "/aktuellt/handelser/2024/mars/23/inbrott-solleftea/",
        "type": "Inbrott",
        "location": {"name": "Sollefteå", "gps": SOLLEFTEA_GPS},
    },
    {
        "id": 401004,
        "datetime": "2024-03-25 8:00:00 +01:00",
        "name": "25 mars 08.00, Trafikolycka, Sollefteå",
        "summary": "Singelolycka.",
        "url": "/z/",
        "type": "Trafikolycka",
        "location": {"name": "Sollefteå", "gps": SOLLEFTEA_GPS},
    },
    {
        "id": 401005,
        "datetime": "2024-03-26 10:00:00 +01:00",
        "name": "26 mars 10.00, Inbrott, Kramfors",
        "summary": "Inbrott i lägenhet.",
        "url": "/w/",
        "type": "Inbrott",
        "location": {"name": "Kramfors", "gps": "62.930,17.790"},
    },
    {
        "id": 401006,
        "datetime": "2024-03-27 10:00:00 +01:00",
        "name": "27 mars 10.00, Sammanfattning natt, Västernorrlands län",
        "summary": "Lugn natt.",
        "url": "/v/",
        "type": "Sammanfattning natt",
        "location": {"name": "Västernorrlands län", "gps": "62.6,17.9"},
    },
]


async def test_police_feed_counts_for_the_kommun_without_area(conn: asyncpg.Connection, two_areas: tuple[int, int]) -> None:
    body = json.dumps(POLICE_FEED, ensure_ascii=False).encode()
    result = await burglaries.import_file(conn, COORDINATOR, "2283", body)
    # kept: 401001, 401002, 401003; skipped: the repeated 401001, a traffic accident, Kramfors, a summary
    assert result == burglaries.ImportResult(inserted=3, updated=0, unchanged=0, skipped=4, assigned=0, unassigned=3)
    rows = {r["external_ref"]: r for r in await conn.fetch("select * from burglary")}
    assert set(rows) == {"401001", "401002", "401003"}
    assert {r["source"] for r in rows.values()} == {"polisen"}
    assert all(r["area_id"] is None and r["x"] is None for r in rows.values())
    assert rows["401001"]["occurred_from"] == datetime(2024, 3, 23, 9, 37, 32, tzinfo=STOCKHOLM)
    assert rows["401001"]["category"] == "villa"
    assert rows["401002"]["category"] == "forrad"
    assert rows["401003"]["category"] == "fritidshus"
    again = await burglaries.import_file(conn, COORDINATOR, "2283", body, content_type="application/json")
    assert (again.inserted, again.unchanged, again.skipped) == (0, 3, 4)


async def test_list_filters_by_period_area_and_scope(conn: asyncpg.Connection, two_areas: tuple[int, int]) -> None:
    area_a, _area_b = two_areas
    await burglaries.import_file(conn, COORDINATOR, "2283", csv_body())
    items, total = await burglaries.list_burglaries(conn, in_kommuner=["2283"], since=None, until=None, area_id=None, limit=100, offset=0)
    assert total == 4 and [i.external_ref for i in items] == ["b4", "b3", "b2", "b1"]  # newest first
    b1 = items[-1]
    lon, lat = b1.location["coordinates"]  # type: ignore[index]
    x, y = to_sweref([lon], [lat], WGS84)
    assert abs(float(x[0]) - (X0 + 100)) < 0.05 and abs(float(y[0]) - (Y0 + 100)) < 0.05

    # b2's window 8–10 March touches 10 March – 1 April; b1 (1 March) does not.
    since, until = burglaries.period(date(2024, 3, 10), date(2024, 4, 1))
    items, total = await burglaries.list_burglaries(conn, in_kommuner=["2283"], since=since, until=until, area_id=None, limit=100, offset=0)
    assert [i.external_ref for i in items] == ["b2"] and total == 1
    items, total = await burglaries.list_burglaries(conn, in_kommuner=["2283"], since=None, until=None, area_id=area_a, limit=100, offset=0)
    assert [i.external_ref for i in items] == ["b1"]
    items, total = await burglaries.list_burglaries(conn, in_kommuner=["2505"], since=None, until=None, area_id=None, limit=100, offset=0)
    assert (items, total) == ([], 0)
    items, total = await burglaries.list_burglaries(conn, in_kommuner=None, since=None, until=None, area_id=None, limit=2, offset=1)
    assert [i.external_ref for i in items] == ["b3", "b2"] and total == 4


async def test_ranking_data_reads_households_groups_and_points(conn: asyncpg.Connection, two_areas: tuple[int, int]) -> None:
    area_a, area_b = two_areas
    await conn.execute(
        """insert into watch_group (kommun, area_id, kind, name, status, established_on)
           values ('2283', $1, 'grannsamverkan', 'GSV A', 'active', '2020-01-01')""",
        area_a,
    )
    await burglaries.import_file(conn, COORDINATOR, "2283", csv_body())
    since, until = burglaries.period(date(2024, 1, 1), date(2024, 12, 31))
    data = await burglaries.ranking_data(conn, "2283", since, until)
    assert [(a.area_id, a.households, a.has_active_group) for a in data.areas] == [(area_a, 10, True), (area_b, 10, False)]
    assert (data.areas[0].x, data.areas[0].y) == (X0 + 100, Y0 + 100)
    inc = data.incidents
    assert len(inc) == 4
    by_area = sorted(inc.area.tolist())
    assert by_area == [-1, -1, 0, 1]
    # b2 has no point: it stands at its area's point
    b2 = inc.area.tolist().index(1)
    assert (inc.x[b2], inc.y[b2]) == (X0 + 1_100, Y0 + 100)
    assert inc.t_to[b2] - inc.t_from[b2] == pytest.approx(3 * 86_400 - 1)
    assert inc.t_from[b2] == datetime(2024, 3, 8, tzinfo=STOCKHOLM).timestamp()  # exactly, for period edges
    # A period that ends before the burglaries reads none of them.
    since, until = burglaries.period(date(2023, 1, 1), date(2023, 12, 31))
    assert len((await burglaries.ranking_data(conn, "2283", since, until)).incidents) == 0
