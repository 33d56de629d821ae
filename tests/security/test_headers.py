"""Issue 13, item 11 (headers): error pages (400/403/404/422), /schema, the API's error answers
and the HTML report carry the same Content-Security-Policy, frame-ancestors, nosniff and
no-store headers as the pages."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
from litestar.testing import AsyncTestClient

from tests.conftest import TokenFactory
from tests.web.test_pages import sign_in, token_of


def assert_protected(response: httpx.Response, *, csp: str | None = None) -> None:
    headers = response.headers
    policy = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy, (response.url, dict(headers))
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    if csp is not None:
        assert policy == csp
    assert headers.get("x-content-type-options") == "nosniff", response.url
    assert headers.get("cache-control") == "no-store", response.url


PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


async def test_error_pages_carry_the_page_headers(client: AsyncTestClient, auth: TokenFactory) -> None:
    await sign_in(client, token_of(await auth("police", "2283")))
    seen = {}
    for path in (
        "/prioritering?fran=inte-ett-datum",
        "/import",
        "/finns-inte",
        "/omraden/999999",
        "/mal?ar=abc",
        "/kommun/9999",
        "/mal?kommun=2283&ar=99999",
        "/prioritering?kommun=9999",
    ):
        response = await client.get(path, follow_redirects=False)
        assert response.headers["content-type"].startswith("text/html"), path
        assert_protected(response, csp=PAGE_CSP)
        seen[response.status_code] = path
    print(seen)
    assert {400, 403, 404, 422} <= set(seen), seen
    ok = await client.get("/kommun/2283")
    assert ok.status_code == 200
    assert_protected(ok, csp=PAGE_CSP)


async def test_405_and_413_pages_too(client: AsyncTestClient) -> None:
    response = await client.put("/logga-in", follow_redirects=False)
    assert response.status_code == 405
    assert_protected(response, csp=PAGE_CSP)
    response = await client.post("/logga-in", content=b"x" * 20_000, headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert_protected(response, csp=PAGE_CSP)


async def test_api_errors_carry_them(client: AsyncTestClient, auth: TokenFactory) -> None:
    for response in (
        await client.get("/api/v1/groups"),
        await client.get("/api/v1/groups/1", headers=await auth("police", "2283")),
        await client.post("/api/v1/groups", content=b"{", headers=await auth("coordinator", "2283")),
    ):
        assert response.status_code in (400, 401, 404), response.text
        assert_protected(response)


async def test_the_schema_page_has_no_inline_script_and_the_headers(client: AsyncTestClient) -> None:
    page = await client.get("/schema/")
    assert page.status_code == 200
    assert_protected(page, csp=PAGE_CSP)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text), "inline script would be blocked by the CSP"
    assert "<style" not in page.text and " style=" not in page.text
    assert_protected(await client.get("/schema/openapi.json"))


async def test_the_html_report_allows_only_its_own_style(client: AsyncTestClient, auth: TokenFactory) -> None:
    goal = await client.put("/api/v1/goals/2283/2026", json={"target_new_groups": 10}, headers=await auth("coordinator", "2283"))
    assert goal.status_code in (200, 201), goal.text
    response = await client.get("/api/v1/reports/2283/2026?format=html", headers=await auth("police", "2283"))
    assert response.status_code == 200, response.text
    assert_protected(response)
    policy = response.headers["content-security-policy"]
    styles = re.findall(r"<style>(.*?)</style>", response.text, flags=re.DOTALL)
    assert styles
    for block in styles:
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "script-src" not in policy and "default-src 'none'" in policy
    markdown = await client.get("/api/v1/reports/2283/2026?format=md", headers=await auth("police", "2283"))
    assert_protected(markdown)


async def test_static_files_carry_their_own_policy(client: AsyncTestClient) -> None:
    """A static file (the map library, a page's script, Swagger's assets) runs and embeds nothing
    when opened on its own, and is never sniffed as another type; it may be cached."""
    for path in ("/static/vendor/leaflet/leaflet.js", "/schema/assets/swagger-ui-bundle.js", "/static/map.js"):
        response = await client.get(path)
        assert response.status_code == 200, path
        policy = response.headers.get("content-security-policy", "")
        assert "default-src 'none'" in policy and "sandbox" in policy and "frame-ancestors 'none'" in policy, path
        assert response.headers.get("x-content-type-options") == "nosniff", path
        assert response.headers.get("cache-control") != "no-store", path
