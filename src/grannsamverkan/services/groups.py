"""Use cases of a group: register it, establish it (the 70 % rule), dissolve it, and its sign-ups
and contact persons (kontaktombud), for the API, the pages and the command line.

The rule for a contact person's personal data: nothing is lost without an explicit erasure.
Withdrawing the sign-up of a household that holds the group's contact person is refused (409,
saying why) unless the caller confirms the erasure (``?bekrafta=1`` on the API, a checkbox on the
page); the contact person is then erased explicitly, audited as an erasure. Households that leave
their area by an area change or a re-import follow the same rule (``db.groups.settle_departures``).
"""

from __future__ import annotations

from datetime import date

import asyncpg
import msgspec

from grannsamverkan.db import audit, groups, lifecycle
from grannsamverkan.db.groups import CONFIRM_PARAMETER, ContactInput, ContactPerson, GroupInput, Signup
from grannsamverkan.db.pool import translated_errors
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.contact import check_contact_details
from grannsamverkan.domain.eligibility import (
    Eligibility,
    check_dissolution,
    check_new_group,
    check_transition,
    ensure_eligible,
)
from grannsamverkan.domain.lifecycle import next_status
from grannsamverkan.domain.text import one_line
from grannsamverkan.errors import Conflict, FieldError, InvalidInput, NotFound

# The tables whose files held an erased contact person's values.
CONTACT_TABLES = ["contact_person", "audit_event"]


async def create_group(conn: asyncpg.Connection, actor: Principal, data: GroupInput, today: date) -> int:
    """A new group in ``forming``, or an existing one (active before the registry) with its past date."""
    existing = check_new_group(data.status, data.established_on, today)
    async with conn.transaction(), translated_errors():
        kommun = await groups.area_kommun(conn, data.area_id, actor.scope)
        group_id = await groups.insert_group(conn, kommun, data, existing=existing)
        await audit.record(
            conn, actor, kommun=kommun, table="watch_group", row_id=group_id, action="insert", after=msgspec.to_builtins(data)
        )
    return group_id


async def establish(conn: asyncpg.Connection, actor: Principal, group_id: int, on: date) -> Eligibility:
    """forming -> active, only when eligible (the 70 % rule and a contact person); the group row is
    locked so the count is not stale."""
    async with conn.transaction():
        # Sign-ups and withdrawals update this row (trigger), so holding its lock serialises them.
        result = await groups.eligibility(conn, group_id, actor.scope, lock=True)
        ensure_eligible(result)
        # The staged approval (domain/lifecycle.py): approved → active, or forming → active where
        # the kommun does not require approval.
        before = await lifecycle.group_row(conn, group_id, actor.scope)
        rules = await lifecycle.rules(conn, before["kommun"])
        next_status(before["status"], "establish", approval_required=rules.approval_required)
        kommun = await groups.mark_established(conn, group_id, on)
        await lifecycle.insert_step(
            conn, actor, group_id=group_id, kommun=kommun, step="establish", from_status=before["status"], to_status="active", on=on
        )
        await audit.record(
            conn,
            actor,
            kommun=kommun,
            table="watch_group",
            row_id=group_id,
            action="update",
            before={"status": before["status"]},
            after={
                "status": "active",
                "established_on": on.isoformat(),
                "households_signed_up": result.households_signed_up,
                "households_total": result.households_total,
            },
        )
    return result


async def dissolve(conn: asyncpg.Connection, actor: Principal, group_id: int, on: date) -> None:
    async with conn.transaction():
        row = await groups.group_to_dissolve(conn, group_id, actor.scope)
        check_transition(row["status"], "dissolved")
        check_dissolution(row["established_on"], on)
        await groups.mark_dissolved(conn, group_id, on)
        await lifecycle.insert_step(
            conn, actor, group_id=group_id, kommun=row["kommun"], step="dissolve", from_status=row["status"], to_status="dissolved", on=on
        )
        await audit.record(
            conn,
            actor,
            kommun=row["kommun"],
            table="watch_group",
            row_id=group_id,
            action="update",
            before={"status": row["status"]},
            after={"status": "dissolved", "dissolved_on": on.isoformat()},
        )


async def sign_up(conn: asyncpg.Connection, actor: Principal, group_id: int, household_id: int) -> Signup:
    async with conn.transaction(), translated_errors():
        group = await groups.group_for_write(conn, actor, group_id)
        signed_up_at = await groups.insert_signup(conn, group_id, household_id)
        if signed_up_at is None:
            if group["status"] == "dissolved":
                raise Conflict.at("group_id", "group.dissolved", group_id=group_id)
            household = await groups.household_area(conn, household_id, group["kommun"])
            code = "household.not_in_kommun" if household is None else "household.not_in_group_area"
            raise InvalidInput.at("household_id", code, household_id=household_id, kommun=group["kommun"], area_id=group["area_id"])
        await audit.record(
            conn,
            actor,
            kommun=group["kommun"],
            table="signup",
            row_id=group_id,
            action="insert",
            after={"group_id": group_id, "household_id": household_id},
        )
    return Signup(group_id=group_id, household_id=household_id, signed_up_at=signed_up_at)


async def withdraw_signup(
    conn: asyncpg.Connection, actor: Principal, group_id: int, household_id: int, *, confirm_erasure: bool = False
) -> list[int]:
    """Withdraw a household's sign-up; answers the ids of the contact persons erased with it."""
    async with conn.transaction():
        # The group row first: an establish running now must not count a sign-up that is going.
        group = await groups.group_for_write(conn, actor, group_id, lock=True)
        held = await groups.contacts_of_household(conn, group_id, household_id)
        if held and not confirm_erasure:
            raise _holds_contact(group, household_id, held)
        erased = await groups.erase_contacts(conn, actor, group["kommun"], held, reason="the sign-up was withdrawn") if held else []
        if not await groups.delete_signup(conn, group_id, household_id):
            raise NotFound("signup.not_found", household_id=household_id, group_id=group_id)
        await audit.record(
            conn,
            actor,
            kommun=group["kommun"],
            table="signup",
            row_id=group_id,
            action="delete",
            before={"group_id": group_id, "household_id": household_id},
        )
    if erased:
        await audit.scrub(conn, CONTACT_TABLES)
    return erased


def _holds_contact(group: asyncpg.Record, household_id: int, contact_ids: list[int]) -> Conflict:
    code = "signup.holds_contact_active" if group["status"] == "active" else "signup.holds_contact"
    values = {
        "household_id": household_id,
        "group_id": group["id"],
        "contacts": ", ".join(map(str, contact_ids)),
        "confirm": CONFIRM_PARAMETER,
    }
    return Conflict(code, [FieldError.of("household_id", code, **values)], extra={"contact_person_ids": contact_ids}, **values)


async def add_contact(conn: asyncpg.Connection, actor: Principal, group_id: int, data: ContactInput) -> ContactPerson:
    """A contact person of a signed-up household; the details are checked (422 naming the field),
    and a household has at most one contact person in a group (409)."""
    details = check_contact_details(data.name, data.phone, data.email)
    data = ContactInput(
        household_id=data.household_id,
        name=details.name,
        phone=details.phone,
        email=details.email,
        consent_at=data.consent_at,
        role=data.role,
    )
    async with conn.transaction(), translated_errors():
        group = await groups.group_for_write(conn, actor, group_id, lock=True)
        if group["status"] == "dissolved":
            raise Conflict.at("group_id", "group.dissolved", group_id=group_id)
        await groups.refuse_second_contact(conn, group_id, data.household_id)
        contact = await groups.insert_contact(conn, group, data)
        await audit.record(conn, actor, kommun=group["kommun"], table="contact_person", row_id=contact.id, action="insert", after=contact)
    return contact


async def erase_contact(conn: asyncpg.Connection, actor: Principal, group_id: int, contact_id: int) -> None:
    """Erase a contact person: the row, and their values in the audit trail and the data files."""
    async with conn.transaction():
        # Lock the group row: an establish running now must not see a contact person that is going.
        group = await groups.group_for_write(conn, actor, group_id, lock=True)
        if not await groups.contact_exists(conn, group_id, contact_id):
            raise NotFound("contact.not_found", group_id=group_id, contact_id=contact_id)
        await groups.erase_contacts(conn, actor, group["kommun"], [contact_id], reason="erased on request")
    await audit.scrub(conn, CONTACT_TABLES)


# --- edits from the pages ------------------------------------------------------------------------------

GROUP_NAME_MAX = 200


def group_name(raw: str | None) -> str:
    """A group's name trimmed to one line, or InvalidInput (422) on the field ``name``, in Swedish."""
    name = one_line(raw or "")
    if not name:
        raise InvalidInput.at("name", "group.name_missing")
    if len(name) > GROUP_NAME_MAX:
        raise InvalidInput.at("name", "group.name_too_long", max=GROUP_NAME_MAX)
    return name


async def rename_group(conn: asyncpg.Connection, actor: Principal, group_id: int, raw_name: str | None) -> None:
    """A group's new name (a dissolved group keeps the name it had); audited."""
    name = group_name(raw_name)
    async with conn.transaction():
        group = await groups.group_for_write(conn, actor, group_id, lock=True)
        if group["status"] == "dissolved":
            raise Conflict.at("name", "group.dissolved_keeps_name", group_id=group_id)
        before = await groups.group_name(conn, group_id)
        if before != name:
            await groups.rename_group(conn, group_id, name)
            await audit.record(
                conn,
                actor,
                kommun=group["kommun"],
                table="watch_group",
                row_id=group_id,
                action="update",
                before={"name": before},
                after={"name": name},
            )


async def update_contact(
    conn: asyncpg.Connection, actor: Principal, group_id: int, contact_id: int, name: str | None, phone: str | None, email: str | None
) -> ContactPerson:
    """New details of a contact person, checked as a new one is (422 naming the field); audited."""
    details = check_contact_details(name, phone, email)
    async with conn.transaction():
        group = await groups.group_for_write(conn, actor, group_id, lock=True)
        current = await groups.get_contact(conn, group_id, contact_id, lock=True)
        before = {"name": current.name, "phone": current.phone, "email": current.email}
        after = msgspec.to_builtins(details)
        if before != after:
            await groups.update_contact(conn, contact_id, details.name, details.phone, details.email)
            await audit.record(
                conn, actor, kommun=group["kommun"], table="contact_person", row_id=contact_id, action="update", before=before, after=after
            )
        return await groups.get_contact(conn, group_id, contact_id)


async def dissolve_group(conn: asyncpg.Connection, actor: Principal, group_id: int, on: date, *, confirmed: bool) -> None:
    """Dissolve a group on a day, when the caller confirmed it; the reasons it cannot, in Swedish."""
    if not confirmed:
        raise InvalidInput.at("bekrafta", "group.dissolve_confirm")
    group = await groups.get_group(conn, group_id, actor.scope)
    if group.status == "dissolved":
        if group.dissolved_on:
            raise Conflict.at("bekrafta", "group.dissolved_since", since=group.dissolved_on.isoformat())
        raise Conflict.at("bekrafta", "group.dissolved_already")
    if group.established_on and on < group.established_on:
        raise InvalidInput.at("dissolved_on", "group.dissolve_before_established", established_on=group.established_on.isoformat())
    await dissolve(conn, actor, group_id, on)
