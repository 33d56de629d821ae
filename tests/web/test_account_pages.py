"""Signing in to the pages with a personal account (issue 16, "Sign-in"): name and password on the
sign-in page, a new session id at every sign-in, signing out ends the session on the server, a
disabled account's sessions end, and attempts are counted."""

from __future__ import annotations

import asyncpg
from litestar.testing import AsyncTestClient

from grannsamverkan.cli import cli_actor
from grannsamverkan.services import accounts
from grannsamverkan.web.session import SignInLimits
from tests.conftest import TokenFactory
from tests.factories import PASSWORD, account
from tests.web.test_pages import csrf_for, csrf_of, token_of


async def sign_in_as(client: AsyncTestClient, name: str, password: str = PASSWORD, *, nasta: str = "/") -> object:
    page = await client.get("/logga-in")
    return await client.post(
        "/logga-in",
        data={"_csrf_token": csrf_of(page.text), "namn": name, "losenord": password, "nasta": nasta},
        follow_redirects=False,
    )


def session_of(response: object) -> str:
    """The session id a sign-in answered with (its Set-Cookie)."""
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert cookie.startswith("gsv_session=gsvs_")
    return cookie.split(";")[0].removeprefix("gsv_session=")


async def test_the_sign_in_page_leads_with_name_and_password(client: AsyncTestClient) -> None:
    page = await client.get("/logga-in")
    assert page.status_code == 200
    html = page.text
    name, password, token = html.index('<label for="namn">'), html.index('<label for="losenord">'), html.index('<label for="token">')
    assert name < password < token
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html


async def test_sign_in_and_out_with_name_and_password(client: AsyncTestClient, conn: asyncpg.Connection) -> None:
    await account(conn, "Åsa@Solleftea.se", "coordinator", "2283")
    response = await sign_in_as(client, "åsa@solleftea.se", nasta="/kommun/2283")
    assert response.status_code == 303 and response.headers["location"] == "/kommun/2283"  # type: ignore[attr-defined]
    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert cookie.startswith("gsv_session=gsvs_") and PASSWORD not in cookie
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    home = await client.get("/kommun/2283")
    assert home.status_code == 200 and "Åsa@Solleftea.se" in home.text and "samordnare" in home.text
    session = client.cookies["gsv_session"]

    csrf, _ = await csrf_for(client, "/")
    out = await client.post("/logga-ut", data={"_csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and "Max-Age=0" in out.headers["set-cookie"]
    assert await conn.fetchval("select count(*) from web_session") == 0
    # The old cookie, sent again, is refused: the session ended on the server.
    client.cookies.clear()
    client.cookies.set("gsv_session", session)
    again = await client.get("/kommun/2283", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/logga-in")


async def test_wrong_password_unknown_name_and_disabled_get_the_same_answer(client: AsyncTestClient, conn: asyncpg.Connection) -> None:
    await account(conn, "anna")
    await account(conn, "bertil")
    await accounts.disable_account(conn, cli_actor(), "bertil")
    answers = []
    for name, password in (("anna", "fel-lösenord-igen"), ("okänd", PASSWORD), ("bertil", PASSWORD)):
        response = await sign_in_as(client, name, password)
        assert response.status_code == 401, name  # type: ignore[attr-defined]
        assert "gsv_session" not in response.headers.get("set-cookie", "")  # type: ignore[attr-defined]
        text = response.text  # type: ignore[attr-defined]
        assert "Fel namn eller lösenord" in text and password not in text
        assert f'value="{name}"' in text  # the name stays in the field
        answers.append(text.replace(f'value="{name}"', ""))
    assert len({a.split('name="_csrf_token"')[0] for a in answers}) == 1
    missing = await sign_in_as(client, "anna", "")
    assert missing.status_code == 401 and "Skriv in ditt lösenord." in missing.text  # type: ignore[attr-defined]
    assert await conn.fetchval("select count(*) from web_session") == 0


async def test_the_accounts_scope_holds_on_the_pages(client: AsyncTestClient, conn: asyncpg.Connection) -> None:
    await account(conn, "polis-arvidsjaur", "police", "2505")
    assert (await sign_in_as(client, "polis-arvidsjaur")).status_code == 303  # type: ignore[attr-defined]
    assert (await client.get("/kommun/2505")).status_code == 200
    other = await client.get("/kommun/2283")
    assert other.status_code in (403, 404) and "Sollefteå" not in other.text
    assert (await client.get("/import")).status_code == 403  # the police role may not write


async def test_signing_in_rotates_the_session_id(client: AsyncTestClient, conn: asyncpg.Connection, auth: TokenFactory) -> None:
    await account(conn, "anna")
    planted = "gsvs_" + "a" * 43  # a cookie someone set before the sign-in is never promoted
    client.cookies.set("gsv_session", planted, domain="testserver.local")
    first = session_of(await sign_in_as(client, "anna"))
    assert first != planted and client.cookies["gsv_session"] == first
    second = session_of(await sign_in_as(client, "anna"))
    assert second != first
    assert await conn.fetchval("select count(*) from web_session") == 1  # the first one ended
    # Token sign-in (kept for those who have a token) rotates too.
    page = await client.get("/logga-in")
    token = token_of(await auth("coordinator", "2283"))
    response = await client.post("/logga-in", data={"_csrf_token": csrf_of(page.text), "token": token}, follow_redirects=False)
    assert session_of(response) not in (first, second)
    assert await conn.fetchval("select count(*) from web_session where account_id is null") == 1
    assert await conn.fetchval("select count(*) from web_session") == 1


async def test_a_disabled_accounts_session_ends(client: AsyncTestClient, conn: asyncpg.Connection) -> None:
    await account(conn, "anna")
    assert (await sign_in_as(client, "anna")).status_code == 303  # type: ignore[attr-defined]
    assert (await client.get("/kommun/2283")).status_code == 200
    await accounts.disable_account(conn, cli_actor(), "anna")
    response = await client.get("/kommun/2283", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/logga-in")


async def test_sign_in_attempts_are_limited(client: AsyncTestClient, conn: asyncpg.Connection) -> None:
    await account(conn, "anna")
    client.app.state.sign_in_limits = SignInLimits(per_client=100, per_name=3)
    for _ in range(3):
        assert (await sign_in_as(client, "anna", "fel-lösenord-igen")).status_code == 401  # type: ignore[attr-defined]
    # The fourth attempt on the name is refused before the password is checked, right or wrong.
    refused = await sign_in_as(client, "ANNA", PASSWORD)
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert "För många inloggningsförsök" in refused.text  # type: ignore[attr-defined]
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60  # type: ignore[attr-defined]
    assert "gsv_session" not in refused.headers.get("set-cookie", "")  # type: ignore[attr-defined]
    # Another name from the same client is not locked out by it; the client's own limit is counted.
    await account(conn, "bertil")
    assert (await sign_in_as(client, "bertil")).status_code == 303  # type: ignore[attr-defined]
    client.app.state.sign_in_limits = SignInLimits(per_client=1, per_name=100)
    assert (await sign_in_as(client, "bertil")).status_code == 303  # type: ignore[attr-defined]
    assert (await sign_in_as(client, "bertil")).status_code == 429  # type: ignore[attr-defined]
