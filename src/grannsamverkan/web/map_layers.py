"""The layers the app owns on the pages' maps, as GeoJSON in WGS 84 (``static/map.js`` draws them
with Leaflet over the background tiles of settings, or on a blank background without them), and
the routes that save an area drawn or reshaped on the map.

Every feature says its layer in ``properties.layer``: ``kommun`` (the outline), ``area`` (coloured
by the state of its group), ``burglary`` and ``place`` (points), ``household`` (points; only on the
routes that need the ``read_households`` capability, so never for the police or the public).

The priority page and the places list have their own routes, taking the page's query:
``/prioritering/karta.geojson`` (areas coloured by the page's ranking, the period's burglaries) and
``/platser/karta.geojson`` (the reports the list shows, by status, over plain areas).

A refused shape answers problem+json whose ``errors[].geometry`` is where on the map the problem
is (the overlap, the crossing, the part outside the kommun); the page draws it red.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Final

import shapely
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath, FromQuery

from grannsamverkan.db import areas, burglaries, groups, households, places
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.calendar import STOCKHOLM
from grannsamverkan.domain.numbers import count, tally
from grannsamverkan.errors import GrannsamverkanError
from grannsamverkan.geo.boundaries import boundary
from grannsamverkan.geo.problem_geometry import to_geojson_wgs84
from grannsamverkan.http.common import Caller, Db
from grannsamverkan.http.problem import project_error
from grannsamverkan.services import areas as area_cases
from grannsamverkan.services.places import list_for
from grannsamverkan.web.context import visible_kommun
from grannsamverkan.web.places import LIST_FILTERS, Filters, list_filter
from grannsamverkan.web.priority import Method, Ranking, check_period, chosen_period, is_top, priority_class, rank_areas, rank_text
from grannsamverkan.web.registry import MANY, AreaRow, area_rows, state_class, state_label
from grannsamverkan.web.wording import share_text

GEOJSON: Final = "application/geo+json"
SIMPLIFY_M: Final = 1.0  # the kommun map's outlines (an area's own page keeps every vertex)
BURGLARY_DAYS: Final = 365  # the burglaries of the last year
MAX_POINTS: Final = 20_000  # points per layer


def feature(layer: str, geometry: dict[str, Any] | None, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": {"layer": layer, **properties}}


def collection(features: list[dict[str, Any]]) -> Response[dict[str, Any]]:
    return Response({"type": "FeatureCollection", "features": features}, media_type=GEOJSON)


def kommun_outline(kommun: str) -> list[dict[str, Any]]:
    outline = boundary(kommun)
    return [feature("kommun", to_geojson_wgs84(outline), kommun=kommun)] if outline is not None else []


def simplified(geometry: shapely.Geometry) -> dict[str, Any]:
    return to_geojson_wgs84(shapely.simplify(geometry, SIMPLIFY_M, preserve_topology=True))


def area_feature(row: AreaRow, *, simplify: bool, current: bool = False, state: str | None = None) -> dict[str, Any]:
    """An area coloured by the state of its group (``state`` names another colour: ``plain``)."""
    group = row.group
    return feature(
        "area",
        simplified(row.area.geometry) if simplify else to_geojson_wgs84(row.area.geometry),
        id=row.area.id,
        name=row.area.name,
        href=f"/omraden/{row.area.id}",
        state=state or state_class(row),
        label=f"{row.area.name}: {state_label(row)}",
        short=share_text(group.households_signed_up, row.area.households_total) if group and row.state == "forming" else "",
        current=current,
    )


async def burglary_points(
    db: Db, kommun: str, area_id: int | None = None, period: tuple[datetime, datetime] | None = None
) -> list[dict[str, Any]]:
    """The burglaries of ``period`` (``[since, until)``), else of the last year."""
    since, until = period or (datetime.now(STOCKHOLM) - timedelta(days=BURGLARY_DAYS), None)
    items, _ = await burglaries.list_burglaries(
        db, in_kommuner=[kommun], since=since, until=until, area_id=area_id, limit=MAX_POINTS, offset=0
    )
    return [feature("burglary", b.location, title=f"Inbrott {b.occurred_from.date().isoformat()}") for b in items if b.location is not None]


async def place_points(db: Db, principal: Principal, kommun: str, area_id: int | None = None) -> list[dict[str, Any]]:
    return await filtered_place_points(db, principal, places.PlaceFilter(kommuner=[kommun], area_id=area_id))


async def filtered_place_points(db: Db, principal: Principal, f: places.PlaceFilter) -> list[dict[str, Any]]:
    """Place reports as the caller may list them (``list_for``: police only the published) at the
    point the view gives: the exact one for the kommun's coordinators, else the blurred public one.
    Coloured by status; the popup says category, status and source and links to the report."""
    items, _ = await list_for(db, principal, f, limit=MAX_POINTS, offset=0)
    return [
        feature(
            "place",
            v.location or v.public_location,
            state=f"status-{v.status}",
            title=f"{v.category_name}: {v.status_name}",
            popup=[f"{v.category_name}{' (trygg)' if v.feeling == 'trygg' else ''}", f"Status: {v.status_name}", f"Källa: {v.source_name}"],
            source=v.source,
            href=f"/platser/{v.id}",
            link=f"Öppna rapport {v.id}",
        )
        for v in items
        if (v.location or v.public_location) is not None
    ]


def priority_feature(a: areas.AreaRecord, ranking: Ranking, method: str) -> dict[str, Any]:
    """An area coloured by the priority page's classes; the top areas marked with their place."""
    place = ranking.rank_of.get(a.id)
    common = {"id": a.id, "name": a.name, "href": f"/omraden/{a.id}", "link": f"Öppna {a.name}"}
    if place is None:
        text = f"{a.name}: har aktiv grupp"
        return feature("area", simplified(a.geometry), **common, state="covered", label=text, popup=[text])
    rank, score = place
    r = ranking.open_areas[rank - 1]
    label = rank_text(r, rank, method)
    top = is_top(rank, score)
    return feature(
        "area",
        simplified(a.geometry),
        **common,
        state=priority_class(rank, len(ranking.open_areas), score) + (" top" if top else ""),
        rank=rank,
        label=label,
        tip=f"{rank}. {a.name}" if top else "",
        popup=[label, f"{tally(r.burglaries)} inbrott, {count(r.households)} hushåll"],
    )


class MapLayerPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/kommun/{kommun:str}/karta.geojson", opt={"capability": "read"})
    async def kommun_layers(self, db: Db, principal: Caller, kommun: FromPath[str]) -> Response[dict[str, Any]]:
        """The kommun's outline, its areas coloured by state, the last year's burglaries and the place reports."""
        await visible_kommun(db, principal, kommun)
        rows = await area_rows(db, kommun)
        return collection(
            [
                *kommun_outline(kommun),
                *(area_feature(r, simplify=True) for r in rows),
                *await burglary_points(db, kommun),
                *await place_points(db, principal, kommun),
            ]
        )

    @get("/kommun/{kommun:str}/hushall.geojson", opt={"capability": "read_households"})
    async def kommun_households(self, db: Db, principal: Caller, kommun: FromPath[str]) -> Response[dict[str, Any]]:
        """The kommun's households as points: in an area or outside every area (never for the police)."""
        await visible_kommun(db, principal, kommun)
        items, _ = await households.list_households(db, in_kommuner=[kommun], area_id=None, limit=MAX_POINTS, offset=0)
        return collection(
            [
                feature("household", h.location, state="in-area" if h.area_id else "outside", title=h.street or f"Hushåll {h.id}")
                for h in items
                if h.location is not None
            ]
        )

    @get("/omraden/{area_id:int}/karta.geojson", opt={"capability": "read"})
    async def area_layers(self, db: Db, principal: Caller, area_id: FromPath[int]) -> Response[dict[str, Any]]:
        """The area (every vertex), the other areas of its kommun, its burglaries and place reports."""
        area = await areas.get_area(db, area_id, principal.scope)
        rows = await area_rows(db, area.kommun)
        return collection(
            [
                *kommun_outline(area.kommun),
                *(area_feature(r, simplify=r.area.id != area_id, current=r.area.id == area_id) for r in rows),
                *await burglary_points(db, area.kommun, area_id),
                *await place_points(db, principal, area.kommun, area_id),
            ]
        )

    @get("/omraden/{area_id:int}/hushall.geojson", opt={"capability": "read_households"})
    async def area_households(self, db: Db, principal: Caller, area_id: FromPath[int]) -> Response[dict[str, Any]]:
        """The area's households, signed up to its group or not (never for the police)."""
        area = await areas.get_area(db, area_id, principal.scope)
        items, _ = await households.list_households(db, in_kommuner=[area.kommun], area_id=area_id, limit=MANY, offset=0)
        signed: set[int] = set()
        if area.group_id:
            signups, _ = await groups.list_signups(db, area.group_id, principal.scope, limit=MANY, offset=0)
            signed = {s.household_id for s in signups}
        return collection(
            [
                feature(
                    "household",
                    h.location,
                    state="signed" if h.id in signed else "open",
                    title=f"{h.street or 'Hushåll ' + str(h.id)}: {'anmält' if h.id in signed else 'inte anmält'}",
                )
                for h in items
                if h.location is not None
            ]
        )

    @get("/prioritering/karta.geojson", opt={"capability": "read"})
    async def priority_layers(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        kommun: FromQuery[str],
        metod: FromQuery[Method] = "eb",
        fran: FromQuery[date | None] = None,
        till: FromQuery[date | None] = None,
    ) -> Response[dict[str, Any]]:
        """The priority page's map (its query): the areas coloured by the page's ranking, the top
        ones with their place; the period's burglaries; the kommun's outline. No households."""
        await visible_kommun(db, principal, kommun)
        first, last = chosen_period(fran, till)
        check_period(fran, till, first, last)
        ranking = await rank_areas(request, db, kommun, first, last, metod)
        records, _ = await areas.list_areas(db, [kommun], limit=MANY, offset=0)
        return collection(
            [
                *kommun_outline(kommun),
                *(priority_feature(a, ranking, metod) for a in records),
                *await burglary_points(db, kommun, period=burglaries.period(first, last, field="fran")),
            ]
        )

    @get("/platser/karta.geojson", opt={"capability": "read"}, dependencies=LIST_FILTERS)
    async def place_layers(self, db: Db, principal: Caller, filters: Filters, kommun: FromQuery[str]) -> Response[dict[str, Any]]:
        """The places list's map (its query and filters, read by the list's own ``list_filters``):
        the reports the caller may list, where the list puts them, coloured by status; the
        kommun's areas and outline."""
        await visible_kommun(db, principal, kommun)
        f = await list_filter(db, kommun, filters)
        rows = await area_rows(db, kommun)
        return collection(
            [
                *kommun_outline(kommun),
                *(area_feature(r, simplify=True, state="plain") for r in rows),
                *await filtered_place_points(db, principal, f),
            ]
        )

    # --- drawing -------------------------------------------------------------------------------------

    @post("/kommun/{kommun:str}/omraden", opt={"capability": "write"}, status_code=201)
    async def draw_area(self, request: Request[Any, Any, Any], db: Db, principal: Caller, kommun: FromPath[str]) -> Response[Any]:
        """A new area drawn on the kommun's map (form fields name, kind and geometry: GeoJSON in WGS 84).
        Answers ``{"id", "href"}`` (201) or problem+json."""
        try:
            await visible_kommun(db, principal, kommun)
            data = await request.form()
            area_id = await area_cases.draw_area(db, principal, kommun, _text(data, "name"), _text(data, "kind"), _text(data, "geometry"))
        except GrannsamverkanError as exc:
            return project_error(request, exc)
        return Response({"id": area_id, "href": f"/omraden/{area_id}?klart=andrad"}, status_code=201)

    @post("/omraden/{area_id:int}/grans", opt={"capability": "write"})
    async def reshape_area(self, request: Request[Any, Any, Any], db: Db, principal: Caller, area_id: FromPath[int]) -> Response[Any]:
        """An area's new boundary (form field geometry: GeoJSON in WGS 84; erase_contacts=1 confirms
        erasing contact persons whose household ends up outside). Answers ``{"id", "href"}`` or problem+json."""
        try:
            await areas.get_area(db, area_id, principal.scope)
            data = await request.form()
            await area_cases.reshape_area(db, principal, area_id, _text(data, "geometry"), erase_contacts=data.get("erase_contacts") == "1")
        except GrannsamverkanError as exc:
            return project_error(request, exc)
        return Response({"id": area_id, "href": f"/omraden/{area_id}?klart=andrad"}, status_code=200)

    @post("/omraden/{area_id:int}/dela", opt={"capability": "write"}, status_code=201)
    async def split_area(self, request: Request[Any, Any, Any], db: Db, principal: Caller, area_id: FromPath[int]) -> Response[Any]:
        """The area split along a line drawn across it (form fields line: a GeoJSON LineString in
        WGS 84, name: the new piece's name). Answers the new area ``{"id", "href"}`` (201) or problem+json."""
        try:
            await areas.get_area(db, area_id, principal.scope)
            data = await request.form()
            new_id = await area_cases.split_area(
                db, principal, area_id, _text(data, "line"), _text(data, "name"), erase_contacts=data.get("erase_contacts") == "1"
            )
        except GrannsamverkanError as exc:
            return project_error(request, exc)
        return Response({"id": new_id, "href": f"/omraden/{area_id}?klart=andrad"}, status_code=201)


def _text(data: FormMultiDict, name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) else None
