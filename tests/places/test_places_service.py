"""The place use cases against a real PostgreSQL: submit, review, blur, workflow, merge, erasure."""

from __future__ import annotations

import asyncpg
import pytest

from grannsamverkan.db import places as db
from grannsamverkan.errors import Conflict, InvalidInput, NotFound
from grannsamverkan.services import places
from tests.places.world import AX, AY, COORDINATOR, OTHER, POLICE, X, Y, households_at, report


async def all_text(conn: asyncpg.Connection) -> str:
    """Every row of every table as text: what a dump of the database holds."""
    tables = await conn.fetch("select schemaname, tablename from pg_tables where schemaname = 'public'")
    parts = []
    for t in tables:
        parts.append(await conn.fetchval(f"select coalesce(string_agg(r::text, '|'), '') from \"{t['tablename']}\" r"))
    return "\n".join(parts)


async def test_submit_stores_the_report_pending_with_one_supporter_and_the_address_apart(conn: asyncpg.Connection) -> None:
    r = await report(conn, email="anna@example.se")
    assert (r.review, r.status, r.supporters, r.has_contact, r.kommun) == ("pending", "open", 1, True, "2283")
    assert (r.x, r.y) == (X, Y) and r.public_x is None
    assert await conn.fetchval("select email from place_contact where report_id = $1", r.id) == "anna@example.se"
    trail = await conn.fetchval("select after::text from audit_event where table_name = 'place_report' and row_id = $1", r.id)
    assert "anna@example.se" not in trail and '"has_contact": true' in trail


def test_an_unknown_choice_is_named_by_its_swedish_words_with_the_codes_to_send() -> None:
    with pytest.raises(InvalidInput) as info:
        places.validated(places.NewPlace(kommun="2283", category="belysning", feeling="rädd", what="mörkt", place_text="Torget"))
    assert info.value.detail == ("Okänt värde 'rädd' för upplevelse (feeling); välj ett av: känns otrygg (otrygg), känns trygg (trygg).")
    assert [(e.field, e.message) for e in info.value.errors] == [("feeling", "En av: känns otrygg (otrygg), känns trygg (trygg).")]
    with pytest.raises(InvalidInput) as info:
        places.validated(places.NewPlace(kommun="2283", category="lampa", what="mörkt", place_text="Torget"))
    assert info.value.errors[0].message == (
        "En av: belysning, skymmande växtlighet (vaxtlighet), skadegörelse/klotter (skadegorelse), nedskräpning (nedskrapning), "
        "ödslig eller mörk plats (odslig), trafik, annat."
    )


async def test_a_point_outside_the_kommun_or_no_place_at_all_is_refused(conn: asyncpg.Connection) -> None:
    with pytest.raises(InvalidInput, match="utanför kommunen"):
        await report(conn, x=AX, y=AY)  # Arvidsjaur, reported to Sollefteå
    with pytest.raises(InvalidInput, match="kartan"):
        await places.submit(conn, places.NewPlace(kommun="2283", category="belysning", what="mörkt"), "r")
    typed = await places.submit(
        conn, places.NewPlace(kommun="2283", category="belysning", what="mörkt", place_text="Gångtunneln vid skolan"), "r"
    )
    assert typed.x is None and typed.place_text == "Gångtunneln vid skolan"
    with pytest.raises(Conflict, match="kartan"):
        await places.publish(conn, COORDINATOR, typed.id)
    placed = await places.correct(conn, COORDINATOR, typed.id, places.Correction(what="mörkt", x=X, y=Y))
    assert (placed.x, placed.y) == (X, Y)


async def test_personal_data_is_held_for_the_reviewer_until_marked(conn: asyncpg.Connection) -> None:
    r = await report(conn, what="Mörkt här, ring mig 070-123 45 67")
    assert r.personal_data == ["telefonnummer"]
    with pytest.raises(Conflict, match="personuppgifter"):
        await places.publish(conn, COORDINATOR, r.id)
    fixed = await places.correct(conn, COORDINATOR, r.id, places.Correction())
    assert fixed.personal_data == [] and "070" not in fixed.what and "[borttaget]" in fixed.what
    await places.publish(conn, COORDINATOR, r.id)


async def test_publish_blurs_to_the_smallest_cell_with_five_households(conn: asyncpg.Connection) -> None:
    r = await report(conn)
    # four households in the report's 100 m cell, a fifth in the 200 m cell: the 200 m centre is shown
    cell_x, cell_y = X // 100 * 100, Y // 100 * 100
    await households_at(conn, "2283", [(cell_x + 10 * i, cell_y + 10) for i in range(1, 5)])
    x200, y200 = X // 200 * 200, Y // 200 * 200
    await households_at(conn, "2283", [(x200 + 199, y200 + 199) if (x200 + 199) // 100 * 100 != cell_x else (x200 + 1, y200 + 1)])
    published = await places.publish(conn, COORDINATOR, r.id)
    assert published.review == "published" and published.public_cell == 200
    assert (published.public_x, published.public_y) == (x200 + 100, y200 + 100)
    assert (published.x, published.y) == (X, Y)


async def test_publish_without_households_around_keeps_the_position_off_the_map(conn: asyncpg.Connection) -> None:
    r = await report(conn)
    published = await places.publish(conn, COORDINATOR, r.id)
    assert published.review == "published" and published.public_x is None and published.public_cell is None
    assert places.view(published, None).public_location is None


async def test_views_by_role(conn: asyncpg.Connection) -> None:
    await households_at(conn, "2283", [(X + i, Y) for i in range(5)])
    r = await places.publish(conn, COORDINATOR, (await report(conn, email="a@example.se")).id)
    coordinator, police, public = places.view(r, COORDINATOR), places.view(r, POLICE), places.view(r, None)
    assert coordinator.location is not None and coordinator.has_contact is True
    assert police.location is None and police.has_contact is None and police.public_location == public.public_location
    assert public.public_location is not None and public.public_location != coordinator.location
    # police list only published reports; the other kommun's coordinator sees nothing
    await report(conn, reporter="r2")
    assert (await places.list_for(conn, POLICE, db.PlaceFilter(), limit=10, offset=0))[1] == 1
    assert (await places.list_for(conn, COORDINATOR, db.PlaceFilter(), limit=10, offset=0))[1] == 2
    assert (await places.list_for(conn, OTHER, db.PlaceFilter(), limit=10, offset=0))[1] == 0
    with pytest.raises(NotFound):
        await places.get_for(conn, OTHER, r.id)


async def test_nearby_offers_published_reports_of_the_category_within_250_m(conn: asyncpg.Connection) -> None:
    near = await places.publish(conn, COORDINATOR, (await report(conn)).id)
    edge = await places.publish(conn, COORDINATOR, (await report(conn, x=X + 249, reporter="r2")).id)
    await places.publish(conn, COORDINATOR, (await report(conn, x=X + 251, reporter="r3")).id)
    await places.publish(conn, COORDINATOR, (await report(conn, category="trafik", reporter="r4")).id)
    await report(conn, x=X + 5, reporter="r5")  # not reviewed yet: not offered
    found = await places.nearby(conn, "2283", "belysning", X, Y)
    assert [p.id for p in found] == [near.id, edge.id]


async def test_supporters_are_counted_once_per_reporter(conn: asyncpg.Connection) -> None:
    r = await places.publish(conn, COORDINATOR, (await report(conn, reporter="first")).id)
    after, added = await places.support(conn, r.id, "2283", "second")
    assert added and after.supporters == 2
    after, added = await places.support(conn, r.id, "2283", "second")
    assert not added and after.supporters == 2
    after, added = await places.support(conn, r.id, "2283", "first")
    assert not added and after.supporters == 2


async def test_status_changes_are_recorded_mailed_and_closing_erases_the_address(conn: asyncpg.Connection) -> None:
    r = await report(conn, email="anna@example.se")
    for status in ("in_progress", "action_scheduled", "fixed"):
        await places.set_status(conn, COORDINATOR, r.id, places.StatusUpdate(status=status, note="Lampan byts", responsible="kommun"))
    assert await conn.fetchval("select count(*) from mail_outbox where recipient = 'anna@example.se'") == 3
    with pytest.raises(Conflict):
        await places.set_status(conn, COORDINATOR, r.id, places.StatusUpdate(status="action_scheduled"))
    closed = await places.set_status(conn, COORDINATOR, r.id, places.StatusUpdate(status="closed"))
    assert closed.status == "closed" and closed.handled_at is not None and not closed.has_contact
    assert [c.to_status for c in await db.history(conn, r.id)] == ["in_progress", "action_scheduled", "fixed", "closed"]
    # the last mail is queued; once delivered (deleted), no table holds the address
    assert await conn.fetchval("select count(*) from mail_outbox") == 4
    await conn.execute("delete from mail_outbox")
    assert "anna@example.se" not in await all_text(conn)


async def test_not_kommun_responsible_needs_someone_else(conn: asyncpg.Connection) -> None:
    r = await report(conn)
    with pytest.raises(InvalidInput, match="ansvarig"):
        await places.set_status(conn, COORDINATOR, r.id, places.StatusUpdate(status="not_kommun_responsible"))
    done = await places.set_status(
        conn, COORDINATOR, r.id, places.StatusUpdate(status="not_kommun_responsible", responsible="trafikverket")
    )
    assert done.responsible == "trafikverket"


async def test_reject_closes_with_a_reason_and_erases_the_address(conn: asyncpg.Connection) -> None:
    r = await report(conn, email="anna@example.se")
    rejected = await places.reject(conn, COORDINATOR, r.id, "Gäller en enskild person, inte en plats")
    assert (rejected.review, rejected.status, rejected.has_contact) == ("rejected", "closed", False)
    body = await conn.fetchval("select body from mail_outbox")
    assert "enskild person" in body
    with pytest.raises(Conflict):
        await places.publish(conn, COORDINATOR, r.id)


async def test_merge_moves_supporters_and_contacts_to_the_original(conn: asyncpg.Connection) -> None:
    original = await report(conn, reporter="a")
    copy = await report(conn, reporter="b", email="b@example.se")
    kept = await places.merge(conn, COORDINATOR, copy.id, original.id)
    assert kept.id == original.id and kept.supporters == 2 and kept.has_contact
    merged = await db.get_report(conn, copy.id, None)
    assert (merged.status, merged.duplicate_of) == ("duplicate", original.id)
    with pytest.raises(Conflict):
        await places.merge(conn, COORDINATOR, copy.id, original.id)
    with pytest.raises(Conflict):
        await places.merge(conn, COORDINATOR, original.id, original.id)
    with pytest.raises(NotFound):
        await places.merge(conn, OTHER, original.id, copy.id)


async def test_erase_expired_removes_old_addresses_only(conn: asyncpg.Connection) -> None:
    old = await report(conn, email="old@example.se", reporter="o")
    new = await report(conn, email="new@example.se", reporter="n")
    await conn.execute("update place_contact set created_at = now() - interval '200 days' where report_id = $1", old.id)
    summary = await places.erase_expired(conn, COORDINATOR, 180)
    assert summary.contacts_erased == 1
    text = await all_text(conn)
    assert "old@example.se" not in text and "new@example.se" in text
    assert (await db.get_report(conn, new.id, None)).has_contact
