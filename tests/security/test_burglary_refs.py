"""Issue 13, item 6: burglary references are unique per kommun and source. One kommun's import
neither learns of another kommun's references nor blocks them, and no answer names another kommun."""

from __future__ import annotations

import json

import asyncpg
from litestar.testing import AsyncTestClient

from tests.conftest import TokenFactory

CSV = b"external_ref,occurred_from,occurred_to,category,x,y\nhemlig-ref-1,2024-03-01,,villa,,\nhemlig-ref-2,2024-03-02,,forrad,,\n"


def police_event(event_id: int, place: str) -> dict[str, object]:
    return {
        "id": event_id,
        "datetime": "2024-03-23 9:37:32 +01:00",
        "name": f"23 mars 09.37, Inbrott, {place}",
        "summary": "Inbrott i villa.",
        "url": "/aktuellt/",
        "type": "Inbrott",
        "location": {"name": place, "gps": "63.166667,17.266667"},
    }


def _names_no_other_kommun(text: str) -> None:
    for other in ("2283", "Sollefteå", "Solleftea"):
        assert other not in text, text


async def test_the_same_reference_in_two_kommuner_is_two_burglaries(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection
) -> None:
    solleftea = await auth("coordinator", "2283")
    arvidsjaur = await auth("coordinator", "2505")
    csv = {"content-type": "text/csv"}
    first = await client.post("/api/v1/burglaries/import?kommun=2283", content=CSV, headers={**solleftea, **csv})
    assert first.status_code == 200 and first.json()["inserted"] == 2, first.text

    # Arvidsjaur imports the same source and references: stored, with nothing about Sollefteå.
    second = await client.post("/api/v1/burglaries/import?kommun=2505", content=CSV, headers={**arvidsjaur, **csv})
    assert second.status_code == 200, second.text
    assert second.json()["inserted"] == 2 and second.json()["updated"] == 0
    _names_no_other_kommun(second.text)
    again = await client.post("/api/v1/burglaries/import?kommun=2505", content=CSV, headers={**arvidsjaur, **csv})
    assert again.json()["unchanged"] == 2 and again.json()["inserted"] == 0
    # A changed line changes Arvidsjaur's burglary only.
    changed = CSV.replace(b"2024-03-01", b"2024-03-05")
    assert (await client.post("/api/v1/burglaries/import?kommun=2505", content=changed, headers={**arvidsjaur, **csv})).json()[
        "updated"
    ] == 1
    days = dict(
        await conn.fetch(
            "select kommun, (occurred_from at time zone 'Europe/Stockholm')::date::text from burglary where external_ref = 'hemlig-ref-1'"
        )
    )
    assert days == {"2283": "2024-03-01", "2505": "2024-03-05"}

    listed = await client.get("/api/v1/burglaries?kommun=2505", headers=arvidsjaur)
    assert listed.json()["total"] == 2
    _names_no_other_kommun(listed.text)


async def test_a_police_event_id_cannot_be_pre_empted_by_another_kommun(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection
) -> None:
    """Before: a 2505 coordinator who stored 2283's police event ids made 2283's feed import fail as a whole."""
    arvidsjaur = await auth("coordinator", "2505")
    solleftea = await auth("coordinator", "2283")
    pre_empt = b"external_ref,occurred_from,occurred_to,category,x,y\n501001,2024-03-01,,villa,,\n501002,2024-03-01,,villa,,\n"
    taken = await client.post(
        "/api/v1/burglaries/import?kommun=2505&source=polisen", content=pre_empt, headers={**arvidsjaur, "content-type": "text/csv"}
    )
    assert taken.status_code == 200 and taken.json()["inserted"] == 2, taken.text

    feed = json.dumps([police_event(501001, "Sollefteå"), police_event(501002, "Sollefteå")]).encode()
    imported = await client.post(
        "/api/v1/burglaries/import?kommun=2283", content=feed, headers={**solleftea, "content-type": "application/json"}
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["inserted"] == 2
    for text in (imported.text, (await client.get("/api/v1/burglaries?kommun=2283", headers=solleftea)).text):
        assert "2505" not in text and "Arvidsjaur" not in text
    assert await conn.fetchval("select count(*) from burglary where source = 'polisen'") == 4
