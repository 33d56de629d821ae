"""The pages say every server message in the catalog's Swedish (issue #16): a bad import, an
unknown area or kommun, reversed dates, and the priority page's statements about its method."""

from __future__ import annotations

import html as html_lib
import re

import asyncpg
from litestar.testing import AsyncTestClient

from grannsamverkan import messages
from grannsamverkan.geo.crs import WGS84, format_point
from tests.conftest import TokenFactory
from tests.geodata import RAMSELE, SOLLEFTEA, area_feature, grid_points, households_csv
from tests.unit.test_messages import english_words
from tests.web.test_pages import csrf_for, sign_in, token_of

MAIN = re.compile(r"<main[^>]*>(.*)</main>", re.S)


def page_text(html: str) -> str:
    """The words a person reads in the page's main part (tags, scripts and attributes left out)."""
    main = MAIN.search(html)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main.group(1) if main else html, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def table_order(html: str) -> list[str]:
    """The areas in the priority table, top first."""
    table = html.split('id="priority-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/omraden/\d+">([^<]+)</a>', table)


def assert_swedish(html: str, *expected: str) -> str:
    """Each expected catalog text is on the page, and no English sentence is."""
    text = page_text(html)
    for wanted in expected:
        assert " ".join(wanted.split()) in text, (wanted, text[:3000])
    assert not english_words(text), (english_words(text), text[:3000])
    return text


async def test_a_bad_household_import_is_explained_in_swedish(client: AsyncTestClient, auth: TokenFactory) -> None:
    await sign_in(client, token_of(await auth("coordinator", "2283")))
    csrf, _ = await csrf_for(client, "/import")
    swapped = "external_ref,street,postcode,city,lon,lat\nh1,Storgatan 1,881 30,Sollefteå,17.27,63.16\nh2,Storgatan 2,881 30,Sollefteå,63.16,17.27\n"
    response = await client.post(
        "/import/hushall", data={"_csrf_token": csrf, "kommun": "2283"}, files={"file": ("bad.csv", swapped.encode(), "text/csv")}
    )
    assert response.status_code == 422
    point = format_point(63.16, 17.27, WGS84)
    text = assert_swedish(response.text, messages.text("coordinates.lat_lon_swapped.columns", point=point))
    assert "3" in text.split(messages.text("coordinates.lat_lon_swapped.columns", point=point))[0][-12:]  # the line is named


async def test_an_unknown_area_and_kommun_are_said_in_swedish(client: AsyncTestClient, auth: TokenFactory) -> None:
    await sign_in(client, token_of(await auth("coordinator", "2283")))
    response = await client.get("/omraden/999999")
    assert response.status_code == 404
    assert_swedish(response.text, messages.text("area.not_found", area_id=999999))
    response = await client.get("/prioritering?kommun=2505")
    assert response.status_code == 404
    assert_swedish(response.text, messages.text("kommun.not_yours", kommun="2505"))
    response = await client.get("/finns-inte")
    assert response.status_code == 404
    assert_swedish(response.text, messages.text("request.not_found"))


async def test_reversed_dates_on_the_priority_page_are_a_message_at_the_field(client: AsyncTestClient, auth: TokenFactory) -> None:
    await sign_in(client, token_of(await auth("coordinator", "2283")))
    response = await client.get("/prioritering?kommun=2283&fran=2026-05-01&till=2026-04-01")
    assert response.status_code == 422
    assert (
        'id="prio-from" name="fran" type="date" value="2026-05-01" aria-invalid="true" aria-describedby="prio-from-error"' in response.text
    )
    message = messages.text("period.after_last", last="2026-04-01")
    assert f'<p id="prio-from-error" class="field-error">{message}</p>' in response.text
    assert_swedish(response.text, message, "Rätta datumen ovan")
    assert "Prioriterade områden i Sollefteå" in response.text  # the page itself, not the error page


async def _two_villages(client: AsyncTestClient, headers: dict[str, str]) -> None:
    """Junsele with 14 households and Ramsele with 10, one burglary each (71 and 100 per 1 000)."""
    places = {"Junsele": (SOLLEFTEA, 14), "Ramsele": (RAMSELE, 10)}
    collection = {
        "type": "FeatureCollection",
        "features": [area_feature(name, "2283", centre, external_ref=name.lower()) for name, (centre, _) in places.items()],
    }
    assert (await client.post("/api/v1/areas/import", json=collection, headers=headers)).status_code == 200
    csv = "external_ref,street,postcode,city,lon,lat\n" + "".join(
        households_csv(f"{name}-", grid_points(centre, n)).split("\n", 1)[1] for name, (centre, n) in places.items()
    )
    response = await client.post(
        "/api/v1/households/import?kommun=2283", content=csv.encode(), headers={**headers, "content-type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    burglaries = "external_ref,occurred_from,occurred_to,category,area_external_ref\nj1,2026-03-01T12:00,2026-03-01T12:00,villa,junsele\n"
    burglaries += "r1,2026-04-01T12:00,2026-04-01T12:00,villa,ramsele\n"
    response = await client.post(
        "/api/v1/burglaries/import?kommun=2283", content=burglaries.encode(), headers={**headers, "content-type": "text/csv"}
    )
    assert response.status_code == 200, response.text


async def test_the_priority_page_says_when_eb_cannot_separate_the_areas(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection
) -> None:
    headers = await auth("coordinator", "2283")
    await _two_villages(client, headers)
    await sign_in(client, token_of(headers))
    html = (await client.get("/prioritering?kommun=2283&fran=2026-01-01&till=2026-10-31")).text
    text = assert_swedish(html, "Metoden kan inte skilja områdena åt.", "Ordningen följer då antalet hushåll (fler först)")
    assert "kommunens snitt 83 inbrott per 1 000 hushåll" in text  # 2 burglaries in 24 households
    assert table_order(html) == ["Junsele", "Ramsele"]  # the tie rule: more households first, as said
    assert "mest utsatta först" in html and "bäst först" not in html
    assert "95 % KI (konfidensintervall)" in text and "EB per 1 000 (empirisk Bayes)" in text
    # No burglary within the near-repeat window before 31 October: the column is left out, and why is said.
    assert "Kolumnen Nära i tid och rum visas inte" in text and "<th" not in html.split("Nära i tid och rum</th>")[0][-80:]
    # Counts are whole numbers: one burglary reads "1", never "1,0".
    row = re.search(r"<td[^>]*>\s*<a href=\"/omraden/\d+\">Junsele</a></td>(.*?)</tr>", html, re.S)
    assert row and ">1<" in row.group(1) and "1,0" not in row.group(1)
    rate = (await client.get("/prioritering?kommun=2283&metod=rate&fran=2026-01-01&till=2026-10-31")).text
    assert "Metoden kan inte skilja" not in rate
    assert table_order(rate) == ["Ramsele", "Junsele"]  # 100 per 1 000 above 71


async def test_a_refused_goal_says_it_once_with_the_fields_label(client: AsyncTestClient, auth: TokenFactory) -> None:
    await sign_in(client, token_of(await auth("coordinator", "2283")))
    csrf, _ = await csrf_for(client, "/mal?kommun=2283")
    response = await client.post("/mal", data={"_csrf_token": csrf, "kommun": "2283", "year": "2026", "target_new_groups": "9" * 20})
    assert response.status_code == 422
    message = messages.text("form.out_of_range", field="Antalet nya grupper")
    text = assert_swedish(response.text, message)
    assert text.count(message) == 1 and "target_new_groups" not in text
