"""Start page, kommun overview, area page with households, sign-ups, contact persons and the
establish button. The same db functions as the API, so the same rules and the same audit trail."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grannsamverkan.db import areas, groups, households, kommuner
from grannsamverkan.db.areas import AreaRecord
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.eligibility import active_shortfalls, meets_threshold
from grannsamverkan.errors import FieldError, GrannsamverkanError, InvalidInput
from grannsamverkan.http.common import Caller, Db, today_in_sweden
from grannsamverkan.services import groups as group_cases
from grannsamverkan.services import lifecycle
from grannsamverkan.web import context as form
from grannsamverkan.web.context import page, redirect, visible_kommun
from grannsamverkan.web.maps import AreaOnMap, draw, lonlat_to_sweref
from grannsamverkan.web.paging import paginate
from grannsamverkan.web.places import places_in_area
from grannsamverkan.web.wording import EXISTING, GROUP_STATUSES, SHORTFALLS, eligibility_text, share_text

MANY = 100_000  # pages show a kommun's areas and an area's households in full


class AreaRow(msgspec.Struct, kw_only=True, gc=False):
    """One line of the kommun table (and one shape of its map)."""

    area: AreaRecord
    group: groups.Group | None
    has_contact: bool = True

    @property
    def state(self) -> str:
        return self.group.status if self.group else "none"

    @property
    def shortfalls(self) -> list[str]:
        """Why an active group no longer meets the rule (the domain's reasons), else empty."""
        if self.group is None or self.group.status != "active":
            return []
        return list(
            active_shortfalls(
                self.group.households_total,
                self.group.households_signed_up,
                self.has_contact,
                registered_as_existing=self.group.registered_as_existing,
            )
        )

    @property
    def share(self) -> float | None:
        if self.group is None or not self.area.households_total:
            return None
        return self.group.households_signed_up / self.area.households_total


def state_class(row: AreaRow) -> str:
    if row.group is None:
        return "state-none"
    if row.group.status == "active":
        return "state-active"
    signed, total = row.group.households_signed_up, row.area.households_total
    if meets_threshold(signed, total):
        return "state-forming-high"
    # half-way to the rule: 35 % when the rule is 70 %
    return "state-forming-mid" if meets_threshold(2 * signed, total) else "state-forming-low"


def state_label(row: AreaRow) -> str:
    if row.group is None:
        return "ingen grupp"
    if row.group.status == "forming":
        return f"grupp bildas, {share_text(row.group.households_signed_up, row.area.households_total)} anmälda"
    if row.group.status == "active":
        label = EXISTING if row.group.registered_as_existing else "aktiv"
        return ", ".join([label, *(SHORTFALLS[r] for r in row.shortfalls)])
    return GROUP_STATUSES.get(row.group.status, row.group.status).lower()


async def area_rows(db: Any, kommun: str) -> list[AreaRow]:
    records, _ = await areas.list_areas(db, [kommun], limit=MANY, offset=0)
    current, _ = await groups.list_groups(db, in_kommuner=[kommun], status=None, kind=None, limit=MANY, offset=0)
    by_id = {g.id: g for g in current}
    with_contact = await groups.groups_with_contact(db, [g.id for g in current if g.status == "active"])
    return [AreaRow(area=a, group=by_id.get(a.group_id) if a.group_id else None, has_contact=a.group_id in with_contact) for a in records]


class KommunSummary(msgspec.Struct, kw_only=True):
    kommun: kommuner.Kommun
    areas: int
    households: int
    active: int
    forming: int


class RegistryPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/", opt={"capability": "read"})
    async def start(self, request: Request[Any, Any, Any], db: Db, principal: Caller) -> Template:
        codes = list(principal.kommuner)
        if principal.scope is None:
            records, _ = await areas.list_areas(db, None, limit=MANY, offset=0)
            codes = sorted({a.kommun for a in records})
        summaries = []
        for code in codes:
            rows = await area_rows(db, code)
            summaries.append(
                KommunSummary(
                    kommun=await kommuner.get_kommun(db, code),
                    areas=len(rows),
                    households=sum(r.area.households_total for r in rows),
                    active=sum(r.state == "active" for r in rows),
                    forming=sum(r.state == "forming" for r in rows),
                )
            )
        all_kommuner = await kommuner.list_kommuner(db) if principal.scope is None else []
        return page(request, "start.html.j2", summaries=summaries, all_kommuner=all_kommuner)

    @get("/kommun", opt={"capability": "read"})
    async def choose_kommun(self, kod: FromQuery[str]) -> Redirect:
        """The start page's kommun chooser (a GET form) lands here."""
        return redirect(f"/kommun/{quote(kod.strip(), safe='')}")

    @get("/kommun/{kommun:str}", opt={"capability": "read"})
    async def kommun(
        self, request: Request[Any, Any, Any], db: Db, principal: Caller, kommun: FromPath[str], sida: FromQuery[int] = 1
    ) -> Template:
        """The map shows every area; the table a page of them (``?sida=``)."""
        k = await visible_kommun(db, principal, kommun)
        rows = await area_rows(db, kommun)
        shown, pages = paginate(rows, sida, f"/kommun/{quote(kommun, safe='')}")
        svg = draw(
            [
                AreaOnMap(
                    area_id=r.area.id,
                    name=r.area.name,
                    geometry=r.area.geometry,
                    css_class=state_class(r),
                    label=f"{r.area.name}: {state_label(r)}",
                    short=share_text(r.group.households_signed_up, r.area.households_total) if r.group and r.state == "forming" else "",
                )
                for r in rows
            ]
        )
        return page(
            request,
            "kommun.html.j2",
            kommun=k,
            kommun_code=kommun,
            rows=shown,
            pages=pages,
            map=svg,
            state_label=state_label,
            counts={
                "none": sum(r.state == "none" for r in rows),
                "forming": sum(r.state == "forming" for r in rows),
                "active": sum(r.state == "active" for r in rows),
                "flagged": sum(bool(r.shortfalls) for r in rows),
            },
        )

    # --- the area page -----------------------------------------------------------------------------

    @get("/omraden/{area_id:int}", opt={"capability": "read"})
    async def area(self, request: Request[Any, Any, Any], db: Db, principal: Caller, area_id: FromPath[int]) -> Template:
        return await area_page(request, db, principal, area_id)

    @get("/omraden/{area_id:int}/hushall", opt={"capability": "read_households"})
    async def area_households(self, request: Request[Any, Any, Any], db: Db, principal: Caller, area_id: FromPath[int]) -> Template:
        """The household list alone (addresses: never for the police role)."""
        return await area_page(request, db, principal, area_id, template="households.html.j2")

    @post("/omraden/{area_id:int}/grupp", opt={"capability": "write"})
    async def start_group(self, request: Request[Any, Any, Any], db: Db, principal: Caller, area_id: FromPath[int]) -> Template | Redirect:
        data = await request.form()
        try:
            kind = form.text(data, "kind")
            if kind not in ("grannsamverkan", "byavakt"):
                raise InvalidInput("group.kind_choose", [FieldError.of("kind", "group.kind_unknown")])
            name = form.text(data, "name")
            await group_cases.create_group(db, principal, groups.GroupInput(area_id=area_id, kind=kind, name=name or ""), today_in_sweden())
        except GrannsamverkanError as exc:
            return await area_page(request, db, principal, area_id, failure=exc)
        return redirect(f"/omraden/{area_id}", done="grupp")

    @post("/grupper/{group_id:int}/anmalan", opt={"capability": "write"})
    async def toggle_signup(
        self, request: Request[Any, Any, Any], db: Db, principal: Caller, group_id: FromPath[int]
    ) -> Template | Redirect:
        group = await groups.get_group(db, group_id, principal.scope)
        data = await request.form()
        try:
            household_id = form.integer(data, "household_id")
            if data.get("atgard") == "ta-bort":
                # A contact person's household: only with the box "radera kontaktpersonen" ticked.
                await group_cases.withdraw_signup(db, principal, group_id, household_id, confirm_erasure=data.get("bekrafta") == "1")
                done = "borttagen"
            else:
                await group_cases.sign_up(db, principal, group_id, household_id)
                done = "anmald"
        except GrannsamverkanError as exc:
            return await area_page(request, db, principal, group.area_id, failure=exc)
        return redirect(f"/omraden/{group.area_id}", done=done, anchor=f"hushall-{household_id}")

    @post("/grupper/{group_id:int}/kontaktpersoner", opt={"capability": "write"})
    async def add_contact(self, request: Request[Any, Any, Any], db: Db, principal: Caller, group_id: FromPath[int]) -> Template | Redirect:
        group = await groups.get_group(db, group_id, principal.scope)
        data = await request.form()
        try:
            await group_cases.add_contact(
                db,
                principal,
                group_id,
                groups.ContactInput(
                    household_id=form.integer(data, "household_id"),
                    name=form.text(data, "name", required=False, max_length=1000) or "",
                    phone=form.text(data, "phone", required=False, max_length=1000),
                    email=form.text(data, "email", required=False, max_length=1000),
                ),
            )
        except GrannsamverkanError as exc:
            return await area_page(request, db, principal, group.area_id, failure=exc)
        return redirect(f"/omraden/{group.area_id}", done="kontakt", anchor="kontaktpersoner")

    @post("/grupper/{group_id:int}/kontaktpersoner/{contact_id:int}/ta-bort", opt={"capability": "write"})
    async def remove_contact(
        self, request: Request[Any, Any, Any], db: Db, principal: Caller, group_id: FromPath[int], contact_id: FromPath[int]
    ) -> Template | Redirect:
        group = await groups.get_group(db, group_id, principal.scope)
        try:
            await group_cases.erase_contact(db, principal, group_id, contact_id)
        except GrannsamverkanError as exc:
            return await area_page(request, db, principal, group.area_id, failure=exc)
        return redirect(f"/omraden/{group.area_id}", done="kontakt-bort", anchor="kontaktpersoner")

    @post("/grupper/{group_id:int}/bilda", opt={"capability": "write"})
    async def establish(self, request: Request[Any, Any, Any], db: Db, principal: Caller, group_id: FromPath[int]) -> Template | Redirect:
        group = await groups.get_group(db, group_id, principal.scope)
        data = await request.form()
        try:
            await group_cases.establish(db, principal, group_id, form.day(data, "established_on", today_in_sweden()))
        except GrannsamverkanError as exc:
            return await area_page(request, db, principal, group.area_id, failure=exc)
        return redirect(f"/omraden/{group.area_id}", done="bildad")


class HouseholdRow(msgspec.Struct, kw_only=True):
    household: households.Household
    signed_up: bool
    contact: bool


async def _household_rows(
    db: Any, principal: Principal, area: areas.AreaRecord, group: groups.Group | None, contacts: list[groups.ContactPerson]
) -> tuple[list[HouseholdRow], list[tuple[float, float, str, str]]]:
    """The area's households (signed up, contact person) and their dots on the map; none for a
    role that may not read household addresses and sign-ups (the police)."""
    if not principal.can("read_households"):
        return [], []
    items, _ = await households.list_households(db, in_kommuner=[area.kommun], area_id=area.id, limit=MANY, offset=0)
    signed: set[int] = set()
    if group:
        signups, _ = await groups.list_signups(db, group.id, principal.scope, limit=MANY, offset=0)
        signed = {s.household_id for s in signups}
    with_contact = {c.household_id for c in contacts}
    rows = [HouseholdRow(household=h, signed_up=h.id in signed, contact=h.id in with_contact) for h in items]
    located = [(r, tuple(r.household.location["coordinates"][:2])) for r in rows if r.household.location]
    points = lonlat_to_sweref([p for _, p in located])
    dots = [
        (
            x,
            y,
            "dot-signed" if r.signed_up else "dot-open",
            f"{r.household.street or 'Hushåll ' + str(r.household.id)}: {'anmält' if r.signed_up else 'inte anmält'}",
        )
        for (r, _), (x, y) in zip(located, points, strict=True)
    ]
    return rows, dots


async def area_page(
    request: Request[Any, Any, Any],
    db: Any,
    principal: Principal,
    area_id: int,
    *,
    failure: GrannsamverkanError | None = None,
    template: str = "area.html.j2",
) -> Template:
    """The area page; after a failed form, the same page with what went wrong and the error's status."""
    area = await areas.get_area(db, area_id, principal.scope)
    kommun = await kommuner.get_kommun(db, area.kommun)
    group = await groups.get_group(db, area.group_id, principal.scope) if area.group_id else None
    eligibility = await groups.eligibility(db, group.id, principal.scope) if group and group.status == "forming" else None
    contacts = await groups.list_contacts(db, group.id, principal.scope) if group else []
    rows, dots = await _household_rows(db, principal, area, group, contacts)
    row = AreaRow(area=area, group=group, has_contact=bool(contacts))
    svg = draw(
        [
            AreaOnMap(
                area_id=area.id,
                name=area.name,
                geometry=area.geometry,
                css_class=state_class(row),
                label=f"{area.name}: {state_label(row)}",
            )
        ],
        dots,
    )
    return page(
        request,
        template,
        status_code=failure.status if failure else 200,
        area=area,
        kommun=kommun,
        kommun_code=area.kommun,
        group=group,
        eligibility=eligibility,
        eligibility_text=eligibility_text(eligibility) if eligibility else None,
        contacts=contacts,
        rows=rows,
        map=svg,
        failure=failure,
        state_label=state_label(row),
        today=today_in_sweden(),
        shortfalls=row.shortfalls,
        signed_rows=[r for r in rows if r.signed_up],
        place_reports=await places_in_area(db, principal, area_id),
        # issue 19: contact coverage and the share asked (templates/lifecycle/_coverage.html.j2)
        life=await lifecycle.group_life(db, principal, group.id, today_in_sweden()) if group else None,
    )
