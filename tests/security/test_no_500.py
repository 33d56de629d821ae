"""Issue 13, item 12: hostile input is a clear 4xx, never a 500 with a traceback in the log.

Deeply nested JSON on JSON routes, a CSV with byte 0x81 (undefined in Windows-1252), a quoted CSV
field over 128 KB (the csv module's field limit) and ``OPTIONS`` without a token.
"""

from __future__ import annotations

import logging

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import TokenFactory, assert_problem
from tests.geodata import SOLLEFTEA, grid_points, households_csv

NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture
def no_traceback(caplog: pytest.LogCaptureFixture):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    yield
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not logged, [r.getMessage() for r in logged]


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/areas", "POST"),
        ("/api/v1/areas/import", "POST"),
        ("/api/v1/groups", "POST"),
        ("/api/v1/households", "POST"),
        ("/api/v1/goals/2283/2026", "PUT"),
        ("/api/v1/burglaries/import?kommun=2283", "POST"),
    ],
)
async def test_deeply_nested_json_is_400(client: AsyncTestClient, auth: TokenFactory, no_traceback: None, path: str, method: str) -> None:
    headers = {**await auth("coordinator", "2283"), "content-type": "application/json"}
    body = assert_problem(await client.request(method, path, content=NESTED, headers=headers), 400)
    assert "djup" in body["detail"] or "JSON" in body["detail"], body


async def test_csv_with_a_byte_undefined_in_windows_1252_is_400(client: AsyncTestClient, auth: TokenFactory, no_traceback: None) -> None:
    headers = {**await auth("coordinator", "2283"), "content-type": "text/csv"}
    csv = households_csv("h", grid_points(SOLLEFTEA, 3)).encode("utf-8")
    csv = csv.replace(b"h1,", b"h\x81,", 1)
    for path in ("/api/v1/households/import?kommun=2283", "/api/v1/burglaries/import?kommun=2283"):
        body = assert_problem(await client.post(path, content=csv, headers=headers), 400)
        assert "0x81" in body["detail"], body


async def test_a_quoted_field_over_128_kb_is_refused_with_its_line(client: AsyncTestClient, auth: TokenFactory, no_traceback: None) -> None:
    headers = {**await auth("coordinator", "2283"), "content-type": "text/csv"}
    lines = households_csv("h", grid_points(SOLLEFTEA, 3)).splitlines()
    lines[2] = lines[2].replace("Storgatan 2", '"' + "x" * 140_000 + '"', 1)
    csv = ("\n".join(lines) + "\n").encode()
    for path in ("/api/v1/households/import?kommun=2283", "/api/v1/burglaries/import?kommun=2283"):
        response = await client.post(path, content=csv, headers=headers)
        assert response.status_code in (400, 422), response.text
        body = assert_problem(response, response.status_code)
        assert "500 000" not in body["detail"] and (body["errors"] or "rad 3" in body["detail"]), body


@pytest.mark.parametrize("path", ["/api/v1/groups", "/api/v1/areas/1", "/api/v1/kommuner", "/api/v1/groups/1/eligibility"])
async def test_options_without_a_token_is_401(client: AsyncTestClient, no_traceback: None, path: str) -> None:
    assert_problem(await client.options(path), 401)


@pytest.mark.parametrize("path", ["/kommun/2283", "/import/hushall", "/"])
async def test_options_on_a_page_without_a_session_is_401(client: AsyncTestClient, no_traceback: None, path: str) -> None:
    response = await client.options(path, follow_redirects=False)
    assert response.status_code == 401 and response.headers["content-type"].startswith("text/html")


async def test_options_with_a_token_lists_the_methods(client: AsyncTestClient, auth: TokenFactory) -> None:
    response = await client.options("/api/v1/groups", headers=await auth("police", "2283"))
    assert response.status_code == 204, response.text
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"POST", "OPTIONS"}
