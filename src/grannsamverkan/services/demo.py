"""The demo's groups, goals and medborgarlöften, loaded through the same use cases as the API:
a few groups in the demo areas, this year's goals with information meetings, both real promises
entered in full with a plausible year of activities (``geodata/demo-promises-*.json``); and the
demo coordinator's account, so that a new user can sign in to the pages.

Safe to run again: groups are only made where the demo areas have none, meetings only when the
year has none, a kommun whose seed promises exist is left alone; the demo account gets a new
random password on every run (the one printed is always the one that works).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from datetime import date
from pathlib import Path
from typing import Any, Literal

import asyncpg
import msgspec

from grannsamverkan.db import demo as demo_db
from grannsamverkan.db import goals, groups
from grannsamverkan.db import promises as promise_db
from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import NotFound
from grannsamverkan.services import accounts, promises
from grannsamverkan.services import groups as group_cases

__all__ = ["DEMO_ACCOUNT", "demo_account", "load_demo_goals", "load_demo_groups", "load_demo_promises"]

DEMO_ACCOUNT = "demo-samordnare"
# Letters and digits that cannot be mistaken for each other (no 0/O, 1/l/I) when typed from a terminal.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


async def _area_id(conn: asyncpg.Connection, ref: str) -> int:
    area_id = await demo_db.area_id(conn, ref)
    if area_id is None:
        raise LookupError(f"the demo needs area {ref!r} (geodata/demo-areas.geojson)")
    return area_id


async def _forming_group(
    conn: asyncpg.Connection, actor: Principal, area_id: int, kind: Literal["grannsamverkan", "byavakt"], name: str, share: float
) -> int:
    """A group of the area with ``share`` of its households signed up and the first of them as contact person."""
    group_id = await group_cases.create_group(conn, actor, groups.GroupInput(area_id=area_id, kind=kind, name=name), date.today())
    members = await demo_db.households_of_area(conn, area_id)
    for household_id in members[: int(len(members) * share + 0.999)]:
        await group_cases.sign_up(conn, actor, group_id, household_id)
    await group_cases.add_contact(
        conn,
        actor,
        group_id,
        groups.ContactInput(household_id=members[0], name="Kontaktombud Demo", phone="070-000 00 00", email="kontakt@example.se"),
    )
    return group_id


async def _group(conn: asyncpg.Connection, actor: Principal, seed: dict[str, Any]) -> None:
    """A group established on the seed's day with the seed's share of the area's households."""
    area_id = await _area_id(conn, seed["area"])
    if await demo_db.area_has_group(conn, area_id):
        return
    group_id = await _forming_group(conn, actor, area_id, seed["kind"], seed["name"], seed["share"])
    await group_cases.establish(conn, actor, group_id, date.fromisoformat(seed["established_on"]))


async def load_demo_groups(conn: asyncpg.Connection, actor: Principal) -> None:
    """Two active groups from earlier years, one established this spring and a forming byavakt."""
    if await demo_db.groups_in_areas_like(conn, ["sol-%", "arv-%", "lang-%"]):
        return
    for ref, name, established_on in (
        ("sol-centrum", "Grannsamverkan Sollefteå centrum", date(2015, 4, 1)),
        ("arv-centrum", "Grannsamverkan Arvidsjaur centrum", date(2019, 9, 1)),
    ):
        active = groups.GroupInput(
            area_id=await _area_id(conn, ref), kind="grannsamverkan", name=name, status="active", established_on=established_on
        )
        await group_cases.create_group(conn, actor, active, date.today())
    nipan = await _forming_group(conn, actor, await _area_id(conn, "sol-nipan"), "grannsamverkan", "Grannsamverkan Nipan", 0.75)
    await group_cases.establish(conn, actor, nipan, date(date.today().year, 3, 15))
    await _forming_group(conn, actor, await _area_id(conn, "lang-by"), "byavakt", "Byavakt Långsele", 0.55)


async def load_demo_goals(conn: asyncpg.Connection, actor: Principal) -> None:
    """Sollefteå's promise of 10 new groups and information meetings in the villages; Arvidsjaur's 3."""
    year = date.today().year
    await goals.put_goal(conn, actor, "2283", year, goals.GoalTargets(target_new_groups=10, target_info_meetings=4))
    await goals.put_goal(conn, actor, "2505", year, goals.GoalTargets(target_new_groups=3))
    if await demo_db.meetings_in_year(conn, "2283", year):
        return
    meetings: tuple[tuple[date, str, Literal["grannsamverkan", "byavakt"], int], ...] = (
        (date(year, 2, 12), "Ramsele", "byavakt", 23),
        (date(year, 3, 5), "Junsele", "byavakt", 17),
        (date(year, 4, 16), "Långsele", "grannsamverkan", 31),
    )
    for held_on, locality, topic, attendees in meetings:
        await goals.create_meeting(
            conn, actor, goals.MeetingCreate(kommun="2283", held_on=held_on, locality=locality, topic=topic, attendees=attendees)
        )


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
    promise_id = await demo_db.goal_promise_id(conn, kommun, year)
    current = await promise_db.get_promise(conn, promise_id, None)
    fields = {
        f: getattr(current, f)
        for f in ("kommun", "also_kommuner", "period_start", "period_end", "measure", "counts", "target", "except_months", "status_comment")
    }
    await promises.replace_promise(conn, actor, promise_id, msgspec.convert({**fields, **words}, promises.PromiseInput))
    return promise_id


async def load_demo_promises(conn: asyncpg.Connection, actor: Principal, path: Path) -> dict[str, int]:
    seed = json.loads(await asyncio.to_thread(path.read_bytes))
    kommun = seed["kommun"]
    titles = [e["promise"]["title"] for e in seed["promises"] if "promise" in e]
    if await demo_db.promises_titled(conn, kommun, titles):
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
