"""The demo's medborgarlöften: both real promises entered in full with a plausible year of
activities (``geodata/demo-promises-*.json``), loaded through the same use cases as the API; and
the demo coordinator's account, so that a new user can sign in to the pages.

Safe to run again: a kommun whose seed promises exist is left alone; the demo account gets a new
random password on every run (the one printed is always the one that works).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from grannsamverkan.db import goals, groups
from grannsamverkan.db import promises as promise_db
from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import NotFound
from grannsamverkan.services import accounts, promises
from grannsamverkan.services import groups as group_cases

__all__ = ["DEMO_ACCOUNT", "demo_account", "load_demo_promises"]

DEMO_ACCOUNT = "demo-samordnare"
# Letters and digits that cannot be mistaken for each other (no 0/O, 1/l/I) when typed from a terminal.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


async def _area_id(conn: asyncpg.Connection, ref: str) -> int:
    area_id = await conn.fetchval("select id from area where external_ref = $1", ref)
    if area_id is None:
        raise LookupError(f"the demo needs area {ref!r} (geodata/demo-areas.geojson)")
    return int(area_id)


async def _group(conn: asyncpg.Connection, actor: Principal, seed: dict[str, Any]) -> None:
    """A group established on the seed's day with the seed's share of the area's households."""
    area_id = await _area_id(conn, seed["area"])
    if await conn.fetchval("select 1 from watch_group where area_id = $1 and status <> 'dissolved'", area_id):
        return
    group_id = await group_cases.create_group(
        conn, actor, groups.GroupInput(area_id=area_id, kind=seed["kind"], name=seed["name"]), date.today()
    )
    members = await conn.fetch("select id from household where area_id = $1 order by id", area_id)
    for row in members[: int(len(members) * seed["share"] + 0.999)]:
        await group_cases.sign_up(conn, actor, group_id, row["id"])
    await group_cases.add_contact(
        conn,
        actor,
        group_id,
        groups.ContactInput(household_id=members[0]["id"], name="Kontaktombud Demo", phone="070-000 00 00", email="kontakt@example.se"),
    )
    await group_cases.establish(conn, actor, group_id, date.fromisoformat(seed["established_on"]))


async def _goal_promise(conn: asyncpg.Connection, actor: Principal, kommun: str, seed: dict[str, Any], words: dict[str, Any]) -> int:
    """The goal's count promise, in the promise's own words."""
    year = seed["year"]
    await goals.put_goal(
        conn,
        actor,
        kommun,
        year,
        goals.GoalTargets(target_new_groups=seed["target_new_groups"], target_info_meetings=seed.get("target_info_meetings")),
    )
    promise_id = await conn.fetchval("select id from promise where kommun = $1 and goal_year = $2 and counts = 'new_groups'", kommun, year)
    current = await promise_db.get_promise(conn, promise_id, None)
    fields = {
        f: getattr(current, f)
        for f in ("kommun", "also_kommuner", "period_start", "period_end", "measure", "counts", "target", "except_months", "status_comment")
    }
    await promises.replace_promise(conn, actor, promise_id, msgspec.convert({**fields, **words}, promises.PromiseInput))
    return int(promise_id)


async def load_demo_promises(conn: asyncpg.Connection, actor: Principal, path: Path) -> dict[str, int]:
    seed = json.loads(await asyncio.to_thread(path.read_bytes))
    kommun = seed["kommun"]
    titles = [e["promise"]["title"] for e in seed["promises"] if "promise" in e]
    if await conn.fetchval("select count(*) from promise where kommun = $1 and title = any($2::text[])", kommun, titles):
        return {"promises": 0, "activities": 0}
    for group in seed.get("groups", []):
        await _group(conn, actor, group)
    meeting = seed["council_meeting"]
    await promises.set_council_meeting(conn, actor, kommun, meeting["year"], date.fromisoformat(meeting["last_meeting_on"]))
    counts = {"promises": 0, "activities": 0}
    for entry in seed["promises"]:
        if "goal_promise" in entry:
            promise_id = await _goal_promise(conn, actor, kommun, seed["goal"], entry["goal_promise"])
        else:
            promise_id = (await promises.create_promise(conn, actor, msgspec.convert(entry["promise"], promises.PromiseInput))).id
        counts["promises"] += 1
        for activity in entry.get("activities", []):
            values = {k: v for k, v in activity.items() if k != "area"}
            if "area" in activity:
                values["area_id"] = await _area_id(conn, activity["area"])
            await promises.log_activity(conn, actor, msgspec.convert({**values, "promise_id": promise_id}, promises.ActivityInput))
            counts["activities"] += 1
        for offer in entry.get("offers", []):
            values = {k: v for k, v in offer.items() if k != "area"}
            await promises.offer_area(
                conn,
                actor,
                msgspec.convert({**values, "area_id": await _area_id(conn, offer["area"]), "promise_id": promise_id}, promises.OfferInput),
            )
    return counts


def demo_password() -> str:
    """Four groups of four (80 random bits): 'k7pw-3xqe-...', easy to type from the terminal."""
    return "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))


async def demo_account(conn: asyncpg.Connection, actor: Principal, kommuner: list[str]) -> tuple[str, str]:
    """The demo coordinator (for ``kommuner``) with a new random password; answers name and password."""
    password = demo_password()
    try:
        await accounts.change_password(conn, actor, DEMO_ACCOUNT, password)
    except NotFound:
        await accounts.create_account(conn, actor, name=DEMO_ACCOUNT, role="coordinator", kommuner=kommuner, password=password)
    return DEMO_ACCOUNT, password
