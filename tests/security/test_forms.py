"""Issue 13, item 1: a form is small, counted and authorised before it is parsed.

The live test (``test_attacks_live.py``) measures /health during the attack; these check each
limit through the test client.
"""

from __future__ import annotations

import asyncpg
from litestar.testing import AsyncTestClient

from grannsamverkan.web.csrf import FORM_BYTES, FORM_FIELDS, PUBLIC_FORM_BYTES
from tests.conftest import TokenFactory
from tests.web.test_pages import csrf_for, csrf_of, sign_in, token_of

FORM = {"content-type": "application/x-www-form-urlencoded"}


async def test_sign_in_takes_a_small_form_only(client: AsyncTestClient, auth: TokenFactory) -> None:
    page = await client.get("/logga-in")
    csrf = csrf_of(page.text)
    token = token_of(await auth("coordinator", "2283"))
    padding = "x" * PUBLIC_FORM_BYTES
    response = await client.post("/logga-in", data={"_csrf_token": csrf, "token": token, "pad": padding}, follow_redirects=False)
    assert response.status_code == 413, response.text
    assert "tas emot" in response.text and response.headers["content-type"].startswith("text/html")
    # A sign-in form of normal size still works.
    response = await client.post("/logga-in", data={"_csrf_token": csrf, "token": token}, follow_redirects=False)
    assert response.status_code == 303


async def test_the_csrf_header_does_not_lift_the_limit(client: AsyncTestClient) -> None:
    """A stranger can make a valid CSRF token for himself (his own seed, no session): the cap must
    hold before the token is looked at."""
    page = await client.get("/logga-in")
    body = b"&".join(b"f%d=x" % i for i in range(100_000))
    response = await client.post("/logga-in", content=body, headers={**FORM, "x-csrf-token": csrf_of(page.text)}, follow_redirects=False)
    assert response.status_code == 413


async def test_multipart_to_sign_in_is_capped_too(client: AsyncTestClient) -> None:
    page = await client.get("/logga-in")
    response = await client.post(
        "/logga-in",
        data={"_csrf_token": csrf_of(page.text)},
        files={"f": ("a.txt", b"x" * (PUBLIC_FORM_BYTES + 1), "text/plain")},
        follow_redirects=False,
    )
    assert response.status_code == 413


async def test_a_signed_in_form_has_a_size_and_field_limit(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    await sign_in(client, token_of(await auth("coordinator", "2283")))
    csrf, _ = await csrf_for(client, "/mal")
    many = "&".join(f"f{i}=1" for i in range(FORM_FIELDS)) + f"&_csrf_token={csrf}"
    response = await client.post("/mal", content=many.encode(), headers=FORM, follow_redirects=False)
    assert response.status_code == 413 and "fält" in response.text
    big = f"_csrf_token={csrf}&pad=" + "x" * FORM_BYTES
    response = await client.post("/mal", content=big.encode(), headers=FORM, follow_redirects=False)
    assert response.status_code == 413


async def test_a_form_is_not_read_for_a_caller_without_the_capability(client: AsyncTestClient, auth: TokenFactory) -> None:
    """Police may not import: 403 before a byte of the upload is read (the body here is not even
    a valid multipart body, so reading it would fail differently)."""
    await sign_in(client, token_of(await auth("police", "2283")))
    csrf, _ = await csrf_for(client, "/")
    response = await client.post(
        "/import/hushall",
        content=b"--broken",
        follow_redirects=False,
        headers={"content-type": "multipart/form-data; boundary=zzz", "x-csrf-token": csrf},
    )
    assert response.status_code == 403, response.text


async def test_an_unknown_session_is_not_read_either(client: AsyncTestClient) -> None:
    client.cookies.set("gsv_session", "gsvs_made-up")
    response = await client.post("/omraden/1/grupp", content=b"x" * (2 * FORM_BYTES), headers=FORM, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/logga-in")


async def test_uploads_on_the_import_pages_may_exceed_the_form_limit(client: AsyncTestClient, auth: TokenFactory) -> None:
    await sign_in(client, token_of(await auth("coordinator", "2283")))
    csrf, _ = await csrf_for(client, "/import")
    rows = "".join(f"h{i},Storgatan {i},881 30,Sollefteå,17.27,63.17\n" for i in range(30_000))
    body = ("external_ref,street,postcode,city,lon,lat\n" + rows).encode()
    assert len(body) > FORM_BYTES
    response = await client.post(
        "/import/hushall", data={"_csrf_token": csrf, "kommun": "2283"}, files={"file": ("households.csv", body, "text/csv")}
    )
    assert response.status_code == 200, response.text[:500]
    assert "Importen är klar" in response.text
