"""A trygghetsvandring's points are place reports: logged once, followed up in the places workflow."""

from __future__ import annotations

import csv
import io
from datetime import date

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from grannsamverkan.db import promises as promise_db
from grannsamverkan.db.places import PlaceFilter
from grannsamverkan.domain.places import responsible_from_text
from grannsamverkan.domain.promises import walk_status_of
from grannsamverkan.errors import Conflict, InvalidInput
from grannsamverkan.geo.crs import sweref_to_wgs84
from grannsamverkan.services import places, promises
from tests.conftest import TokenFactory
from tests.geodata import ARVIDSJAUR
from tests.places.world import COORDINATOR, POLICE, X, Y, households_at, report
from tests.web.test_pages import sign_in, token_of

_lon, _lat = sweref_to_wgs84([X], [Y])
LON, LAT = round(float(_lon[0]), 6), round(float(_lat[0]), 6)
DARK_PATH = promises.WalkPointInput(
    place="Gångvägen bakom skolan", problem="Mörkt, lampan trasig", action="Byta lampan", responsible="Gatuenheten", lon=LON, lat=LAT
)


async def walk(conn: asyncpg.Connection, *points: promises.WalkPointInput) -> promise_db.Activity:
    """A trygghetsvandring in Ramsele (Sollefteå) with these points, logged by the coordinator."""
    return await promises.log_activity(
        conn,
        COORDINATOR,
        promises.ActivityInput(
            kommun="2283", held_on=date(2026, 9, 15), kind="trygghetsvandring", place="Ramsele", walk_points=list(points)
        ),
    )


async def walk_reports(conn: asyncpg.Connection) -> list[places.PlaceView]:
    items, _ = await places.list_for(conn, COORDINATOR, PlaceFilter(kommuner=["2283"], source="trygghetsvandring"), limit=10, offset=0)
    return items


async def test_a_logged_walk_point_is_in_the_places_list(conn: asyncpg.Connection) -> None:
    await households_at(conn, "2283", [(X + i, Y + i) for i in range(5)])
    logged = await walk(conn, DARK_PATH)
    [item] = await walk_reports(conn)
    point = logged.walk_points[0]
    assert point.place_report_id == item.id and point.place_report_url == f"/platser/{item.id}"
    assert (item.what, item.would_help, item.place_text, item.category) == (
        "Mörkt, lampan trasig",
        "Byta lampan",
        "Gångvägen bakom skolan",
        "annat",
    )
    assert (item.source, item.source_name, item.status, item.responsible) == ("trygghetsvandring", "Trygghetsvandring", "open", "kommun")
    # made by the kommun: published at once at the blurred point, no reporter, no address, nothing held
    assert (item.review, item.public_cell_m, item.supporters, item.has_contact, item.personal_data) == ("published", 100, 0, False, [])
    # the police see it as any published report
    seen, _ = await places.list_for(conn, POLICE, PlaceFilter(kommuner=["2283"]), limit=10, offset=0)
    assert [p.id for p in seen] == [item.id] and seen[0].location is None and seen[0].public_location is not None
    # in the audit trail: the activity, the report made and published
    trail = await conn.fetch("select table_name, row_id, action, actor from audit_event order by id")
    assert [(t["table_name"], t["action"], t["actor"]) for t in trail] == [
        ("place_report", "insert", "samordnare"),
        ("place_report", "update", "samordnare"),
        ("activity", "insert", "samordnare"),
    ]


async def test_a_point_without_a_position_waits_for_its_pin_and_keeps_its_words(conn: asyncpg.Connection) -> None:
    logged = await walk(
        conn,
        promises.WalkPointInput(place="Busstorget", problem="Klotter på väntkuren", responsible="Vägföreningen", status="pagar"),
    )
    point = logged.walk_points[0]
    assert (point.status, point.place_status, point.place_status_name, point.lon) == ("pagar", "in_progress", "Utreds", None)
    report_ = await places.get_for(conn, COORDINATOR, point.place_report_id)
    assert (report_.review, report_.place_text, report_.location, report_.status) == ("pending", "Busstorget", None, "in_progress")
    assert (report_.responsible, report_.status_note) == ("annan", "Ansvarig enligt trygghetsvandringen: Vägföreningen")
    history = await conn.fetch("select from_status, to_status, actor from place_status_change where report_id = $1", report_.id)
    assert [tuple(h) for h in history] == [("open", "in_progress", "samordnare")]
    # the coordinator places the pin and publishes, as for any report described in words
    await places.correct(conn, COORDINATOR, report_.id, places.Correction(x=X, y=Y))
    assert (await places.publish(conn, COORDINATOR, report_.id)).review == "published"


async def test_a_point_outside_the_kommun_is_refused_and_nothing_is_kept(conn: asyncpg.Connection) -> None:
    far = promises.WalkPointInput(place="Fel kommun", problem="Mörkt", lon=ARVIDSJAUR[0], lat=ARVIDSJAUR[1])
    with pytest.raises(InvalidInput, match="utanför kommunen"):
        await walk(conn, DARK_PATH, far)
    assert await conn.fetchval("select count(*) from place_report") == 0
    assert await conn.fetchval("select count(*) from activity") == 0


async def test_a_status_change_on_either_side_shows_on_both(conn: asyncpg.Connection) -> None:
    logged = await walk(conn, DARK_PATH)
    point = logged.walk_points[0]
    # the follow-up walk marks the point: the report moves along the workflow
    marked = await promises.set_walk_point_status(conn, POLICE, point.id, "pagar")
    assert (marked.status, marked.place_status) == ("pagar", "in_progress")
    assert (await places.get_for(conn, COORDINATOR, point.place_report_id)).status == "in_progress"
    # the coordinator moves the report: the protocol reads its status
    await places.set_status(conn, COORDINATOR, point.place_report_id, places.StatusUpdate(status="action_scheduled", note="Beställt"))
    [shown] = (await promise_db.get_activity(conn, logged.id, None)).walk_points
    assert (shown.status, shown.place_status, shown.place_status_name) == ("pagar", "action_scheduled", "Åtgärd planerad")
    await places.set_status(conn, COORDINATOR, point.place_report_id, places.StatusUpdate(status="fixed"))
    assert (await promise_db.get_walk_point(conn, point.id, None)).status == "atgardad"
    # the same word again changes nothing; a move the workflow refuses is refused from the protocol too
    assert (await promises.set_walk_point_status(conn, POLICE, point.id, "atgardad")).place_status == "fixed"
    with pytest.raises(Conflict, match="Åtgärdad"):
        await promises.set_walk_point_status(conn, POLICE, point.id, "oppen")
    reopened = await promises.set_walk_point_status(conn, POLICE, point.id, "pagar")
    assert (reopened.status, reopened.place_status) == ("pagar", "in_progress")
    history = await conn.fetch("select to_status, actor from place_status_change where report_id = $1 order by id", point.place_report_id)
    assert [tuple(h) for h in history] == [
        ("in_progress", "polis"),
        ("action_scheduled", "samordnare"),
        ("fixed", "samordnare"),
        ("in_progress", "polis"),
    ]
    # every change in the audit trail: the point's word and the report's status
    trail = await conn.fetch("select before, after from audit_event where table_name = 'walk_point' and row_id = $1 order by id", point.id)
    assert [(t["before"]["status"], t["after"]["place_status"]) for t in trail] == [
        ("oppen", "in_progress"),
        ("atgardad", "fixed"),
        ("atgardad", "in_progress"),
    ]
    reports = await conn.fetch(
        "select after->>'status' as status from audit_event where table_name = 'place_report' and row_id = $1 and after ? 'status' order by id",
        point.place_report_id,
    )
    assert [r["status"] for r in reports] == ["in_progress", "action_scheduled", "fixed", "in_progress"]


async def test_walk_reports_on_the_places_map_list_and_exports_by_source(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection
) -> None:
    coordinator = await auth("coordinator", "2283")
    response = await client.post(
        "/api/v1/activities",
        json={
            "kommun": "2283",
            "held_on": "2026-09-15",
            "kind": "trygghetsvandring",
            "place": "Ramsele",
            "walk_points": [{"place": "Gångvägen bakom skolan", "problem": "Mörkt, lampan trasig", "lon": LON, "lat": LAT}],
        },
        headers=coordinator,
    )
    assert response.status_code == 201, response.text
    walk_id = response.json()["walk_points"][0]["place_report_id"]
    citizen = await report(conn)
    await sign_in(client, token_of(coordinator))

    async def map_places(**query: str) -> dict[str, dict[str, object]]:
        answer = await client.get("/platser/karta.geojson", params={"kommun": "2283", **query})
        assert answer.status_code == 200, answer.text
        return {f["properties"]["href"]: f["properties"] for f in answer.json()["features"] if f["properties"]["layer"] == "place"}

    shown = await map_places()
    assert set(shown) == {f"/platser/{walk_id}", f"/platser/{citizen.id}"}
    assert shown[f"/platser/{walk_id}"]["popup"] == ["Annat", "Status: Inkommen", "Källa: Trygghetsvandring"]
    assert shown[f"/platser/{citizen.id}"]["popup"] == ["Belysning", "Status: Inkommen", "Källa: Medborgare (webb)"]
    assert set(await map_places(kalla="trygghetsvandring")) == {f"/platser/{walk_id}"}
    assert set(await map_places(kalla="medborgare")) == {f"/platser/{citizen.id}"}

    listing = await client.get("/platser", params={"kommun": "2283", "kalla": "trygghetsvandring"})
    assert listing.status_code == 200, listing.text
    assert f'<a href="/platser/{walk_id}">{walk_id}</a>' in listing.text and f'<a href="/platser/{citizen.id}">' not in listing.text
    assert (
        "<td>Trygghetsvandring</td>" in listing.text
        and '<option value="trygghetsvandring" selected>Trygghetsvandring</option>' in listing.text
    )
    assert "source=trygghetsvandring" in listing.text  # the export links keep the filter
    page = await client.get(f"/platser/{walk_id}")
    assert "<dt>Källa</dt><dd>Trygghetsvandring</dd>" in page.text

    exported = await client.get("/api/v1/places/export.csv", params={"kommun": "2283", "source": "trygghetsvandring"}, headers=coordinator)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["id"], r["source"], r["source_name"]) for r in rows] == [(str(walk_id), "trygghetsvandring", "Trygghetsvandring")]
    geojson = await client.get("/platser/export.geojson", params={"kommun": "2283", "source": "medborgare"})
    assert [f["properties"]["source_name"] for f in geojson.json()["features"]] == ["Medborgare (webb)"]


def test_the_protocols_words_become_the_workflows_values() -> None:
    assert responsible_from_text("") == (None, None)
    assert responsible_from_text("Kommunens gatuenhet") == ("kommun", None)
    assert responsible_from_text("Tekniska förvaltningen") == ("kommun", None)
    assert responsible_from_text("Trafikverket") == ("trafikverket", None)
    assert responsible_from_text("Polisen, kommunpolis") == ("polis", None)
    assert responsible_from_text("Bostadsbolaget") == ("fastighetsagare", None)
    assert responsible_from_text(" Vägföreningen ") == ("annan", "Ansvarig enligt trygghetsvandringen: Vägföreningen")
    statuses = {
        s: walk_status_of(s) for s in ("open", "in_progress", "action_scheduled", "fixed", "not_kommun_responsible", "duplicate", "closed")
    }
    assert statuses == {
        "open": "oppen",
        "in_progress": "pagar",
        "action_scheduled": "pagar",
        "fixed": "atgardad",
        "not_kommun_responsible": "atgardad",
        "duplicate": "atgardad",
        "closed": "atgardad",
    }
