"""Issue 16, maps, in headless Chromium and offline (no background tiles): the kommun and area
pages draw their own layers with Leaflet; a coordinator draws an area over another, sees the
overlap drawn red with the Swedish message where it is, draws it again beside and saves; on an
area's edit page a corner dragged into the neighbour is refused the same way, dragged back and
saved. Screenshots at 360 and 1280 px go to /tmp/screens/ (look at them)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import shapely
from shapely.geometry import shape

from tests.conftest import TokenFactory
from tests.e2e import test_browser as story
from tests.e2e.conftest import watched_page
from tests.e2e.test_browser import Screens, sign_in
from tests.geodata import RAMSELE, area_feature, grid_points, households_csv

pytestmark = story.pytestmark

CENTRE = (RAMSELE[0], RAMSELE[1] + 0.05)
EAST = (CENTRE[0] + 0.008, CENTRE[1])


async def seed(base: str, headers: dict[str, str]) -> tuple[int, int]:
    """Norrbyn (with households) and Östby beside it, north of Ramsele; answers their ids."""
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as api:
        ids = []
        for name, centre in (("Norrbyn", CENTRE), ("Östby", EAST)):
            made = await api.post("/api/v1/areas", json=area_feature(name, "2283", centre))
            assert made.status_code == 201, made.text
            ids.append(made.json()["properties"]["id"])
        body = households_csv("n", grid_points(CENTRE, 6), city="Ramsele")
        imported = await api.post("/api/v1/households/import?kommun=2283", content=body, headers={"content-type": "text/csv"})
        assert imported.status_code == 200, imported.text
    return ids[0], ids[1]


async def map_ready(page: Any, map_id: str) -> None:
    await page.locator(f"#{map_id}[data-ready]").wait_for()


async def screen_point(page: Any, map_id: str, lon: float, lat: float) -> tuple[float, float]:
    """Where (lon, lat) is on the screen, through Leaflet's own projection."""
    x, y = await page.evaluate(
        "([id, lat, lon]) => { const el = document.getElementById(id); const p = el.mapState.map.latLngToContainerPoint([lat, lon]);"
        " const r = el.getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }",
        [map_id, lat, lon],
    )
    return x, y


async def lonlat_at(page: Any, map_id: str, x: float, y: float) -> tuple[float, float]:
    lon, lat = await page.evaluate(
        "([id, x, y]) => { const el = document.getElementById(id); const r = el.getBoundingClientRect();"
        " const ll = el.mapState.map.containerPointToLatLng([x - r.left, y - r.top]); return [ll.lng, ll.lat]; }",
        [map_id, x, y],
    )
    return lon, lat


async def focus_on(page: Any, map_id: str, lon: float, lat: float, zoom: int = 14) -> None:
    await page.evaluate(
        "([id, lat, lon, z]) => document.getElementById(id).mapState.map.setView([lat, lon], z, {animate: false})", [map_id, lat, lon, zoom]
    )


async def draw(page: Any, map_id: str, corners: list[tuple[float, float]]) -> None:
    await page.get_by_role("button", name="Börja rita").click()
    points = [await screen_point(page, map_id, lon, lat) for lon, lat in corners]
    for x, y in [*points, points[0]]:  # a click on the first corner closes the polygon
        await page.mouse.click(x, y)
        await page.wait_for_timeout(80)


async def problem_centre(page: Any, map_id: str) -> tuple[float, float]:
    box = await page.locator(f"#{map_id} path.map-problem").first.bounding_box()
    return await lonlat_at(page, map_id, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def square_at(centre: tuple[float, float], half: float = 0.004) -> shapely.Polygon:
    return shapely.box(centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half)


async def no_sideways_scroll(page: Any) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide at 360 px"


async def test_draw_an_overlapping_area_see_the_overlap_and_save_it_beside(
    server: str, browser: Any, auth: TokenFactory, tmp_path: Path
) -> None:
    screens = Screens(tmp_path)
    headers = await auth("coordinator", "2283", name="Samordnare Sollefteå")
    norrbyn, _ = await seed(server, headers)
    page, errors = await watched_page(browser)
    await sign_in(page, server, headers["Authorization"].removeprefix("Bearer "))

    # The kommun page: the Leaflet map with the kommun outline and both areas; the SVG is the fallback.
    await page.goto(f"{server}/kommun/2283")
    await map_ready(page, "kommun-live-map")
    assert await page.locator("#kommun-live-map path.map-area.leaflet-interactive").count() == 2
    assert await page.locator("#kommun-live-map path.map-kommun").count() == 1
    assert await page.locator("#kommun-map-fallback").is_hidden()
    await screens.shot(page, "karta-kommun-1280")

    # Draw an area a third over Norrbyn: refused, the overlap red on the map with the message.
    lon, lat = CENTRE[0] - 0.006, CENTRE[1]
    await focus_on(page, "kommun-live-map", lon, lat, 14)
    await draw(
        page,
        "kommun-live-map",
        [(lon - 0.004, lat - 0.003), (lon + 0.004, lat - 0.003), (lon + 0.004, lat + 0.003), (lon - 0.004, lat + 0.003)],
    )
    await page.get_by_label("Områdets namn").fill("Mellanbyn")
    await page.get_by_role("button", name="Spara området").click()
    alert = page.locator("#rita .draw-problem")
    await alert.wait_for()
    assert "överlappar Norrbyn" in await alert.inner_text()
    label = page.locator("#kommun-live-map .map-problem-text")
    assert "överlappar Norrbyn" in await label.inner_text()
    # The red shape lies where the drawn area and Norrbyn overlap .
    cx, cy = await problem_centre(page, "kommun-live-map")
    drawn = shapely.box(lon - 0.004, lat - 0.003, lon + 0.004, lat + 0.003)
    assert drawn.intersection(square_at(CENTRE)).buffer(0.0005).contains(shapely.Point(cx, cy)), (cx, cy)
    await screens.shot(page, "karta-rita-overlapp-1280")

    # Draw it again south of both, clear of them, and save: the new area's page opens.
    south = (CENTRE[0] + 0.004, CENTRE[1] - 0.008)
    await focus_on(page, "kommun-live-map", *south, 14)
    await draw(
        page,
        "kommun-live-map",
        [
            (south[0] - 0.004, south[1] - 0.0035),
            (south[0] + 0.004, south[1] - 0.0035),
            (south[0] + 0.004, south[1] + 0.0035),
            (south[0] - 0.004, south[1] + 0.0035),
        ],
    )
    assert await page.locator("#kommun-live-map path.map-problem").count() == 0
    await page.get_by_label("Områdets namn").fill("Mellanbyn")
    await page.get_by_role("button", name="Spara området").click()
    await page.wait_for_url(f"{server}/omraden/*")
    assert await page.locator("h1").inner_text() == "Mellanbyn"
    async with httpx.AsyncClient(base_url=server, headers=headers) as api:
        areas = (await api.get("/api/v1/areas?kommun=2283&limit=100")).json()["features"]
    saved = next(a for a in areas if a["properties"]["name"] == "Mellanbyn")
    assert shape(saved["geometry"]).centroid.distance(shapely.Point(south)) < 0.0005

    # The area page of Norrbyn: its shape and its households drawn by Leaflet.
    await page.goto(f"{server}/omraden/{norrbyn}")
    await map_ready(page, "area-live-map")
    assert await page.locator("#area-live-map path.map-area.current").count() == 1
    assert await page.locator("#area-live-map path.map-point.household").count() == 6
    await screens.shot(page, "karta-omrade-1280")

    # 360 px: both pages, no sideways scrolling.
    await page.set_viewport_size({"width": 360, "height": 800})
    for path, map_id, name in ((f"/omraden/{norrbyn}", "area-live-map", "omrade"), ("/kommun/2283", "kommun-live-map", "kommun")):
        await page.goto(f"{server}{path}")
        await map_ready(page, map_id)
        await no_sideways_scroll(page)
        await screens.shot(page, f"karta-{name}-360")
    assert not [e for e in errors if "server responded with a status of 4" not in e], errors  # the refusals themselves
    await page.context.close()


async def test_move_a_corner_into_the_neighbour_then_back(server: str, browser: Any, auth: TokenFactory, tmp_path: Path) -> None:
    screens = Screens(tmp_path)
    headers = await auth("coordinator", "2283", name="Samordnare Sollefteå")
    norrbyn, _ = await seed(server, headers)
    page, errors = await watched_page(browser)
    await sign_in(page, server, headers["Authorization"].removeprefix("Bearer "))
    await page.goto(f"{server}/omraden/{norrbyn}/andra")
    await map_ready(page, "edit-live-map")
    await focus_on(page, "edit-live-map", CENTRE[0] + 0.003, CENTRE[1], 14)
    await page.get_by_role("button", name="Ändra gränsen").click()
    await page.locator("#edit-live-map").scroll_into_view_if_needed()

    async def drag(start: tuple[float, float], end: tuple[float, float]) -> None:
        x0, y0 = await screen_point(page, "edit-live-map", *start)
        x1, y1 = await screen_point(page, "edit-live-map", *end)
        await page.mouse.move(x0, y0)
        await page.mouse.down()
        await page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
        await page.mouse.move(x1, y1, steps=5)
        await page.mouse.up()
        await page.wait_for_timeout(100)

    corner = (CENTRE[0] + 0.004, CENTRE[1] + 0.004)
    inside_east = (CENTRE[0] + 0.007, CENTRE[1] + 0.004)
    await drag(corner, inside_east)
    await screens.shot(page, "karta-grans-flyttad-1280")
    await page.get_by_role("button", name="Spara gränsen").click()
    alert = page.locator("#rita .draw-problem")
    await alert.wait_for()
    assert "överlappar Östby" in await alert.inner_text()
    cx, cy = await problem_centre(page, "edit-live-map")
    assert square_at(EAST).contains(shapely.Point(cx, cy)), (cx, cy)
    await screens.shot(page, "karta-grans-overlapp-1280")

    await drag(inside_east, (CENTRE[0] + 0.004, CENTRE[1] + 0.006))  # up along the shared border: clear of Östby
    assert await page.locator("#edit-live-map path.map-problem").count() == 0
    await page.get_by_role("button", name="Spara gränsen").click()
    await page.wait_for_url(f"{server}/omraden/{norrbyn}?klart=andrad")
    async with httpx.AsyncClient(base_url=server, headers=headers) as api:
        stored = shape((await api.get(f"/api/v1/areas/{norrbyn}")).json()["geometry"])
    assert stored.area > square_at(CENTRE).area

    # Split it along a line drawn across, west of the middle: the new western piece is an area.
    await page.goto(f"{server}/omraden/{norrbyn}/andra")
    await map_ready(page, "edit-live-map")
    await focus_on(page, "edit-live-map", CENTRE[0], CENTRE[1], 14)
    await page.get_by_role("button", name="Rita delningslinje").click()
    await page.locator("#edit-live-map").scroll_into_view_if_needed()
    ends = [await screen_point(page, "edit-live-map", CENTRE[0] - 0.002, CENTRE[1] + s) for s in (-0.006, 0.006)]
    for x, y in [*ends, ends[-1]]:  # a second click on the last point ends the line
        await page.mouse.click(x, y)
        await page.wait_for_timeout(80)
    await page.get_by_label("Namn på den nya delen").fill("Västra Norrbyn")
    await screens.shot(page, "karta-dela-1280")
    await page.get_by_role("button", name="Dela området", exact=True).click()
    await page.wait_for_url(f"{server}/omraden/{norrbyn}?klart=andrad")
    async with httpx.AsyncClient(base_url=server, headers=headers) as api:
        features = (await api.get("/api/v1/areas?kommun=2283&limit=100")).json()["features"]
    west = next(f for f in features if f["properties"]["name"] == "Västra Norrbyn")
    assert shape(west["geometry"]).bounds[2] < CENTRE[0] - 0.0019
    assert not [e for e in errors if "server responded with a status of 4" not in e], errors  # the refusals themselves
    await page.context.close()


async def test_the_priority_page_and_the_places_list_on_the_live_map(server: str, browser: Any, auth: TokenFactory, tmp_path: Path) -> None:
    """Norrbyn's burglaries put it first on the priority page: its area darker with "1. Norrbyn"
    on the map, the figure in its popup; a place report on the places list opens from its popup."""
    screens = Screens(tmp_path)
    headers = await auth("coordinator", "2283", name="Samordnare Sollefteå")
    norrbyn, _ = await seed(server, headers)
    days = [date.today() - timedelta(days=d) for d in (10, 40, 90)]
    burglaries = "external_ref,occurred_from,occurred_to,category,lon,lat\n" + "".join(
        f"b{i},{day}T12:00,{day}T12:00,villa,{CENTRE[0] - 0.002 + 0.0015 * i},{CENTRE[1] - 0.002}\n" for i, day in enumerate(days)
    )
    async with httpx.AsyncClient(base_url=server, headers=headers, timeout=60) as api:
        imported = await api.post("/api/v1/burglaries/import?kommun=2283", content=burglaries, headers={"content-type": "text/csv"})
        assert imported.status_code == 200, imported.text
        spot = (EAST[0] + 0.002, EAST[1] - 0.002)  # clear of Östby's name in the middle
        lamp = {"kommun": "2283", "category": "belysning", "what": "Mörk gångväg", "location": {"type": "Point", "coordinates": list(spot)}}
        report = await api.post("/api/v1/places", json=lamp)
        assert report.status_code == 201, report.text
        report_id = report.json()["id"]
    page, errors = await watched_page(browser)
    await sign_in(page, server, headers["Authorization"].removeprefix("Bearer "))

    # The priority page: Norrbyn first in the table and on the map, darker, with its place.
    await page.goto(f"{server}/prioritering?kommun=2283&metod=rate")
    await map_ready(page, "prio-live-map")
    assert await page.locator("#prio-map-fallback").is_hidden()
    assert (await page.locator("#priority-table tbody tr").first.inner_text()).startswith("1\tNorrbyn")
    top = page.locator("#prio-live-map path.map-area.top")
    assert await top.count() == 1
    assert await page.locator("#prio-live-map .leaflet-tooltip.map-rank").inner_text() == "1. Norrbyn"
    assert await page.locator("#prio-live-map path.map-point.burglary").count() == 3
    x, y = await screen_point(page, "prio-live-map", CENTRE[0] - 0.003, CENTRE[1] - 0.003)
    await page.mouse.click(x, y)
    popup = page.locator("#prio-live-map .leaflet-popup-content")
    await popup.wait_for()
    assert "1. Norrbyn – 500 inbrott per 1 000 hushåll" in await popup.inner_text()  # 3 burglaries, 6 households
    assert await popup.get_by_role("link", name="Öppna Norrbyn").get_attribute("href") == f"/omraden/{norrbyn}"
    await page.wait_for_timeout(400)  # the popup's fade
    await screens.shot(page, "karta-prioritering-1280")

    # The places list: the report as a marker; its popup says category and status and links to it.
    await page.goto(f"{server}/platser?kommun=2283")
    await map_ready(page, "places-live-map")
    assert await page.locator("#places-map-fallback").is_hidden()
    marker = page.locator("#places-live-map path.map-point.place.status-open")
    assert await marker.count() == 1
    x, y = await screen_point(page, "places-live-map", *spot)
    await page.mouse.click(x, y)
    popup = page.locator("#places-live-map .leaflet-popup-content")
    await popup.wait_for()
    text = await popup.inner_text()
    assert "Belysning" in text and "Status: Inkommen" in text
    await page.wait_for_timeout(400)
    await screens.shot(page, "karta-platser-1280")
    await popup.get_by_role("link", name=f"Öppna rapport {report_id}").click()
    await page.wait_for_url(f"{server}/platser/{report_id}")

    await page.set_viewport_size({"width": 360, "height": 800})
    for path, map_id, name in (
        ("/prioritering?kommun=2283&metod=rate", "prio-live-map", "prioritering"),
        ("/platser?kommun=2283", "places-live-map", "platser"),
    ):
        await page.goto(f"{server}{path}")
        await map_ready(page, map_id)
        await no_sideways_scroll(page)
        await screens.shot(page, f"karta-{name}-360")
    assert not errors, errors
    await page.context.close()
