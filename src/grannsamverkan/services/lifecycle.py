"""Use cases of a group's life after it is established (issue 19), for the API, pages and CLI.

Staged approval and lapse (``take_step``; establishing and dissolving stay in db/groups.py and
follow the same state machine), the yearly renewal (``renew``, ``lapse_overdue`` for cron),
contact coverage and the share of households asked (``group_life``), declined households, the
signs ledger, near-repeat alerts to contact persons (``queue_near_repeat_alerts``) and a contact
person's own data (``export_contact``). The rules are in domain/lifecycle.py.
"""

from __future__ import annotations

import itertools
import math
from datetime import UTC, date, datetime, timedelta

import asyncpg
import msgspec
import shapely

from grannsamverkan import messages
from grannsamverkan.db import audit, lifecycle, outbox
from grannsamverkan.db.groups import ContactPerson, list_contacts
from grannsamverkan.domain import glossary
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.lifecycle import (
    NEAR_REPEAT_DAYS,
    NEAR_REPEAT_METRES,
    STATUS_WORDS,
    AskedShare,
    Coverage,
    KommunRules,
    Renewal,
    Step,
    asked_share,
    coverage,
    next_status,
    renewal,
    step_capability,
)
from grannsamverkan.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound

# --- per-kommun rules --------------------------------------------------------------------------------


async def kommun_rules(conn: asyncpg.Connection, actor: Principal, kommun: str) -> KommunRules:
    if not actor.sees(kommun):
        raise NotFound("kommun.not_found", kommun=kommun)
    return await lifecycle.rules(conn, kommun)


async def set_kommun_rules(conn: asyncpg.Connection, actor: Principal, kommun: str, value: KommunRules) -> KommunRules:
    actor.require_kommun(kommun)
    async with conn.transaction():
        before = await lifecycle.rules(conn, kommun)
        await lifecycle.set_rules(conn, kommun, value)
        await audit.record(conn, actor, kommun=kommun, table="kommun_lifecycle", row_id=None, action="update", before=before, after=value)
    return value


# --- staged approval and lapse ------------------------------------------------------------------------


async def take_step(conn: asyncpg.Connection, actor: Principal, group_id: int, step: Step, on: date, note: str = "") -> lifecycle.GroupStep:
    """propose, review, approve (the police), lapse or reactivate; recorded with who and when.
    Establishing (the 70 % rule) and dissolving are db.groups.establish and db.groups.dissolve."""
    if step in ("establish", "dissolve"):
        raise InvalidInput("lifecycle.own_route", [FieldError.of("step", "lifecycle.own_route_short")], step=step)
    if not actor.can(step_capability(step)):  # type: ignore[arg-type]
        who = "polisen" if step == "approve" else "kommunens samordnare"
        role, doing = messages.choices(glossary.ROLES, [actor.role]), messages.choices(glossary.STEPS, [step])
        raise Forbidden("lifecycle.step_role", role=role, step=doing, who=who)
    async with conn.transaction():
        group = await lifecycle.group_row(conn, group_id, actor.scope, lock=True)
        rules = await lifecycle.rules(conn, group["kommun"])
        to = next_status(group["status"], step, approval_required=rules.approval_required)
        if step == "reactivate" and group["contact_persons"] == 0:
            raise Conflict.at("contact_persons", "lifecycle.reactivate_needs_contact", group_id=group_id)
        if step == "lapse" and group["established_on"] and on < group["established_on"]:
            raise InvalidInput.at("on", "lifecycle.before_established", on=on, established_on=group["established_on"])
        await lifecycle.set_status(conn, group_id, to, lapsed_on=on if to == "lapsed" else None)
        recorded = await lifecycle.insert_step(
            conn, actor, group_id=group_id, kommun=group["kommun"], step=step, from_status=group["status"], to_status=to, on=on, note=note
        )
        await audit.record(
            conn,
            actor,
            kommun=group["kommun"],
            table="watch_group",
            row_id=group_id,
            action="update",
            before={"status": group["status"]},
            after={"status": to, "step": step, "on": on.isoformat()},
        )
    return recorded


async def steps(conn: asyncpg.Connection, actor: Principal, group_id: int) -> list[lifecycle.GroupStep]:
    await lifecycle.group_row(conn, group_id, actor.scope)
    return await lifecycle.list_steps(conn, group_id)


# --- renewal -------------------------------------------------------------------------------------------


async def renew(conn: asyncpg.Connection, actor: Principal, group_id: int, on: date) -> lifecycle.GroupStep | None:
    """The group confirms its contact persons for the year. A lapsed group becomes active again
    (re-activation: not a new group). Answers the re-activation step, if there was one."""
    async with conn.transaction():
        group = await lifecycle.group_row(conn, group_id, actor.scope, lock=True)
        if group["status"] not in ("active", "lapsed"):
            status = STATUS_WORDS.get(group["status"], group["status"])
            raise Conflict.at("group_id", "lifecycle.renew_status", group_id=group_id, status=status)
        if group["contact_persons"] == 0:
            raise Conflict.at("contact_persons", "lifecycle.renew_needs_contact", group_id=group_id)
        await lifecycle.insert_renewal(conn, actor, group, on)
        await audit.record(
            conn,
            actor,
            kommun=group["kommun"],
            table="group_renewal",
            row_id=group_id,
            action="insert",
            after={"renewed_on": on.isoformat(), "contact_persons": group["contact_persons"]},
        )
    if group["status"] == "lapsed":
        return await take_step(conn, actor, group_id, "reactivate", on, note="förnyad")
    return None


class RenewalLine(msgspec.Struct, kw_only=True):
    group_id: int
    kommun: str
    name: str
    area_name: str
    status: str
    contact_persons: int
    renewal: Renewal | None


async def renewal_list(conn: asyncpg.Connection, in_kommuner: list[str] | None, today: date) -> list[RenewalLine]:
    """Active and lapsed groups with where they stand with the yearly renewal, most urgent first."""
    rows = await lifecycle.groups_to_renew(conn, in_kommuner)
    rules: dict[str, KommunRules] = {}
    lines = []
    for r in rows:
        if r.kommun not in rules:
            rules[r.kommun] = await lifecycle.rules(conn, r.kommun)
        state = renewal(r.last_confirmed_on, today, rules[r.kommun], contact_persons=r.contact_persons) if r.last_confirmed_on else None
        lines.append(
            RenewalLine(
                group_id=r.id,
                kommun=r.kommun,
                name=r.name,
                area_name=r.area_name,
                status=r.status,
                contact_persons=r.contact_persons,
                renewal=state,
            )
        )
    order = {"lapsed": 0, "overdue": 1, "due": 2, "ok": 3}
    lines.sort(
        key=lambda ln: (
            ln.status != "lapsed",
            order[ln.renewal.state] if ln.renewal else 0,
            ln.renewal.due_on if ln.renewal else date.min,
            ln.group_id,
        )
    )
    return lines


async def lapse_overdue(conn: asyncpg.Connection, actor: Principal, today: date, in_kommuner: list[str] | None = None) -> list[RenewalLine]:
    """For cron: active groups with no contact person, or not renewed within the grace period,
    become lapsed. Answers the groups that lapsed now."""
    lapsed = []
    for line in await renewal_list(conn, in_kommuner, today):
        if line.status == "active" and line.renewal is not None and line.renewal.state == "lapsed":
            await take_step(conn, actor, line.group_id, "lapse", today, note=line.renewal.words)
            lapsed.append(line)
    return lapsed


# --- coverage and the share asked -------------------------------------------------------------------


class ContactCoverage(msgspec.Struct, kw_only=True):
    contact_id: int
    role: str
    households: int
    household_ids: list[int] | None


class GroupLife(msgspec.Struct, kw_only=True):
    group_id: int
    status: str
    status_text: str
    rules: KommunRules
    coverage: Coverage
    contacts: list[ContactCoverage]
    asked: AskedShare
    renewal: Renewal | None
    steps: list[lifecycle.GroupStep]
    signs: int


async def group_life(conn: asyncpg.Connection, actor: Principal, group_id: int, today: date) -> GroupLife:
    """Everything about a group's life: coverage (a quality figure, never a gate), the share of
    households asked, the renewal and the steps. Household ids only for roles that see households."""
    group = await lifecycle.group_row(conn, group_id, actor.scope)
    rules = await lifecycle.rules(conn, group["kommun"])
    households, contacts, roles = await lifecycle.coverage_inputs(conn, group)
    cover = coverage(households, contacts, rules.households_per_contact)
    sees = actor.can("read_households")
    per_contact = [
        ContactCoverage(contact_id=cid, role=roles[cid], households=len(ids), household_ids=ids if sees else None)
        for cid, ids in cover.covers.items()
    ]
    if not sees:
        cover = msgspec.structs.replace(cover, covers={}, uncovered=[])
    declined = await lifecycle.count_declined(conn, group_id)
    last = await lifecycle.last_confirmed(conn, group_id)
    state = (
        renewal(last, today, rules, contact_persons=group["contact_persons"]) if last and group["status"] in ("active", "lapsed") else None
    )
    return GroupLife(
        group_id=group_id,
        status=group["status"],
        status_text=STATUS_WORDS.get(group["status"], group["status"]),
        rules=rules,
        coverage=cover,
        contacts=per_contact,
        asked=asked_share(group["households_total"], group["households_signed_up"], declined),
        renewal=state,
        steps=await lifecycle.list_steps(conn, group_id),
        signs=len(await lifecycle.list_signs(conn, group_id)),
    )


async def set_contact_role(conn: asyncpg.Connection, actor: Principal, group_id: int, contact_id: int, role: str) -> None:
    async with conn.transaction():
        group = await lifecycle.group_row(conn, group_id, actor.scope, lock=True)
        before = await lifecycle.set_contact_role(conn, group_id, contact_id, role)
        if before is None:
            raise NotFound("contact.not_found", group_id=group_id, contact_id=contact_id)
        await audit.record(
            conn,
            actor,
            kommun=group["kommun"],
            table="contact_person",
            row_id=contact_id,
            action="update",
            before={"role": before},
            after={"role": role},
        )


# --- declined households ------------------------------------------------------------------------------


async def decline(conn: asyncpg.Connection, actor: Principal, group_id: int, household_id: int, on: date) -> None:
    """The household said no: the date only, so coordinators stop knocking."""
    async with conn.transaction():
        group = await lifecycle.group_row(conn, group_id, actor.scope, lock=True)
        outcome = await lifecycle.insert_declined(conn, group, household_id, on)
        if outcome == "outside":
            raise InvalidInput.at("household_id", "lifecycle.declined_outside", household_id=household_id, group_id=group_id)
        if outcome == "signed_up":
            raise Conflict.at("household_id", "lifecycle.declined_signed_up", household_id=household_id, group_id=group_id)
        await audit.record(
            conn,
            actor,
            kommun=group["kommun"],
            table="household_declined",
            row_id=group_id,
            action="insert",
            after={"household_id": household_id, "declined_on": on.isoformat()},
        )


async def undecline(conn: asyncpg.Connection, actor: Principal, group_id: int, household_id: int) -> None:
    async with conn.transaction():
        group = await lifecycle.group_row(conn, group_id, actor.scope, lock=True)
        if not await lifecycle.delete_declined(conn, group_id, household_id):
            return  # nothing to undo: a DELETE may be repeated
        await audit.record(
            conn,
            actor,
            kommun=group["kommun"],
            table="household_declined",
            row_id=group_id,
            action="delete",
            before={"household_id": household_id},
        )


async def declined(conn: asyncpg.Connection, actor: Principal, group_id: int) -> list[tuple[int, date]]:
    await lifecycle.group_row(conn, group_id, actor.scope)
    return await lifecycle.list_declined(conn, group_id)


# --- signs ---------------------------------------------------------------------------------------------


def _check_sign(values: dict[str, object]) -> None:
    if (values.get("x") is None) != (values.get("y") is None):
        missing = "y" if values.get("y") is None else "x"
        raise InvalidInput.at(missing, "sign.x_and_y")
    order = [f for f in ("ordered_on", "delivered_on", "placed_on", "taken_down_on") if values.get(f) is not None]
    for a, b in itertools.pairwise(order):
        if values[a] > values[b]:  # type: ignore[operator]
            raise InvalidInput.at(b, "sign.date_order", later=b, later_day=values[b], earlier=a, earlier_day=values[a])
    if values.get("taken_down_on") is not None and values.get("placed_on") is None:
        raise InvalidInput.at("placed_on", "sign.taken_down_unplaced")


async def add_sign(conn: asyncpg.Connection, actor: Principal, group_id: int, values: dict[str, object]) -> lifecycle.Sign:
    _check_sign(values)
    async with conn.transaction():
        group = await lifecycle.group_row(conn, group_id, actor.scope, lock=True)
        if values.get("placed_on") is not None and group["status"] != "active":
            raise Conflict.at("placed_on", "sign.group_not_active", group_id=group_id, status=STATUS_WORDS[group["status"]])
        sign = await lifecycle.insert_sign(conn, group, values)
        await audit.record(conn, actor, kommun=group["kommun"], table="group_sign", row_id=sign.id, action="insert", after=sign)
    return sign


async def update_sign(conn: asyncpg.Connection, actor: Principal, group_id: int, sign_id: int, values: dict[str, object]) -> lifecycle.Sign:
    _check_sign(values)
    async with conn.transaction():
        group = await lifecycle.group_row(conn, group_id, actor.scope, lock=True)
        before = await lifecycle.get_sign(conn, group_id, sign_id)
        if before is None:
            raise NotFound("sign.not_found", group_id=group_id, sign_id=sign_id)
        if values.get("placed_on") is not None and before.placed_on is None and group["status"] != "active":
            raise Conflict.at("placed_on", "sign.group_not_active", group_id=group_id, status=STATUS_WORDS[group["status"]])
        sign = await lifecycle.update_sign(conn, group_id, sign_id, values)
        assert sign is not None
        await audit.record(
            conn, actor, kommun=group["kommun"], table="group_sign", row_id=sign_id, action="update", before=before, after=sign
        )
    return sign


async def signs(conn: asyncpg.Connection, actor: Principal, group_id: int) -> list[lifecycle.Sign]:
    await lifecycle.group_row(conn, group_id, actor.scope)
    return await lifecycle.list_signs(conn, group_id)


# --- near-repeat alerts --------------------------------------------------------------------------------


class AlertsQueued(msgspec.Struct, kw_only=True):
    alerts: int
    mails: int


def _distance_words(metres: float) -> str:
    """Rounded up to 100 m: the mail says how near, never where."""
    return "inne i området" if metres == 0 else f"mindre än {max(100, math.ceil(metres / 100) * 100)} meter från området"


def _alert_body(group_name: str, area_name: str, burglary: asyncpg.Record, metres: float) -> str:
    when = burglary["occurred_from"].date()
    until = burglary["occurred_to"].date()
    period = str(when) if when == until else f"mellan {when} och {until}"
    return (
        f"Hej!\n\nEtt inbrott har registrerats {_distance_words(metres)} {area_name}, där grannsamverkansgruppen "
        f"{group_name} finns ({period}).\n\n"
        "Efter ett inbrott är risken för fler inbrott i närheten större de närmaste veckorna. Berätta gärna för "
        "grannarna i gruppen: håll extra uppsikt, lås, tänd belysning och hjälp varandra att få husen att se "
        "bebodda ut. Se något misstänkt? Ring 112 vid pågående brott, annars 114 14.\n\n"
        "Du får detta som kontaktombud i grannsamverkan. Adressen till den drabbade finns inte med i registret "
        "och skickas aldrig ut.\n"
    )


async def queue_near_repeat_alerts(conn: asyncpg.Connection, kommun: str, now: datetime | None = None) -> AlertsQueued:
    """Tell the contact persons of active groups within 400 m of a burglary of the last 8 weeks
    (one with a position of its own) through the mail outbox: once per incident and group."""
    now = now or datetime.now(UTC)
    burglaries = await lifecycle.recent_located_burglaries(conn, kommun, now - timedelta(days=NEAR_REPEAT_DAYS))
    if not burglaries:
        return AlertsQueued(alerts=0, mails=0)
    areas = [(g, shapely.from_wkb(g["geom_wkb"])) for g in await lifecycle.active_group_areas(conn, kommun)]
    alerts = mails = 0
    for b in burglaries:
        point = shapely.Point(b["x"], b["y"])
        for g, geom in areas:
            metres = float(geom.distance(point))
            if metres > NEAR_REPEAT_METRES:
                continue
            async with conn.transaction():
                recipients = await lifecycle.alert_recipients(conn, g["id"])
                if not await lifecycle.claim_alert(conn, b["id"], g["id"], kommun, metres, len(recipients)):
                    continue
                alerts += 1
                for address in recipients:
                    await outbox.enqueue(
                        conn,
                        kommun=kommun,
                        report_id=None,
                        recipient=address,
                        subject=f"Inbrott nära {g['area_name']} – grannsamverkan",
                        body=_alert_body(g["name"], g["area_name"], b, metres),
                    )
                    mails += 1
    return AlertsQueued(alerts=alerts, mails=mails)


async def kommuner_with_recent_burglaries(conn: asyncpg.Connection, now: datetime | None = None) -> list[str]:
    now = now or datetime.now(UTC)
    return await lifecycle.kommuner_with_located_burglaries(conn, now - timedelta(days=NEAR_REPEAT_DAYS))


# --- a contact person's own data ----------------------------------------------------------------------


class ContactExport(msgspec.Struct, kw_only=True):
    contact: ContactPerson
    group_name: str
    kommun: str
    consent_at: datetime
    covers_households: int
    alerts_received: int
    exported_at: datetime


async def export_contact(conn: asyncpg.Connection, actor: Principal, group_id: int, contact_id: int, today: date) -> ContactExport:
    """A contact person's own data (registerutdrag): what is kept about them, and since when they consented."""
    group = await lifecycle.group_row(conn, group_id, actor.scope)
    contact = next((c for c in await list_contacts(conn, group_id, actor.scope) if c.id == contact_id), None)
    if contact is None:
        raise NotFound("contact.not_found", group_id=group_id, contact_id=contact_id)
    life = await group_life(conn, actor, group_id, today)
    covers = next((c.households for c in life.contacts if c.contact_id == contact_id), 0)
    alerts = await lifecycle.count_alerts(conn, group_id)
    return ContactExport(
        contact=contact,
        group_name=group["name"],
        kommun=group["kommun"],
        consent_at=contact.consent_at,
        covers_households=covers,
        alerts_received=alerts,
        exported_at=datetime.now(UTC),
    )


async def orphan_signs(conn: asyncpg.Connection, actor: Principal, in_kommuner: list[str] | None) -> list[lifecycle.OrphanSign]:
    """Signs still up in areas whose group is dissolved or lapsed."""
    return await lifecycle.orphan_signs(conn, actor.visible_kommuner(in_kommuner))


# --- the demo -------------------------------------------------------------------------------------------


async def load_demo_lifecycle(conn: asyncpg.Connection, actor: Principal, today: date) -> dict[str, int]:
    """The demo's group lives: Arvidsjaur centrum lapsed (its kontaktombud moved away) with a sign
    still up, Byavakt Långsele under staged approval (reviewed, waiting for the police) with
    households that declined, Nipan with its signs and this year's renewal. Run again: nothing."""
    rows = {r["name"]: r for r in await lifecycle.demo_groups(conn)}
    if await lifecycle.has_steps(conn, [r["id"] for r in rows.values()], ("propose", "lapse")):
        return {"steps": 0}
    done = 0
    arvidsjaur = rows.get("Grannsamverkan Arvidsjaur centrum")
    if arvidsjaur and arvidsjaur["status"] == "active":
        await add_sign(
            conn,
            actor,
            arvidsjaur["id"],
            {
                "label": "Grannsamverkan-skylt",
                "ordered_on": date(2019, 8, 1),
                "delivered_on": date(2019, 8, 20),
                "placed_on": date(2019, 9, 10),
                "taken_down_on": None,
                "x": None,
                "y": None,
                "place": "Storgatan vid torget",
            },
        )
        await take_step(conn, actor, arvidsjaur["id"], "lapse", date(today.year, 5, 31), note="Inte förnyad: kontaktombudet har flyttat.")
        done += 2
    langsele = rows.get("Byavakt Långsele")
    if langsele and langsele["status"] == "forming":
        await take_step(conn, actor, langsele["id"], "propose", date(today.year, 4, 20), note="Föreslagen av byborna")
        await take_step(conn, actor, langsele["id"], "review", date(today.year, 5, 6), note="Granskad av kommunen")
        for household_id in await lifecycle.not_signed_up(conn, langsele["id"], 3):
            await decline(conn, actor, langsele["id"], household_id, date(today.year, 4, 16))
        done += 2
    nipan = rows.get("Grannsamverkan Nipan")
    if nipan and nipan["status"] == "active":
        for label, place in (("Skylt 1", "Nipvägen, infarten"), ("Skylt 2", "Backvägen vid lekplatsen")):
            await add_sign(
                conn,
                actor,
                nipan["id"],
                {
                    "label": label,
                    "ordered_on": date(today.year, 3, 16),
                    "delivered_on": date(today.year, 4, 2),
                    "placed_on": date(today.year, 4, 10),
                    "taken_down_on": None,
                    "x": None,
                    "y": None,
                    "place": place,
                },
            )
        done += 1
    return {"steps": done}
