"""Every route × every role × own and foreign kommun, generated from the app's route table.

The table is read from ``app.routes`` (each handler's ``opt["capability"]``, its methods and path
parameters) and the app's own OpenAPI document (query parameters, request bodies), so a route
added tomorrow is in the matrix without touching this file, unless it needs a path parameter this
file cannot fill: then the test fails and names it. Add the parameter to ``PATH_PARAMETERS``.

Expected status of a cell:
- no token: 401 (problem+json);
- the role lacks the route's capability: 403;
- the kommun is visible to the token (admin, or the token's own kommun): 2xx, or a 4xx that is not
  401/403/404 (bodies are the simplest valid ones known, else ``{}``);
- a scoped token on the other kommun's ids: 404; on its kommun code in the path: 403 or 404; on a
  list: 200 with nothing of the other kommun; on a write without ids: refused (4xx).
In every cell a scoped token's answer contains none of the other kommun's marker strings, and a
scoped token's cell on the other kommun leaves every row of that kommun unchanged.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from grannsamverkan.domain.access import POLICY, ROLES
from tests.conftest import TokenFactory
from tests.geodata import ARVIDSJAUR, RAMSELE, area_feature, grid_points, households_csv

OWN, FOREIGN = "2283", "2505"
CENTERS = {OWN: RAMSELE, FOREIGN: ARVIDSJAUR}
YEAR = 2026
GUARDED_ELSEWHERE = ("/schema",)  # the OpenAPI document and its renderers: public, outside the API router


def marker(kind: str, kommun: str) -> str:
    """A string that appears only in rows of ``kommun``: finding it elsewhere is a leak."""
    return f"{kind}-{kommun}-mark"


def markers(kommun: str) -> list[str]:
    return [marker(k, kommun) for k in ("Omrade", "Grupp", "Kontakt", "Gata", "Ort", "hh", "Plats")]


# --- the fixture world --------------------------------------------------------------------------


@dataclass
class World:
    """What one kommun holds; built through the API with an admin token."""

    kommun: str
    area_id: int = 0
    household_ids: list[int] = field(default_factory=list)
    group_id: int = 0
    contact_id: int = 0
    meeting_id: int | None = None
    promise_id: int | None = None
    activity_id: int | None = None
    walk_point_id: int | None = None
    offer_id: int | None = None
    burglaries: int = 0
    report_id: int = 0
    sign_id: int = 0
    year: int = YEAR

    @property
    def signed_up(self) -> list[int]:
        return self.household_ids[:2]

    @property
    def not_signed_up(self) -> int:
        return self.household_ids[-1]


def operation_ids(app: Litestar) -> set[str]:
    return {
        h.operation_id
        for r in app.routes
        if isinstance(r, HTTPRoute)
        for h in r.route_handlers
        if isinstance(getattr(h, "operation_id", None), str)
    }


_offsets = itertools.count(1)


async def build_world(
    client: AsyncTestClient,
    admin: dict[str, str],
    kommun: str,
    *,
    households: int = 5,
    center: tuple[float, float] | None = None,
    tag: str = "",
) -> World:
    """Area, households, a group with sign-ups and a contact person, a goal, a meeting and
    burglaries in ``kommun``; families whose routes do not exist (yet) are left out."""
    ops = operation_ids(client.app)
    center = center or CENTERS[kommun]
    world = World(kommun=kommun)

    async def ok(response: httpx.Response) -> Any:
        assert response.status_code < 300, f"{response.request.method} {response.request.url}: {response.text}"
        return response.json() if response.content else None

    area = await ok(await client.post("/api/v1/areas", json=area_feature(marker("Omrade", kommun) + tag, kommun, center), headers=admin))
    world.area_id = area["properties"]["id"]
    csv = households_csv(marker("hh", kommun) + tag + "-", grid_points(center, households)).replace("Storgatan", marker("Gata", kommun))
    await ok(
        await client.post(f"/api/v1/households/import?kommun={kommun}", content=csv.encode(), headers={**admin, "content-type": "text/csv"})
    )
    listed = await ok(await client.get(f"/api/v1/areas/{world.area_id}/households?limit=1000", headers=admin))
    world.household_ids = sorted(h["id"] for h in listed["items"])
    assert len(world.household_ids) == households
    group = await ok(
        await client.post(
            "/api/v1/groups", json={"area_id": world.area_id, "kind": "byavakt", "name": marker("Grupp", kommun) + tag}, headers=admin
        )
    )
    world.group_id = group["id"]
    for household_id in world.signed_up:
        await ok(await client.post(f"/api/v1/groups/{world.group_id}/signups", json={"household_id": household_id}, headers=admin))
    contact = await ok(
        await client.post(
            f"/api/v1/groups/{world.group_id}/contacts",
            json={
                "household_id": world.signed_up[0],
                "name": marker("Kontakt", kommun) + tag,
                "phone": "070-000 00 00",
                "email": f"kontakt{kommun}@example.se",
            },
            headers=admin,
        )
    )
    world.contact_id = contact["id"]
    if "createSign" in ops:
        sign = await ok(
            await client.post(
                f"/api/v1/groups/{world.group_id}/signs",
                json={"label": marker("Skylt", kommun) + tag, "ordered_on": f"{YEAR}-02-01"},
                headers=admin,
            )
        )
        world.sign_id = sign["id"]
    if "putGoal" in ops:
        await ok(await client.put(f"/api/v1/goals/{kommun}/{YEAR}", json={"target_new_groups": 3}, headers=admin))
    if "createMeeting" in ops:
        meeting = await ok(
            await client.post(
                "/api/v1/meetings",
                json={
                    "kommun": kommun,
                    "held_on": f"{YEAR}-03-01",
                    "locality": marker("Ort", kommun) + tag,
                    "topic": "byavakt",
                    "attendees": 12,
                },
                headers=admin,
            )
        )
        world.meeting_id = meeting["id"]
    if "createPromise" in ops:
        promise = await ok(
            await client.post(
                "/api/v1/promises",
                json={
                    "kommun": kommun,
                    "year": YEAR,
                    "promisor": "polisen",
                    "title": marker("Ort", kommun) + tag,
                    "measure": "one_off",
                    "due_on": f"{YEAR}-10-31",
                    "activity_kind": "trygghetsvandring",
                },
                headers=admin,
            )
        )
        world.promise_id = promise["promise"]["id"]
        walk = await ok(
            await client.post(
                "/api/v1/activities",
                json={
                    "promise_id": world.promise_id,
                    "held_on": f"{YEAR}-09-01",
                    "place": marker("Ort", kommun) + tag,
                    "walk_points": [{"place": marker("Ort", kommun) + tag, "problem": "Mörkt"}],
                },
                headers=admin,
            )
        )
        world.activity_id, world.walk_point_id = walk["id"], walk["walk_points"][0]["id"]
        offer = await ok(
            await client.post(
                "/api/v1/area-offers", json={"area_id": world.area_id, "offered_on": f"{YEAR}-02-01", "how": "brev"}, headers=admin
            )
        )
        world.offer_id = offer["id"]
    if "importBurglaries" in ops and not tag:
        lon, lat = center
        rows = ["external_ref,occurred_from,occurred_to,category,lon,lat"] + [
            f"b{kommun}-{i},2025-0{i + 1}-10,2025-0{i + 1}-11,villa,{lon + 0.001 * i:.6f},{lat:.6f}" for i in range(3)
        ]
        await ok(
            await client.post(
                f"/api/v1/burglaries/import?kommun={kommun}",
                content="\n".join(rows).encode() + b"\n",
                headers={**admin, "content-type": "text/csv"},
            )
        )
        world.burglaries = 3
    if "createPlace" in ops:
        lon, lat = CENTERS[kommun]  # inside the kommun (a fresh world's centre may lie outside)
        place = await ok(
            await client.post(
                "/api/v1/places",
                json={
                    "kommun": kommun,
                    "category": "belysning",
                    "what": "Mörk gångväg",
                    # published texts are public; the described place is for the kommun's coordinators only
                    "place_text": marker("Plats", kommun) + tag,
                    "location": {"type": "Point", "coordinates": [lon, lat]},
                },
                headers=admin,
            )
        )
        world.report_id = place["id"]
        await ok(await client.post(f"/api/v1/places/{world.report_id}/publish", headers=admin))  # police see published ones
    return world


async def fresh_world(client: AsyncTestClient, admin: dict[str, str], kommun: str) -> World:
    """A small world of its own, for a write that may change or remove what it names."""
    n = next(_offsets)
    lon, lat = CENTERS[kommun]
    # A grid around the centre, so the worlds stay inside the kommun (households outside it are refused).
    center = (lon + 0.02 * (n % 15 - 7), lat + 0.01 + 0.012 * (n // 15))
    return await build_world(client, admin, kommun, households=3, center=center, tag=f"-f{n}")


# --- the route table ----------------------------------------------------------------------------

# Path parameter name -> how to fill it from a World. A route whose path parameter is not here
# fails the test: add it (and, when it names kommun data, make it answer 404 for other kommuner).
PATH_PARAMETERS: dict[str, Callable[[World], Any]] = {
    "area_id": lambda w: w.area_id,
    "group_id": lambda w: w.group_id,
    # In /groups/{group_id}/signups/{household_id} the household must be signed up.
    "household_id": lambda w: w.signed_up[1],
    "contact_id": lambda w: w.contact_id,
    "meeting_id": lambda w: w.meeting_id,
    "promise_id": lambda w: w.promise_id,
    "activity_id": lambda w: w.activity_id,
    "point_id": lambda w: w.walk_point_id,
    "offer_id": lambda w: w.offer_id,
    "report_id": lambda w: w.report_id,
    "sign_id": lambda w: w.sign_id,
    # Open311 (public): a category's definition and a published request, each with its format.
    "service_file": lambda w: "belysning.json",
    "request_file": lambda w: f"{w.report_id}.json",
    "kommun": lambda w: w.kommun,
    "year": lambda w: w.year,
    # The web pages' static files.
    "file_path": lambda w: "style.css",
}
# Path parameters that are kommun codes (a foreign one may be 403 or 404), and those that name no
# row at all; every other path parameter is an id of a kommun's row (a foreign one is 404).
KOMMUN_PATH_PARAMETERS = {"kommun"}
PLAIN_PATH_PARAMETERS = {"year", "file_path", "service_file", "request_file"}


def id_parameters(route: Route) -> set[str]:
    return set(route.path_parameters) - KOMMUN_PATH_PARAMETERS - PLAIN_PATH_PARAMETERS


# Required query parameters -> value.
QUERY_PARAMETERS: dict[str, Callable[[World], Any]] = {
    "kommun": lambda w: w.kommun,
}

# The simplest valid body per operation (unknown operations get ``{}``).
Body = tuple[str, bytes]


def _json(value: Any) -> Body:
    return "application/json", json.dumps(value).encode()


_area_offsets = itertools.count(1)


def _new_area(w: World) -> Body:
    lon, lat = CENTERS[w.kommun]
    feature = area_feature(f"Ny-{next(_area_offsets)}", w.kommun, (lon - 0.02 * next(_area_offsets), lat - 0.02), half=0.003)
    return "application/geo+json", json.dumps(feature).encode()


BODIES: dict[str, Callable[[World], Body]] = {
    "createArea": _new_area,
    "importAreas": lambda w: ("application/geo+json", json.dumps({"type": "FeatureCollection", "features": []}).encode()),
    "updateArea": lambda w: _json({"properties": {"kind": "by"}}),
    "createHousehold": lambda w: _json({"kommun": w.kommun, "street": "Ny gata 1", "postcode": "880 40", "city": "Ramsele"}),
    "importHouseholds": lambda w: ("text/csv", b"external_ref,street,postcode,city,lon,lat\n"),
    "createGroup": lambda w: _json({"area_id": w.area_id, "kind": "grannsamverkan", "name": "Ny grupp"}),
    "createSignup": lambda w: _json({"household_id": w.not_signed_up}),
    "createContactPerson": lambda w: _json({"household_id": w.signed_up[1], "name": "Ny Kontakt"}),
    "establishGroup": lambda w: _json({}),
    "dissolveGroup": lambda w: _json({}),
    "putGoal": lambda w: _json({"target_new_groups": 4}),
    "createMeeting": lambda w: _json({"kommun": w.kommun, "held_on": f"{YEAR}-04-01", "locality": "Ny ort", "topic": "grannsamverkan"}),
    "createPromise": lambda w: _json(
        {"kommun": w.kommun, "year": YEAR, "promisor": "kommunen", "title": "Nytt löfte", "measure": "qualitative"}
    ),
    "replacePromise": lambda w: _json(
        {"kommun": w.kommun, "year": YEAR, "promisor": "polisen", "title": "Ändrat löfte", "measure": "one_off", "due_on": f"{YEAR}-11-30"}
    ),
    "setPromiseStatus": lambda w: _json({"owner_status": "paborjad"}),
    "createActivity": lambda w: _json({"promise_id": w.promise_id, "held_on": f"{YEAR}-09-02"}),
    "setWalkPointStatus": lambda w: _json({"status": "atgardad"}),
    "createAreaOffer": lambda w: _json({"area_id": w.area_id, "offered_on": f"{YEAR}-03-01", "how": "mote"}),
    "putCouncilMeeting": lambda w: _json({"last_meeting_on": f"{YEAR}-12-14"}),
    "importBurglaries": lambda w: ("text/csv", b"external_ref,occurred_from,occurred_to,category,lon,lat\n"),
    "createPlace": lambda w: _json(
        {
            "kommun": w.kommun,
            "category": "trafik",
            "what": "Ny plats",
            "location": {"type": "Point", "coordinates": list(CENTERS[w.kommun])},
        }
    ),
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # the OpenAPI form, /api/v1/groups/{group_id}
    capability: str | None
    path_parameters: tuple[str, ...]
    operation_id: str
    required_query: tuple[str, ...]
    query: tuple[str, ...]
    has_body: bool

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.operation_id})"


def route_table(app: Litestar) -> list[Route]:
    """Every method of every route the app serves, except Litestar's automatic OPTIONS answers and
    the OpenAPI document's own routes."""
    schema = app.openapi_schema
    table = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(GUARDED_ELSEWHERE):
            continue
        for handler in route.route_handlers:
            if "create_options_handler" in getattr(handler.fn, "__qualname__", ""):
                continue
            for method in sorted(handler.http_methods):
                path_item = schema.paths.get(route.path_format) if schema.paths else None
                operation = getattr(path_item, method.lower(), None) if path_item else None
                parameters = (operation.parameters or []) if operation else []
                query = [p for p in parameters if getattr(p, "param_in", None) == "query"]
                table.append(
                    Route(
                        method=method,
                        path=route.path_format,
                        capability=handler.opt.get("capability"),
                        path_parameters=tuple(route.path_parameters),
                        operation_id=str(getattr(handler, "operation_id", None) or handler.handler_name),
                        required_query=tuple(p.name for p in query if p.required),
                        query=tuple(p.name for p in query),
                        has_body=bool(operation and operation.request_body),
                    )
                )
    return table


# --- the matrix ---------------------------------------------------------------------------------

Cell = tuple[Route, str, str]  # route, role, side
Snapshot = Callable[[], Awaitable[str]]


def _url(route: Route, world: World) -> str:
    path = route.path
    for name in route.path_parameters:
        path = path.replace("{" + name + "}", str(PATH_PARAMETERS[name](world)))
    params = {name: QUERY_PARAMETERS[name](world) for name in route.required_query}
    if "kommun" in route.query:
        params["kommun"] = world.kommun
    return path + ("?" + str(httpx.QueryParams(params)) if params else "")


def is_page(route: Route) -> bool:
    """A server-rendered page (HTML, cookie session, CSRF token on forms), not the JSON API."""
    return not route.path.startswith(("/api/", "/health"))


def credentials(route: Route, bearer: dict[str, str]) -> dict[str, str]:
    """The token as the API takes it (a bearer header); to a page, with the form token the CSRF
    check wants (pages take the bearer header as well as a session cookie; the session cookie is
    tested in tests/security/test_sessions.py)."""
    if not is_page(route) or not bearer:
        return dict(bearer)
    from grannsamverkan.web.csrf import CSRF_COOKIE, CSRF_HEADER, expected_token

    seed = "matrix-csrf-seed"
    return {**bearer, "Cookie": f"{CSRF_COOKIE}={seed}", CSRF_HEADER: expected_token(seed, None)}


def _body(route: Route, world: World) -> Body | None:
    if route.method in ("GET", "HEAD", "DELETE") and not route.has_body:
        return None
    if is_page(route):
        return "application/x-www-form-urlencoded", b""
    maker = BODIES.get(route.operation_id)
    return maker(world) if maker else _json({})


def _expected(route: Route, role: str, side: str, body_known: bool) -> set[int] | str:
    if route.capability == "public":
        return "public"
    if route.capability not in POLICY[role]:  # type: ignore[index]
        return {403}
    if role == "admin" or side == "own":
        return "allowed"
    if id_parameters(route):
        return {404} if body_known or not route.has_body else {404, 400, 422}
    if set(route.path_parameters) & KOMMUN_PATH_PARAMETERS:
        return {403, 404}
    if route.method in ("GET", "HEAD"):
        return {200, 303, 400, 403, 404, 422} if is_page(route) else {200, 400, 403, 404, 422}
    return "refused"


def _problem(response: httpx.Response) -> None:
    assert response.headers.get("content-type", "").startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == response.status_code and body["type"] and body["title"]


async def _foreign_rows(conn: asyncpg.Connection) -> str:
    """Every row of the other kommun, in every table with a kommun column (audit trail included)."""
    tables = await conn.fetch(
        "select table_name from information_schema.columns where table_schema = 'public' and column_name = 'kommun' "
        "and table_name in (select table_name from information_schema.tables where table_type = 'BASE TABLE') order by 1"
    )
    parts = []
    for t in tables:
        name = t["table_name"]
        parts.append(
            await conn.fetchval(
                f"select coalesce(string_agg(row_to_json(snapshot_row)::text, '|' order by row_to_json(snapshot_row)::text), '') "
                f'from "{name}" snapshot_row where kommun = $1',
                FOREIGN,
            )
        )
    return "\n".join(parts)


async def test_route_table_declares_capabilities_and_fillable_parameters(client: AsyncTestClient) -> None:
    table = route_table(client.app)
    assert len(table) > 20
    missing_capability = [str(r) for r in table if r.capability is None]
    assert not missing_capability, f"routes without opt['capability'] (the guard refuses them): {missing_capability}"
    unknown_path = [f"{r}: {{{p}}}" for r in table for p in r.path_parameters if p not in PATH_PARAMETERS]
    assert not unknown_path, f"path parameters the matrix cannot fill; add them to PATH_PARAMETERS: {unknown_path}"
    unknown_query = [f"{r}: ?{q}=" for r in table for q in r.required_query if q not in QUERY_PARAMETERS]
    assert not unknown_query, f"required query parameters the matrix cannot fill; add them to QUERY_PARAMETERS: {unknown_query}"
    known_capabilities = set().union(*POLICY.values()) | {"public"}
    unknown = [f"{r}: {r.capability!r}" for r in table if r.capability not in known_capabilities]
    assert not unknown, f"capabilities no role has: {unknown}"


async def test_authorization_matrix(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    table = route_table(client.app)
    assert not [r for r in table if r.capability is None], "see test_route_table_declares_capabilities_and_fillable_parameters"
    assert not [p for r in table for p in r.path_parameters if p not in PATH_PARAMETERS], "see the test above"

    admin = await auth("admin", name="matrix-builder")
    worlds = {OWN: await build_world(client, admin, OWN), FOREIGN: await build_world(client, admin, FOREIGN)}
    tokens = {"admin": await auth("admin"), "coordinator": await auth("coordinator", OWN), "police": await auth("police", OWN)}
    assert set(tokens) == set(ROLES)

    failures: list[str] = []

    # No token: 401 on every guarded route.
    for route in table:
        if route.capability == "public":
            continue
        response = await client.request(route.method, _url(route, worlds[OWN]), follow_redirects=False)
        if route.path.startswith("/api/"):
            if response.status_code != 401:
                failures.append(f"{route} without a token: {response.status_code}, expected 401")
            else:
                _problem(response)
        elif response.status_code not in (401, 302, 303, 307):
            failures.append(f"{route} without a token: {response.status_code}, expected 401 or a redirect to sign in")

    # Writes that may change what their ids name run on a world of their own when they are allowed.
    cells: list[Cell] = [(route, role, side) for route in table for role in ROLES for side in ("own", "foreign")]
    for route, role, side in cells:
        kommun = OWN if side == "own" else FOREIGN
        scoped = role != "admin"
        allowed = _expected(route, role, side, route.operation_id in BODIES) == "allowed"
        world = worlds[kommun]
        if allowed and route.method != "GET" and id_parameters(route):
            world = await fresh_world(client, admin, kommun)
        url = _url(route, world)
        body = _body(route, world)
        before = await _foreign_rows(conn) if scoped and side == "foreign" else None
        headers = credentials(route, tokens[role])
        if body is not None:
            headers["content-type"] = body[0]
        response = await client.request(route.method, url, content=body[1] if body else None, headers=headers, follow_redirects=False)
        status = response.status_code
        where = f"{route} as {role} ({OWN if role != 'admin' else 'all'}) on {side} kommun {kommun}: {url} -> {status}"
        expected = _expected(route, role, side, route.operation_id in BODIES)

        if status >= 500:
            failures.append(f"{where}: server error {response.text[:300]}")
            continue
        if expected == "public":
            pass  # no capability needed: any answer that is not a server error
        elif expected == "allowed":
            redirect = is_page(route) and 300 <= status < 400 and "logga-in" not in response.headers.get("location", "")
            if not (200 <= status < 300 or redirect or (400 <= status < 500 and status not in (401, 403, 404))):
                failures.append(f"{where}: expected 2xx or a 4xx other than 401/403/404; {response.text[:300]}")
        elif expected == "refused":
            if not 400 <= status < 500 or status == 401:
                failures.append(f"{where}: a write on the other kommun must be refused; {response.text[:300]}")
        elif status not in expected:
            failures.append(f"{where}: expected {sorted(expected)}; {response.text[:300]}")
        if status >= 400 and route.path.startswith("/api/"):
            try:
                _problem(response)
            except (AssertionError, ValueError) as exc:
                failures.append(f"{where}: not problem+json: {exc}")
        if scoped:
            leaked = [m for m in markers(FOREIGN) if m in response.text]
            if leaked:
                failures.append(f"{where}: answer shows the other kommun's data {leaked}")
        if before is not None and await _foreign_rows(conn) != before:
            failures.append(f"{where}: the other kommun's rows changed")

    assert not failures, "\n".join(failures)


async def test_the_matrix_is_not_vacuous(client: AsyncTestClient, auth: TokenFactory) -> None:
    """The fixture world is reachable: the owner reads its group, the other kommun gets 404."""
    admin = await auth("admin")
    world = await build_world(client, admin, OWN)
    own, other = await auth("coordinator", OWN), await auth("coordinator", FOREIGN)
    response = await client.get(f"/api/v1/groups/{world.group_id}", headers=own)
    assert response.status_code == 200 and marker("Grupp", OWN) in response.text
    assert (await client.get(f"/api/v1/groups/{world.group_id}", headers=other)).status_code == 404
    assert re.search(marker("Kontakt", OWN), (await client.get(f"/api/v1/groups/{world.group_id}/contacts", headers=own)).text)
