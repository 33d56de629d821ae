from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from tests.conftest import TokenFactory, assert_problem


async def test_health_answers_without_a_token(client: AsyncTestClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_openapi_document_lists_operations(client: AsyncTestClient) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/kommuner" in paths
    for path_item in paths.values():
        for operation in path_item.values():
            assert operation.get("operationId") and operation.get("tags"), operation


async def test_missing_and_unknown_tokens_are_401_problems(client: AsyncTestClient) -> None:
    assert_problem(await client.get("/api/v1/kommuner"), 401)
    assert_problem(await client.get("/api/v1/kommuner", headers={"Authorization": "Bearer nope"}), 401)


async def test_revocation_takes_effect(client: AsyncTestClient, auth: TokenFactory, conn) -> None:  # type: ignore[no-untyped-def]
    from grannsamverkan.db import tokens

    headers = await auth("coordinator", "2283", name="to-revoke")
    assert (await client.get("/api/v1/kommuner", headers=headers)).status_code == 200
    await tokens.revoke_token(conn, "to-revoke")
    assert_problem(await client.get("/api/v1/kommuner", headers=headers), 401)


async def test_audit_is_for_admins_only(client: AsyncTestClient, auth: TokenFactory) -> None:
    for role in ("coordinator", "police"):
        assert_problem(await client.get("/api/v1/audit", headers=await auth(role, "2283")), 403)
    response = await client.get("/api/v1/audit", headers=await auth("admin"))
    assert response.status_code == 200
    assert set(response.json()) == {"items", "total"}


async def test_pagination_bounds_are_validated(client: AsyncTestClient, auth: TokenFactory) -> None:
    body = assert_problem(await client.get("/api/v1/audit?limit=5000", headers=await auth("admin")), 422)
    assert body["errors"][0]["field"] == "limit"


async def test_unknown_route_is_a_404_problem(client: AsyncTestClient, auth: TokenFactory) -> None:
    assert_problem(await client.get("/api/v1/nothing-here", headers=await auth("admin")), 404)


async def test_the_api_page_loads_swagger_ui_from_the_app_itself(client: AsyncTestClient) -> None:
    page = await client.get("/schema/")
    assert page.status_code == 200
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert {a.rsplit("/", 1)[-1] for a in assets} >= {
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "swagger-ui-standalone-preset.js",
        "favicon-32x32.png",
    }
    assert not [a for a in assets if "://" in a], assets  # nothing from a CDN
    for asset in assets:
        response = await client.get(asset)
        assert response.status_code == 200 and len(response.content) > (100 if asset.endswith("-init.js") else 500), asset
