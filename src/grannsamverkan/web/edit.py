"""Editing from the pages: a household's address, a contact person's details, an area's name and
kind, a group's name, and dissolving a group (with a confirmation). Each form posts to the use
case in ``services/`` that the API and command line share; a refused form comes back with the
message at the field and what was typed."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from grannsamverkan.db import areas, groups, households
from grannsamverkan.errors import FieldError, GrannsamverkanError, InvalidInput
from grannsamverkan.http.common import Caller, Db, today_in_sweden
from grannsamverkan.services import areas as area_cases
from grannsamverkan.services import groups as group_cases
from grannsamverkan.services import households as household_cases
from grannsamverkan.web import context as form
from grannsamverkan.web.context import page, redirect
from grannsamverkan.web.registry import area_page


def _field(data: Any, name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) else None


def _errors_by_field(failure: GrannsamverkanError | None) -> dict[str, str]:
    return {e.field: e.message for e in failure.errors} if failure else {}


class EditPages(Controller):
    path = "/"
    include_in_schema = False

    # --- a household's address ---------------------------------------------------------------------

    @get("/hushall/{household_id:int}/andra", opt={"capability": "write"})
    async def household_form(self, request: Request[Any, Any, Any], db: Db, principal: Caller, household_id: FromPath[int]) -> Template:
        household = await households.get_household(db, household_id, principal.scope)
        return await self._household_page(
            request,
            db,
            principal,
            household,
            values={"street": household.street or "", "postcode": household.postcode or "", "city": household.city or ""},
        )

    @post("/hushall/{household_id:int}/andra", opt={"capability": "write"})
    async def household_save(
        self, request: Request[Any, Any, Any], db: Db, principal: Caller, household_id: FromPath[int]
    ) -> Template | Redirect:
        household = await households.get_household(db, household_id, principal.scope)
        data = await request.form()
        values = {k: _field(data, k) or "" for k in ("street", "postcode", "city")}
        try:
            await household_cases.update_address(db, principal, household_id, values["street"], values["postcode"], values["city"])
        except GrannsamverkanError as exc:
            return await self._household_page(request, db, principal, household, values=values, failure=exc)
        if household.area_id:
            return redirect(f"/omraden/{household.area_id}", done="hushall", anchor=f"hushall-{household_id}")
        return redirect(f"/hushall/{household_id}/andra", done="hushall")

    async def _household_page(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        household: households.Household,
        *,
        values: dict[str, str],
        failure: GrannsamverkanError | None = None,
    ) -> Template:
        area = await areas.get_area(db, household.area_id, principal.scope) if household.area_id else None
        return page(
            request,
            "edit_household.html.j2",
            status_code=failure.status if failure else 200,
            household=household,
            area=area,
            values=values,
            failure=failure,
            field_errors=_errors_by_field(failure),
            kommun_code=household.kommun,
        )

    # --- a contact person ----------------------------------------------------------------------------

    @get("/grupper/{group_id:int}/kontaktpersoner/{contact_id:int}/andra", opt={"capability": "write"})
    async def contact_form(
        self, request: Request[Any, Any, Any], db: Db, principal: Caller, group_id: FromPath[int], contact_id: FromPath[int]
    ) -> Template:
        group = await groups.get_group(db, group_id, principal.scope)
        contact = await groups.get_contact(db, group_id, contact_id)
        return page(
            request,
            "edit_contact.html.j2",
            group=group,
            contact=contact,
            failure=None,
            field_errors={},
            values={"name": contact.name, "phone": contact.phone or "", "email": contact.email or ""},
            kommun_code=group.kommun,
        )

    @post("/grupper/{group_id:int}/kontaktpersoner/{contact_id:int}/andra", opt={"capability": "write"})
    async def contact_save(
        self, request: Request[Any, Any, Any], db: Db, principal: Caller, group_id: FromPath[int], contact_id: FromPath[int]
    ) -> Template | Redirect:
        group = await groups.get_group(db, group_id, principal.scope)
        data = await request.form()
        values = {k: _field(data, k) or "" for k in ("name", "phone", "email")}
        try:
            await group_cases.update_contact(db, principal, group_id, contact_id, values["name"], values["phone"], values["email"])
        except GrannsamverkanError as exc:
            contact = await groups.get_contact(db, group_id, contact_id)
            return page(
                request,
                "edit_contact.html.j2",
                status_code=exc.status,
                group=group,
                contact=contact,
                failure=exc,
                field_errors=_errors_by_field(exc),
                values=values,
                kommun_code=group.kommun,
            )
        return redirect(f"/omraden/{group.area_id}", done="kontakt-andrad", anchor="kontaktpersoner")

    # --- an area's name and kind, a group's name ------------------------------------------------------

    @get("/omraden/{area_id:int}/andra", opt={"capability": "write"})
    async def area_form(self, request: Request[Any, Any, Any], db: Db, principal: Caller, area_id: FromPath[int]) -> Template:
        area = await areas.get_area(db, area_id, principal.scope)
        group = await groups.get_group(db, area.group_id, principal.scope) if area.group_id else None
        return page(
            request,
            "edit_area.html.j2",
            area=area,
            group=group,
            failure=None,
            field_errors={},
            values={"name": area.name, "kind": area.kind, "group_name": group.name if group else ""},
            kommun_code=area.kommun,
        )

    @post("/omraden/{area_id:int}/andra", opt={"capability": "write"})
    async def area_save(self, request: Request[Any, Any, Any], db: Db, principal: Caller, area_id: FromPath[int]) -> Template | Redirect:
        area = await areas.get_area(db, area_id, principal.scope)
        group = await groups.get_group(db, area.group_id, principal.scope) if area.group_id else None
        data = await request.form()
        values = {k: _field(data, k) or "" for k in ("name", "kind", "group_name")}
        renaming = group is not None and group.status != "dissolved"
        try:
            if renaming:
                try:
                    group_cases.group_name(values["group_name"])  # checked before anything is saved
                except InvalidInput as exc:
                    errors = [FieldError(field="group_name", message=e.message, code=e.code) for e in exc.errors]
                    raise InvalidInput(exc.code, errors, **exc.values) from None
            await area_cases.edit_area(db, principal, area_id, values["name"], values["kind"])
            if renaming and group is not None:
                await group_cases.rename_group(db, principal, group.id, values["group_name"])
        except GrannsamverkanError as exc:
            return page(
                request,
                "edit_area.html.j2",
                status_code=exc.status,
                area=area,
                group=group,
                failure=exc,
                field_errors=_errors_by_field(exc),
                values=values,
                kommun_code=area.kommun,
            )
        return redirect(f"/omraden/{area_id}", done="andrad")

    # --- dissolving a group -----------------------------------------------------------------------------

    @post("/grupper/{group_id:int}/upplos", opt={"capability": "write"})
    async def dissolve(self, request: Request[Any, Any, Any], db: Db, principal: Caller, group_id: FromPath[int]) -> Template | Redirect:
        group = await groups.get_group(db, group_id, principal.scope)
        data = await request.form()
        try:
            on = form.day(data, "dissolved_on", today_in_sweden())
            await group_cases.dissolve_group(db, principal, group_id, on, confirmed=data.get("bekrafta") == "1")
        except GrannsamverkanError as exc:
            return await area_page(request, db, principal, group.area_id, failure=exc)
        return redirect(f"/omraden/{group.area_id}", done="upplost")
