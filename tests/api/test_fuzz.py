"""Hostile input: property-based fuzzing from the app's own OpenAPI document, oversized bodies,
and SQL-looking strings.

Schemathesis generates requests (valid and invalid) for every operation of ``/schema/openapi.json``;
each is sent with every role's token, half of them with path ids of a real fixture world. No answer
may be a 5xx, and every error is RFC 9457 problem+json. Bounded: a few examples per operation,
role and mode, and a time budget for the whole run.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient
from schemathesis import GenerationMode

from grannsamverkan.app import create_app
from grannsamverkan.domain.access import ROLES
from grannsamverkan.settings import Settings
from tests.api.test_authorization_matrix import FOREIGN, OWN, PATH_PARAMETERS, build_world
from tests.conftest import TokenFactory, assert_problem
from tests.geodata import RAMSELE, area_feature, grid_points

EXAMPLES = 6  # per operation, role and generation mode
BUDGET_SECONDS = 100.0
BASE_URL = "http://testserver.local"


def _httpx_kwargs(transport: dict[str, Any]) -> dict[str, Any]:
    """Schemathesis serialises for `requests`; the Litestar test client speaks httpx."""
    kwargs: dict[str, Any] = {
        "method": transport["method"],
        "url": transport["url"],
        "headers": {k: str(v) for k, v in (transport.get("headers") or {}).items()},
        "params": transport.get("params") or None,
    }
    if "json" in transport:
        kwargs["content"] = json.dumps(transport["json"]).encode()
        kwargs["headers"].setdefault("Content-Type", "application/json")
    elif transport.get("data") is not None:
        data = transport["data"]
        kwargs["content"] = data.encode() if isinstance(data, str) else data if isinstance(data, bytes) else json.dumps(data).encode()
    cookies = transport.get("cookies")
    if cookies:
        kwargs["headers"]["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return kwargs


def _check(response: httpx.Response, label: str) -> str | None:
    """The failure, if any: a 5xx, or an error that is not problem+json."""
    status = response.status_code
    if status >= 500:
        return f"{label}: {status} {response.text[:300]}"
    if status >= 400 and "/open311/" in str(response.request.url):
        return _check_open311(response, label)
    if status >= 400:
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith("application/problem+json"):
            return f"{label}: {status} answered as {content_type!r}, not problem+json: {response.text[:200]}"
        body = response.json()
        if body.get("status") != status or not body.get("type") or not body.get("title"):
            return f"{label}: malformed problem {body}"
    return None


def _check_open311(response: httpx.Response, label: str) -> str | None:
    """Open311 GeoReport v2 errors: ``[{"code", "description"}]`` (or ``<errors>`` in XML), code = status."""
    import xml.etree.ElementTree as ET

    status = response.status_code
    try:
        if response.request.url.path.endswith(".xml"):
            codes = [int(e.findtext("code") or 0) for e in ET.fromstring(response.text).iter("error")]
        else:
            codes = [int(e["code"]) for e in response.json() if e.get("description")]
    except (ValueError, KeyError, TypeError, ET.ParseError):
        codes = []
    return None if codes == [status] else f"{label}: {status} is not an Open311 error: {response.text[:200]}"


@pytest.mark.slow
async def test_fuzz_every_operation_with_every_role(client: AsyncTestClient, auth: TokenFactory) -> None:
    admin = await auth("admin", name="fuzz-builder")
    worlds = [await build_world(client, admin, OWN), await build_world(client, admin, FOREIGN)]
    tokens = {"admin": await auth("admin"), "coordinator": await auth("coordinator", OWN), "police": await auth("police", OWN)}
    assert set(tokens) == set(ROLES)
    document = (await client.get("/schema/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)

    loop = asyncio.get_running_loop()
    failures: list[str] = []
    seen: dict[str, set[int]] = {}
    started = time.monotonic()

    def send(kwargs: dict[str, Any]) -> httpx.Response:
        return asyncio.run_coroutine_threadsafe(client.request(**kwargs), loop).result(timeout=60)

    def fuzz_operation(operation: Any) -> None:
        # Free generation, plus the same with the path ids and kommun of a real fixture world, so
        # that requests get past "no such id" to the code behind it.
        strategies = []
        names = [p.name for p in operation.path_parameters]
        kommun_query = [p for p in operation.query if p.name == "kommun"]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies.append(operation.as_strategy(generation_mode=mode))
            if (names or kommun_query) and all(n in PATH_PARAMETERS for n in names):
                for world in worlds:
                    path = {n: PATH_PARAMETERS[n](world) for n in names} or None
                    query = None
                    if kommun_query:
                        is_list = "array" in json.dumps(kommun_query[0].definition.get("schema", {}))
                        query = {"kommun": [world.kommun] if is_list else world.kommun}
                    strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=path, query=query))

        @hypothesis.settings(
            max_examples=EXAMPLES * len(strategies),
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(strategies), role=st.sampled_from(ROLES))
        def run(case: Any, role: str) -> None:
            if time.monotonic() - started > BUDGET_SECONDS:
                return
            kwargs = _httpx_kwargs(case.as_transport_kwargs(base_url=BASE_URL))
            kwargs["headers"].update(tokens[role])
            response = send(kwargs)
            seen.setdefault(operation.label, set()).add(response.status_code)
            failure = _check(
                response, f"{role} {kwargs['method']} {kwargs['url']} params={kwargs['params']} body={str(kwargs.get('content'))[:200]}"
            )
            if failure:
                failures.append(failure)

        run()

    def fuzz_all() -> None:
        for result in schema.get_all_operations():
            fuzz_operation(result.ok())

    await asyncio.to_thread(fuzz_all)
    assert not failures, "\n".join(dict.fromkeys(failures))
    # Every operation was reached, and not only with answers of one kind.
    assert len(seen) == sum(len(v) for v in document["paths"].values())
    assert any(s < 300 for statuses in seen.values() for s in statuses)


# --- oversized bodies ---------------------------------------------------------------------------

SMALL_LIMIT = 1024 * 1024


@pytest.fixture
async def small_client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    """The app with a 1 MiB body limit, so refusing an oversized body needs no 200 MB."""
    import msgspec

    app = create_app(msgspec.structs.replace(settings, max_body_bytes=SMALL_LIMIT), run_migrations=False)
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as test_client:
        yield test_client


@asynccontextmanager
async def _lifespan(app: Any) -> AsyncIterator[Any]:
    """Run the app's lifespan on this event loop (the test client runs the app on a loop of its own)."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    task = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    try:
        yield app
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        assert (await outbox.get())["type"] == "lifespan.shutdown.complete"
        await task


async def _asgi_post_chunked(app: Any, path: str, query: str, headers: dict[str, str], body: bytes, *, chunk: int) -> tuple[int, str, int]:
    """POST ``body`` in chunks without a Content-Length; answers status, content type and how many
    bytes the app pulled before answering."""
    sent = 0
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent >= len(body):
            return {"type": "http.disconnect"}
        piece = body[sent : sent + chunk]
        sent += len(piece)
        return {"type": "http.request", "body": piece, "more_body": sent < len(body)}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()] + [(b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "state": {},
    }
    await app(scope, receive, send)
    return answer["status"], answer["headers"].get("content-type", ""), sent


def _big_csv(megabytes: int) -> bytes:
    line = "hh{:08d},Storgatan 1,881 30,Sollefteå,17.270000,63.167000\n"
    rows = megabytes * 1024 * 1024 // len(line.format(0).encode())
    return ("external_ref,street,postcode,city,lon,lat\n" + "".join(line.format(i) for i in range(rows))).encode()


def _million_vertex_feature(kommun: str = "2283") -> bytes:
    """A Polygon ring of one million vertices around Sollefteå (a circle, valid)."""
    import numpy as np

    n = 1_000_000
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    lon, lat = RAMSELE
    ring = np.column_stack([lon + 0.01 * np.cos(t), lat + 0.005 * np.sin(t)]).round(7).tolist()
    ring.append(ring[0])
    return json.dumps(
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": {"name": "Miljonen", "kommun": kommun}}
    ).encode()


async def test_a_50_mb_csv_is_refused_with_413_before_it_is_read(small_client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = {**await auth("admin"), "content-type": "text/csv"}
    body = _big_csv(50)
    assert len(body) >= 50 * 1024 * 1024
    response = await small_client.post("/api/v1/households/import?kommun=2283", content=body, headers=headers)
    assert_problem(response, 413)
    # A chunked upload (no Content-Length) is cut off at the limit as well; the test client cannot
    # stream, so the ASGI app is called directly, and it must stop reading early.
    async with _lifespan(create_app(small_client.app.state.settings, run_migrations=False)) as app:
        status, content_type, read = await _asgi_post_chunked(app, "/api/v1/households/import", "kommun=2283", headers, body, chunk=1 << 20)
    assert status == 413 and content_type.startswith("application/problem+json")
    assert read <= SMALL_LIMIT + (2 << 20), f"read {read} bytes of a refused body"
    assert (await small_client.get("/api/v1/households?kommun=2283", headers=headers)).json()["total"] == 0


async def test_a_million_vertex_geojson_is_refused_with_413(small_client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = {**await auth("admin"), "content-type": "application/geo+json"}
    body = _million_vertex_feature()
    assert len(body) > SMALL_LIMIT
    for path in ("/api/v1/areas", "/api/v1/areas/import"):
        assert_problem(await small_client.post(path, content=body, headers=headers), 413)


@pytest.mark.slow
async def test_a_million_vertex_area_under_the_default_limit_is_handled_in_bounded_memory(
    client: AsyncTestClient, auth: TokenFactory
) -> None:
    """With the default 200 MB limit the body is read, then refused with 422 by the vertex limit,
    without the process growing by more than a few hundred MB."""
    import resource

    headers = {**await auth("admin"), "content-type": "application/geo+json"}
    body = _million_vertex_feature()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    response = await client.post("/api/v1/areas", content=body, headers=headers)
    elapsed = time.monotonic() - started
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    body = assert_problem(response, 422)  # refused by the vertex limit, saying why
    assert "positioner" in body["detail"]
    assert grown_mb < 1500, f"peak memory grew by {grown_mb:.0f} MB"
    assert elapsed < 60, f"took {elapsed:.1f} s"


# --- SQL-looking strings ------------------------------------------------------------------------

HOSTILE = [
    "Robert'); drop table area;--",
    "x' or '1'='1",
    "$1; select pg_sleep(10); --",
    "\\'; truncate household cascade; --",
    'Åsa "Öberg" ; delete from signup where true; /*',
    "%' and 1=1 --",
    "Robert'); drop table area;-- \u00a0✓",
]


async def test_sql_looking_strings_are_stored_verbatim(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    created_areas = []
    for i, text in enumerate(HOSTILE):
        feature = area_feature(text, "2283", (RAMSELE[0] + 0.01 * i, RAMSELE[1]), half=0.004, external_ref=text)
        response = await client.post("/api/v1/areas", json=feature, headers=headers)
        assert response.status_code == 201, response.text
        assert response.json()["properties"]["name"] == text
        assert response.json()["properties"]["external_ref"] == text
        created_areas.append(response.json()["properties"]["id"])

    area_id = created_areas[0]
    lon, lat = RAMSELE
    csv_lines = ["external_ref;street;postcode;city;lon;lat"]
    for (x, y), text in zip(grid_points((lon, lat), len(HOSTILE)), HOSTILE, strict=True):
        quoted = '"' + text.replace('"', '""') + '"'
        csv_lines.append(f"{quoted};{quoted};881 30;{quoted};{x:.6f};{y:.6f}")
    imported = await client.post(
        "/api/v1/households/import?kommun=2283",
        content=("\n".join(csv_lines) + "\n").encode(),
        headers={**headers, "content-type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["inserted"] == len(HOSTILE)
    households = (await client.get(f"/api/v1/areas/{area_id}/households?limit=1000", headers=headers)).json()["items"]
    assert sorted(h["street"] for h in households) == sorted(HOSTILE)
    assert sorted(h["external_ref"] for h in households) == sorted(HOSTILE)

    group = await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "grannsamverkan", "name": HOSTILE[0]}, headers=headers)
    assert group.status_code == 201 and group.json()["name"] == HOSTILE[0]
    group_id = group.json()["id"]
    household_id = households[0]["id"]
    await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": household_id}, headers=headers)
    # A phone number is checked (issue 13, item 13): such a string is refused, naming the field.
    refused = assert_problem(
        await client.post(
            f"/api/v1/groups/{group_id}/contacts",
            headers=headers,
            json={"household_id": household_id, "name": HOSTILE[1], "phone": HOSTILE[2][:40]},
        ),
        422,
    )
    assert [e["field"] for e in refused["errors"]] == ["phone"]
    contact = await client.post(
        f"/api/v1/groups/{group_id}/contacts",
        json={"household_id": household_id, "name": HOSTILE[1], "phone": "070-123 45 67"},
        headers=headers,
    )
    assert contact.status_code == 201, contact.text
    assert contact.json()["name"] == HOSTILE[1]

    # Filters and query parameters with such strings are values, never SQL.
    for value in HOSTILE:
        listed = await client.get("/api/v1/audit", params={"table": value}, headers=await auth("admin"))
        assert listed.status_code == 200 and listed.json()["total"] == 0
        response = await client.get("/api/v1/groups", params={"kommun": value}, headers=headers)
        assert response.status_code in (200, 422), response.text

    # Everything is still there.
    assert (await client.get("/api/v1/areas?kommun=2283", headers=headers)).json()["total"] == len(HOSTILE)
    assert (await client.get(f"/api/v1/groups/{group_id}/eligibility", headers=headers)).json()["households_signed_up"] == 1


async def test_numbers_beyond_bigint_are_refused_not_500(client: AsyncTestClient, auth: TokenFactory) -> None:
    """Every id in a path (pages included), and every paging parameter, with a value beyond 64 bits
    (found by the fuzzer: asyncpg cannot encode it, and that was a 500)."""
    from tests.api.test_authorization_matrix import PATH_PARAMETERS, credentials, is_page, route_table

    headers = await auth("admin")
    world = await build_world(client, headers, OWN)
    huge = str(2**64 + 7)
    failures = []
    for route in route_table(client.app):
        if route.capability == "public" or (not route.path_parameters and not route.query):
            continue
        path = route.path
        for name in route.path_parameters:
            value = huge if name.endswith("_id") or name == "year" else PATH_PARAMETERS[name](world)
            path = path.replace("{" + name + "}", str(value))
        params = dict.fromkeys(route.required_query, OWN)
        params.update({name: huge for name in ("offset", "row_id", "area_id", "year") if name in route.query})
        unsafe = route.method in ("POST", "PUT", "PATCH")
        content_type = "application/x-www-form-urlencoded" if is_page(route) else "application/json"
        response = await client.request(
            route.method,
            path,
            params=params,
            content=(b"" if is_page(route) else b"{}") if unsafe else None,
            headers={**credentials(route, headers), **({"content-type": content_type} if unsafe else {})},
            follow_redirects=False,
        )
        status = response.status_code
        if status >= 500 or (200 <= status < 300 and (route.path_parameters and huge in path)):
            failures.append(f"{route}: {path} {params} -> {status} {response.text[:200]}")
        elif status >= 400 and not is_page(route) and not response.headers["content-type"].startswith("application/problem+json"):
            failures.append(f"{route}: {status} is not problem+json")
    assert not failures, "\n".join(failures)


async def test_nul_characters_are_refused_not_500(client: AsyncTestClient, auth: TokenFactory) -> None:
    """PostgreSQL text cannot hold U+0000 (found by the fuzzer in ?kommun=)."""
    headers = await auth("admin")
    world = await build_world(client, headers, OWN)
    for path in ("/api/v1/households", "/api/v1/goals", "/api/v1/groups", "/api/v1/areas", "/api/v1/burglaries"):
        assert_problem(await client.get(path, params={"kommun": "22\x0083"}, headers=headers), 422)
    assert_problem(
        await client.post("/api/v1/groups", json={"area_id": world.area_id, "kind": "byavakt", "name": "a\x00b"}, headers=headers), 422
    )
    assert_problem(await client.post("/api/v1/households", json={"kommun": OWN, "street": "Gatan\x00 1"}, headers=headers), 422)
    assert_problem(
        await client.post(
            f"/api/v1/groups/{world.group_id}/contacts", json={"household_id": world.signed_up[1], "name": "K\x00"}, headers=headers
        ),
        422,
    )


async def test_dates_at_the_ends_of_the_calendar_are_refused_not_500(client: AsyncTestClient, auth: TokenFactory) -> None:
    """Every date query parameter of the OpenAPI document with 0001-01-01 and 9999-12-31 (found by the fuzzer)."""
    headers = await auth("admin")
    world = await build_world(client, headers, OWN)
    document = (await client.get("/schema/openapi.json")).json()
    failures = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        if not operation:
            continue
        url = path
        for name in PATH_PARAMETERS:
            url = url.replace("{" + name + "}", str(PATH_PARAMETERS[name](world)))
        dates = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query" and '"date"' in json.dumps(p["schema"])]
        for name in dates:
            for day in ("0001-01-01", "9999-12-31"):
                params = {"kommun": OWN} if any(p["name"] == "kommun" for p in operation["parameters"]) else {}
                response = await client.get(url, params={**params, name: day}, headers=headers)
                if response.status_code >= 500:
                    failures.append(f"GET {url}?{name}={day}: {response.status_code}")
    assert not failures, "\n".join(failures)
