"""The pages through the test client: sign-in cookie, CSRF, roles, and the Ramsele story by forms."""

from __future__ import annotations

import json
import re
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from grannsamverkan.web.session import safe_next
from tests.conftest import TokenFactory, assert_problem

GEODATA = Path(__file__).resolve().parents[2] / "geodata"
CSRF = re.compile(r'name="_csrf_token" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, html[:2000]
    return match.group(1)


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


async def sign_in(client: AsyncTestClient, token: str) -> None:
    client.cookies.clear()
    page = await client.get("/logga-in")
    response = await client.post(
        "/logga-in", data={"_csrf_token": csrf_of(page.text), "token": token, "nasta": "/"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


async def csrf_for(client: AsyncTestClient, path: str) -> tuple[str, str]:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return csrf_of(page.text), page.text


def ramsele_areas() -> bytes:
    collection = json.loads((GEODATA / "demo-areas.geojson").read_text(encoding="utf-8"))
    collection["features"] = [f for f in collection["features"] if f["properties"]["kommun"] == "2283"]
    return json.dumps(collection).encode()


async def import_demo(client: AsyncTestClient) -> None:
    csrf, _ = await csrf_for(client, "/import")
    response = await client.post(
        "/import/omraden", data={"_csrf_token": csrf, "crs": ""}, files={"file": ("areas.geojson", ramsele_areas(), "application/geo+json")}
    )
    assert response.status_code == 200, response.text
    assert "Importen är klar" in response.text
    households = (GEODATA / "demo-households-2283.csv").read_bytes()
    response = await client.post(
        "/import/hushall", data={"_csrf_token": csrf, "kommun": "2283"}, files={"file": ("households.csv", households, "text/csv")}
    )
    assert response.status_code == 200, response.text
    assert "Importen är klar" in response.text


async def ramsele_id(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("select id from area where external_ref = 'ram-by'")


# --- sign-in, cookies, CSRF --------------------------------------------------------------------------


async def test_sign_in_sets_an_httponly_strict_cookie(client: AsyncTestClient, auth: TokenFactory) -> None:
    token = token_of(await auth("coordinator", "2283"))
    page = await client.get("/logga-in")
    assert page.status_code == 200
    assert 'lang="sv"' in page.text and '<label for="token">' in page.text
    seed_cookie = page.headers["set-cookie"]
    assert seed_cookie.startswith("gsv_csrf=") and "HttpOnly" in seed_cookie and "samesite=strict" in seed_cookie.lower()
    response = await client.post(
        "/logga-in", data={"_csrf_token": csrf_of(page.text), "token": token, "nasta": "/kommun/2283"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/kommun/2283"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("gsv_session=gsvs_") and token not in cookie  # a session id, never the token
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http in the test client; https sets Secure
    home = await client.get("/kommun/2283")
    assert home.status_code == 200 and "Sollefteå" in home.text


async def test_sign_in_over_https_sets_secure(settings, auth: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    from grannsamverkan.app import create_app

    token = token_of(await auth("coordinator", "2283"))
    async with AsyncTestClient(app=create_app(settings, run_migrations=False), base_url="https://testserver.local") as https:
        page = await https.get("/logga-in")
        assert "Secure" in page.headers["set-cookie"]
        response = await https.post("/logga-in", data={"_csrf_token": csrf_of(page.text), "token": token}, follow_redirects=False)
        assert response.status_code == 303
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-gsv_session=gsvs_") and "Path=/" in cookie and "Domain" not in cookie
        assert "Secure" in cookie and "samesite=strict" in cookie.lower()
        assert (await https.get("/kommun/2283")).status_code == 200


async def test_forms_without_the_csrf_token_are_refused(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    token = token_of(await auth("coordinator", "2283"))
    page = await client.get("/logga-in")
    refused = await client.post("/logga-in", data={"token": token}, follow_redirects=False)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "gsv_session" not in refused.headers.get("set-cookie", "")
    wrong = await client.post("/logga-in", data={"token": token, "_csrf_token": "0" * 64}, follow_redirects=False)
    assert wrong.status_code == 403
    assert csrf_of(page.text)

    await sign_in(client, token)
    await import_demo(client)
    area_id = await ramsele_id(conn)
    for data in ({}, {"_csrf_token": "f" * 64}):
        response = await client.post(
            f"/omraden/{area_id}/grupp", data={"name": "Byavakt Ramsele", "kind": "byavakt", **data}, follow_redirects=False
        )
        assert response.status_code == 403, response.text
    assert await conn.fetchval("select count(*) from watch_group where area_id = $1", area_id) == 0
    # A token from before signing in (another session) is worthless after it.
    old_csrf = csrf_of(page.text)
    response = await client.post(
        f"/omraden/{area_id}/grupp", data={"name": "x", "kind": "byavakt", "_csrf_token": old_csrf}, follow_redirects=False
    )
    assert response.status_code == 403
    # The header works as well as the form field (for scripts).
    csrf, _ = await csrf_for(client, f"/omraden/{area_id}")
    response = await client.post(
        f"/omraden/{area_id}/grupp",
        data={"name": "Byavakt Ramsele", "kind": "byavakt"},
        headers={"X-CSRF-Token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    # The API is not behind the form check (it takes bearer tokens).
    api = await client.get("/api/v1/kommuner", headers=await auth("police", "2283"))
    assert api.status_code == 200


async def test_wrong_token_and_sign_out(client: AsyncTestClient, auth: TokenFactory) -> None:
    page = await client.get("/logga-in")
    response = await client.post("/logga-in", data={"_csrf_token": csrf_of(page.text), "token": "nope"}, follow_redirects=False)
    assert response.status_code == 401
    assert "okänd eller återkallad" in response.text
    await sign_in(client, token_of(await auth("police", "2283")))
    csrf, _ = await csrf_for(client, "/")
    out = await client.post("/logga-ut", data={"_csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"].startswith("/logga-in")
    assert out.headers["set-cookie"].startswith('gsv_session="";') or out.headers["set-cookie"].startswith("gsv_session=;")
    assert "Max-Age=0" in out.headers["set-cookie"]
    client.cookies.delete("gsv_session")
    again = await client.get("/", follow_redirects=False)
    assert again.status_code == 303


async def test_pages_redirect_to_sign_in_and_the_api_still_answers_401(client: AsyncTestClient) -> None:
    response = await client.get("/kommun/2283?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/logga-in?nasta=/kommun/2283%3Fx%3D1"
    assert_problem(await client.get("/api/v1/areas"), 401)
    assert (await client.get("/static/style.css")).status_code == 200
    assert (await client.get("/static/app.js")).status_code == 200


def test_next_is_only_a_local_path() -> None:
    assert safe_next("/omraden/3") == "/omraden/3"
    for bad in (None, "", "https://evil.example/", "//evil.example/", "/\\evil.example", "omraden"):
        assert safe_next(bad) == "/"


async def test_pages_have_security_headers(client: AsyncTestClient) -> None:
    response = await client.get("/logga-in")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


# --- roles -------------------------------------------------------------------------------------------


async def test_police_see_no_households(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    await sign_in(client, token_of(await auth("coordinator", "2283")))
    await import_demo(client)
    area_id = await ramsele_id(conn)
    street = await conn.fetchval("select street from household where area_id = $1 order by id limit 1", area_id)
    coordinator_view = await client.get(f"/omraden/{area_id}")
    assert street in coordinator_view.text and "dot-open" in coordinator_view.text
    assert (await client.get(f"/omraden/{area_id}/hushall")).status_code == 200

    await sign_in(client, token_of(await auth("police", "2283")))
    forbidden = await client.get(f"/omraden/{area_id}/hushall")
    assert forbidden.status_code == 403
    assert street not in forbidden.text
    police_view = await client.get(f"/omraden/{area_id}")
    assert police_view.status_code == 200
    assert street not in police_view.text
    assert "dot-open" not in police_view.text and "dot-signed" not in police_view.text
    assert "/anmalan" not in police_view.text and "Starta grupp" not in police_view.text
    assert (await client.get("/import")).status_code == 403
    csrf, _ = await csrf_for(client, f"/omraden/{area_id}")
    attempt = await client.post(
        f"/omraden/{area_id}/grupp", data={"_csrf_token": csrf, "name": "x", "kind": "byavakt"}, follow_redirects=False
    )
    assert attempt.status_code == 403
    overview = await client.get("/kommun/2283")
    assert overview.status_code == 200 and "Ramsele" in overview.text and street not in overview.text
    assert (await client.get("/prioritering?kommun=2283")).status_code == 200
    assert (await client.get("/kommun/2505")).status_code == 404


# --- the Ramsele story, by forms ---------------------------------------------------------------------


async def test_ramsele_story(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    await sign_in(client, token_of(await auth("coordinator", "2283")))
    await import_demo(client)
    area_id = await ramsele_id(conn)
    csrf, html = await csrf_for(client, f"/omraden/{area_id}")
    assert "Ingen grupp ännu" in html
    response = await client.post(
        f"/omraden/{area_id}/grupp", data={"_csrf_token": csrf, "name": "Byavakt Ramsele", "kind": "byavakt"}, follow_redirects=False
    )
    assert response.status_code == 303
    group_id = await conn.fetchval("select id from watch_group where area_id = $1", area_id)
    html = (await client.get(f"/omraden/{area_id}")).text
    assert "7 hushåll till och en kontaktperson behövs" in html
    assert re.search(r'id="establish"[^>]*disabled', html)

    household_ids = [r["id"] for r in await conn.fetch("select id from household where area_id = $1 order by id", area_id)]
    assert len(household_ids) == 10
    for n, household_id in enumerate(household_ids[:7], start=1):
        response = await client.post(
            f"/grupper/{group_id}/anmalan",
            data={"_csrf_token": csrf, "household_id": str(household_id), "atgard": "anmal"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/omraden/{area_id}?klart=anmald#hushall-{household_id}"
        if n == 6:
            assert "1 hushåll till och en kontaktperson behövs" in (await client.get(f"/omraden/{area_id}")).text
    html = (await client.get(f"/omraden/{area_id}")).text
    assert "En kontaktperson behövs" in html

    # Twice is a conflict, shown on the page with its status.
    again = await client.post(
        f"/grupper/{group_id}/anmalan", data={"_csrf_token": csrf, "household_id": str(household_ids[0]), "atgard": "anmal"}
    )
    assert again.status_code == 409 and "Det gick inte" in again.text
    # A contact person must be signed up.
    refused = await client.post(
        f"/grupper/{group_id}/kontaktpersoner", data={"_csrf_token": csrf, "household_id": str(household_ids[9]), "name": "Anna"}
    )
    assert refused.status_code == 409
    response = await client.post(
        f"/grupper/{group_id}/kontaktpersoner",
        data={"_csrf_token": csrf, "household_id": str(household_ids[0]), "name": "Anna Berg", "phone": "070-123 45 67"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    html = (await client.get(f"/omraden/{area_id}")).text
    assert "Kan bildas: 7 av 10 hushåll anmälda (70 %)" in html
    assert not re.search(r'id="establish"[^>]*disabled', html)

    csrf, html = await csrf_for(client, "/mal?kommun=2283")
    assert "Inget mål är satt" in html
    year = await conn.fetchval("select extract(year from now() at time zone 'Europe/Stockholm')::int")
    response = await client.post(
        "/mal", data={"_csrf_token": csrf, "kommun": "2283", "year": str(year), "target_new_groups": "4"}, follow_redirects=False
    )
    assert response.status_code == 303
    html = (await client.get(f"/mal?kommun=2283&ar={year}")).text
    assert re.search(r"<strong>0</strong> av 4 nya grupper", html) and "<svg" in html

    response = await client.post(f"/grupper/{group_id}/bilda", data={"_csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert await conn.fetchval("select status from watch_group where id = $1", group_id) == "active"
    html = (await client.get(f"/mal?kommun=2283&ar={year}")).text
    assert re.search(r"<strong>1</strong> av 4 nya grupper", html)
    # The same numbers as the API.
    api = await client.get(f"/api/v1/goals/2283/{year}", headers=await auth("police", "2283"))
    assert api.json()["new_groups"] == 1

    html = (await client.get("/kommun/2283")).text
    assert "state-active" in html and "Ramsele" in html
    assert (await client.get("/prioritering?kommun=2283&metod=rate")).status_code == 200
    assert (await client.get("/prioritering?kommun=2283&metod=bogus")).status_code == 400


async def test_import_errors_name_the_line(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    await sign_in(client, token_of(await auth("coordinator", "2283")))
    csrf, _ = await csrf_for(client, "/import")
    bad = "external_ref,street,postcode,city,lon,lat\nh1,Storgatan 1,881 30,Sollefteå,17.27,63.16\nh2,Storgatan 2,881 30,Sollefteå,63.16,17.27\n"
    response = await client.post(
        "/import/hushall", data={"_csrf_token": csrf, "kommun": "2283"}, files={"file": ("bad.csv", bad.encode(), "text/csv")}
    )
    assert response.status_code == 422
    assert "Rad 3:" in response.text
    assert await conn.fetchval("select count(*) from household") == 0
    other = json.loads((GEODATA / "demo-areas.geojson").read_text(encoding="utf-8"))
    response = await client.post(
        "/import/omraden", data={"_csrf_token": csrf}, files={"file": ("areas.geojson", json.dumps(other).encode(), "application/geo+json")}
    )
    assert response.status_code == 403 and "2505" in response.text
    assert await conn.fetchval("select count(*) from area") == 0
    response = await client.post(
        "/import/omraden", data={"_csrf_token": csrf}, files={"file": ("areas.geojson", b"{not json", "application/geo+json")}
    )
    assert response.status_code == 400 and "Det gick inte" in response.text


@pytest.mark.parametrize(
    ("signed", "contact", "text"),
    [
        (6, False, "1 hushåll till och en kontaktperson behövs"),
        (3, True, "4 hushåll till behövs"),
        (7, False, "En kontaktperson behövs"),
        (7, True, "Kan bildas: 7 av 10 hushåll anmälda (70 %) och en kontaktperson finns"),
    ],
)
def test_eligibility_wording(signed: int, contact: bool, text: str) -> None:
    from grannsamverkan.domain.eligibility import evaluate
    from grannsamverkan.web.wording import eligibility_text

    assert eligibility_text(evaluate(1, "forming", 10, signed, contact)) == text
