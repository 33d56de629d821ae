"""A group's life over HTTP (issue 19): staged approval, renewal and lapse, coverage, declined
households, signs, per-kommun rules and a contact person's own data. Thin: parse, call
services/lifecycle.py, answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import Meta

from grannsamverkan.db import kommuner
from grannsamverkan.db.lifecycle import GroupStep, OrphanSign, Sign
from grannsamverkan.domain.lifecycle import KommunRules, Step
from grannsamverkan.http.common import Caller, Db, FromPath, FromQuery, KommunFilter, Page, today_in_sweden
from grannsamverkan.services import lifecycle as cases
from grannsamverkan.services.lifecycle import ContactExport, GroupLife, RenewalLine

Id = Annotated[int, Meta(ge=1, le=2**62)]
Note = Annotated[str, Meta(max_length=2000)]
KommunCode = Annotated[str, Meta(pattern=r"^[0-9]{4}$", description="SCB kommun code, e.g. 2283")]


class StepInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    on: date | None = msgspec.field(default=None, name="on")
    note: Note = ""


class RenewalInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    renewed_on: date | None = None


class RoleInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    role: Literal["kontaktombud", "huvudkontaktombud"]


class DeclineInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    household_id: Id
    declined_on: date | None = None


class Declined(msgspec.Struct, kw_only=True):
    household_id: int
    declined_on: date


class SignInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    label: Annotated[str, Meta(max_length=200)] = ""
    ordered_on: date | None = None
    delivered_on: date | None = None
    placed_on: date | None = None
    taken_down_on: date | None = None
    x: Annotated[float, Meta(ge=200_000, le=1_000_000, description="SWEREF 99 TM easting of the sign")] | None = None
    y: Annotated[float, Meta(ge=6_100_000, le=7_700_000, description="SWEREF 99 TM northing of the sign")] | None = None
    place: Annotated[str, Meta(max_length=200, description="where it hangs, in words")] = ""


class RulesInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    households_per_contact: Annotated[int, Meta(ge=1, le=1000, description="the coverage rule: 1 contact person per N")] = 15
    renewal_month: Annotated[int, Meta(ge=1, le=12)] = 3
    renewal_day: Annotated[int, Meta(ge=1, le=31)] = 31
    grace_days: Annotated[int, Meta(ge=0, le=366)] = 60
    approval_required: bool = False


def _sign_values(data: SignInput) -> dict[str, object]:
    return msgspec.structs.asdict(data)


async def _step(db: Db, principal: Caller, group_id: int, step: Step, data: StepInput | None) -> GroupStep:
    return await cases.take_step(db, principal, group_id, step, (data.on if data else None) or today_in_sweden(), data.note if data else "")


class GroupLifeController(Controller):
    path = "/api/v1/groups"
    tags = ["group life"]

    @get("/{group_id:int}/life", operation_id="getGroupLife", opt={"capability": "read"})
    async def life(self, db: Db, principal: Caller, group_id: FromPath[int], as_of: FromQuery[date | None] = None) -> GroupLife:
        """Status, steps (who and when), contact coverage (households without a contact person
        nearby; a quality figure, not a gate), the share of households asked and the yearly renewal.
        Household ids only for roles that see households."""
        return await cases.group_life(db, principal, group_id, as_of or today_in_sweden())

    @get("/{group_id:int}/steps", operation_id="listGroupSteps", opt={"capability": "read"})
    async def steps(self, db: Db, principal: Caller, group_id: FromPath[int]) -> Page[GroupStep]:
        items = await cases.steps(db, principal, group_id)
        return Page(items=items, total=len(items))

    @post("/{group_id:int}/propose", operation_id="proposeGroup", opt={"capability": "write"}, status_code=HTTP_200_OK)
    async def propose(self, db: Db, principal: Caller, group_id: FromPath[int], data: JSONBody[StepInput | None] = None) -> GroupStep:
        """forming → proposed (by residents or a coordinator)."""
        return await _step(db, principal, group_id, "propose", data)

    @post("/{group_id:int}/review", operation_id="reviewGroup", opt={"capability": "write"}, status_code=HTTP_200_OK)
    async def review(self, db: Db, principal: Caller, group_id: FromPath[int], data: JSONBody[StepInput | None] = None) -> GroupStep:
        """proposed → reviewed (the kommun's coordinator)."""
        return await _step(db, principal, group_id, "review", data)

    @post("/{group_id:int}/approve", operation_id="approveGroup", opt={"capability": "approve"}, status_code=HTTP_200_OK)
    async def approve(self, db: Db, principal: Caller, group_id: FromPath[int], data: JSONBody[StepInput | None] = None) -> GroupStep:
        """reviewed → approved (the police: their one write). Then ``/establish`` (the 70 % rule)."""
        return await _step(db, principal, group_id, "approve", data)

    @post("/{group_id:int}/lapse", operation_id="lapseGroup", opt={"capability": "write"}, status_code=HTTP_200_OK)
    async def lapse(self, db: Db, principal: Caller, group_id: FromPath[int], data: JSONBody[StepInput | None] = None) -> GroupStep:
        """active → lapsed (``lifecycle lapse`` does it from cron for overdue groups)."""
        return await _step(db, principal, group_id, "lapse", data)

    @post("/{group_id:int}/reactivate", operation_id="reactivateGroup", opt={"capability": "write"}, status_code=HTTP_200_OK)
    async def reactivate(self, db: Db, principal: Caller, group_id: FromPath[int], data: JSONBody[StepInput | None] = None) -> GroupStep:
        """lapsed → active; not a new group (established_on is kept). Needs a contact person."""
        return await _step(db, principal, group_id, "reactivate", data)

    @post("/{group_id:int}/renewals", operation_id="renewGroup", opt={"capability": "write"}, status_code=HTTP_200_OK)
    async def renew(self, db: Db, principal: Caller, group_id: FromPath[int], data: JSONBody[RenewalInput | None] = None) -> GroupLife:
        """The yearly confirmation of the contact persons; a lapsed group becomes active again."""
        today = today_in_sweden()
        await cases.renew(db, principal, group_id, (data.renewed_on if data else None) or today)
        return await cases.group_life(db, principal, group_id, today)

    @put("/{group_id:int}/contacts/{contact_id:int}/role", operation_id="setContactRole", opt={"capability": "write"})
    async def set_role(
        self, db: Db, principal: Caller, group_id: FromPath[int], contact_id: FromPath[int], data: JSONBody[RoleInput]
    ) -> GroupLife:
        await cases.set_contact_role(db, principal, group_id, contact_id, data.role)
        return await cases.group_life(db, principal, group_id, today_in_sweden())

    @get("/{group_id:int}/contacts/{contact_id:int}/export", operation_id="exportContactPerson", opt={"capability": "read_households"})
    async def export_contact(self, db: Db, principal: Caller, group_id: FromPath[int], contact_id: FromPath[int]) -> ContactExport:
        """A contact person's own data (registerutdrag), with the date of their consent. Erase with
        ``DELETE /api/v1/groups/{id}/contacts/{contact_id}``."""
        return await cases.export_contact(db, principal, group_id, contact_id, today_in_sweden())

    @post("/{group_id:int}/declined", operation_id="declineHousehold", opt={"capability": "write"}, status_code=HTTP_201_CREATED)
    async def decline(self, db: Db, principal: Caller, group_id: FromPath[int], data: JSONBody[DeclineInput]) -> Declined:
        """The household said no: the date only, nothing personal. Gone when it signs up."""
        on = data.declined_on or today_in_sweden()
        await cases.decline(db, principal, group_id, data.household_id, on)
        return Declined(household_id=data.household_id, declined_on=on)

    @get("/{group_id:int}/declined", operation_id="listDeclinedHouseholds", opt={"capability": "read_households"})
    async def declined(self, db: Db, principal: Caller, group_id: FromPath[int]) -> Page[Declined]:
        items = [Declined(household_id=h, declined_on=d) for h, d in await cases.declined(db, principal, group_id)]
        return Page(items=items, total=len(items))

    @delete(
        "/{group_id:int}/declined/{household_id:int}",
        operation_id="deleteDeclinedHousehold",
        opt={"capability": "write"},
        status_code=HTTP_204_NO_CONTENT,
    )
    async def undecline(self, db: Db, principal: Caller, group_id: FromPath[int], household_id: FromPath[int]) -> None:
        await cases.undecline(db, principal, group_id, household_id)

    @post("/{group_id:int}/signs", operation_id="createSign", opt={"capability": "write"}, status_code=HTTP_201_CREATED)
    async def add_sign(self, db: Db, principal: Caller, group_id: FromPath[int], data: JSONBody[SignInput]) -> Sign:
        """A sign of the ledger: ordered, delivered, placed (only while the group is active), taken down."""
        return await cases.add_sign(db, principal, group_id, _sign_values(data))

    @get("/{group_id:int}/signs", operation_id="listSigns", opt={"capability": "read"})
    async def signs(self, db: Db, principal: Caller, group_id: FromPath[int]) -> Page[Sign]:
        items = await cases.signs(db, principal, group_id)
        return Page(items=items, total=len(items))

    @put("/{group_id:int}/signs/{sign_id:int}", operation_id="updateSign", opt={"capability": "write"})
    async def update_sign(
        self, db: Db, principal: Caller, group_id: FromPath[int], sign_id: FromPath[int], data: JSONBody[SignInput]
    ) -> Sign:
        return await cases.update_sign(db, principal, group_id, sign_id, _sign_values(data))


class LifecycleController(Controller):
    path = "/api/v1"
    tags = ["group life"]

    @get("/signs/orphaned", operation_id="listOrphanedSigns", opt={"capability": "read"})
    async def orphaned(self, db: Db, principal: Caller, kommun: KommunFilter = None) -> Page[OrphanSign]:
        """Signs still up in areas whose group is dissolved or lapsed: to review or take down."""
        if kommun:
            await kommuner.require_known(db, kommun)
        items = await cases.orphan_signs(db, principal, kommun)
        return Page(items=items, total=len(items))

    @get("/renewals", operation_id="listRenewals", opt={"capability": "read"})
    async def renewals(
        self, db: Db, principal: Caller, kommun: KommunFilter = None, as_of: FromQuery[date | None] = None
    ) -> Page[RenewalLine]:
        """Active and lapsed groups and where they stand with the yearly renewal, most urgent first."""
        if kommun:
            await kommuner.require_known(db, kommun)
        items = await cases.renewal_list(db, principal.visible_kommuner(kommun), as_of or today_in_sweden())
        return Page(items=items, total=len(items))

    @get("/lifecycle-rules/{kommun:str}", operation_id="getLifecycleRules", opt={"capability": "read"})
    async def rules(self, db: Db, principal: Caller, kommun: FromPath[str]) -> KommunRules:
        """The kommun's coverage rule (1 per 15), renewal date, grace period and whether the police must approve."""
        await kommuner.require_known(db, [kommun])
        return await cases.kommun_rules(db, principal, kommun)

    @put("/lifecycle-rules/{kommun:str}", operation_id="setLifecycleRules", opt={"capability": "write"})
    async def set_rules(self, db: Db, principal: Caller, kommun: FromPath[str], data: JSONBody[RulesInput]) -> KommunRules:
        await kommuner.require_known(db, [kommun])
        return await cases.set_kommun_rules(db, principal, kommun, KommunRules(**msgspec.structs.asdict(data)))


LIFECYCLE_CONTROLLERS: list[type] = [GroupLifeController, LifecycleController]
