"""A group's life on the web (issue 19): the group's page (staged approval, renewal, coverage,
signs) and the coordinator's renewal page, with the signs left in areas without an active group."""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grannsamverkan.db import groups
from grannsamverkan.domain.lifecycle import STATUS_WORDS, STEP_WORDS, Step
from grannsamverkan.errors import GrannsamverkanError, InvalidInput
from grannsamverkan.http.common import Caller, Db, today_in_sweden
from grannsamverkan.services import lifecycle
from grannsamverkan.web import context as form
from grannsamverkan.web.context import default_kommun, kommun_choices, page, redirect, visible_kommun
from grannsamverkan.web.wording import GROUP_STATUSES

NOTICES: Final = {
    "steg": "Steget är registrerat.",
    "fornyad": "Kontaktpersonerna är bekräftade för året.",
    "ateraktiverad": "Gruppen är förnyad och aktiv igen (räknas inte som ny).",
}
ROLE_WORDS: Final = {"admin": "administratör", "coordinator": "samordnare", "police": "polisen"}
RENEWAL_WORDS: Final = {"ok": "Förnyad", "due": "Dags att förnya", "overdue": "Försenad", "lapsed": "Vilande"}
#: The next step a group can take from each status: (step, button text, capability).
ACTIONS: Final[dict[str, list[tuple[Step, str, str]]]] = {
    "forming": [("propose", "Föreslå gruppen", "write")],
    "proposed": [("review", "Granskad av kommunen", "write")],
    "reviewed": [("approve", "Godkänn (polisen)", "approve")],
    "active": [("lapse", "Förklara vilande", "write")],
    "lapsed": [("reactivate", "Återaktivera", "write")],
}
PAGE_STEPS: Final = ("propose", "review", "lapse", "reactivate")


async def group_page(
    request: Request[Any, Any, Any], db: Any, principal: Any, group_id: int, *, failure: GrannsamverkanError | None = None
) -> Template:
    group = await groups.get_group(db, group_id, principal.scope)
    life = await lifecycle.group_life(db, principal, group_id, today_in_sweden())
    return page(
        request,
        "lifecycle/group.html.j2",
        status_code=failure.status if failure else 200,
        group=group,
        life=life,
        signs=await lifecycle.signs(db, principal, group_id),
        failure=failure,
        notice=NOTICES.get(request.query_params.get("lc", "")),
        actions=ACTIONS.get(life.status, []),
        STEP_WORDS=STEP_WORDS,
        STATUS_WORDS=STATUS_WORDS,
        ROLE_WORDS=ROLE_WORDS,
        today=today_in_sweden(),
        kommun_code=group.kommun,
    )


class LifecyclePages(Controller):
    include_in_schema = False

    @get("/grupper/{group_id:int}/liv", opt={"capability": "read"})
    async def group(self, request: Request[Any, Any, Any], db: Db, principal: Caller, group_id: FromPath[int]) -> Template:
        return await group_page(request, db, principal, group_id)

    @post("/grupper/{group_id:int}/steg", opt={"capability": "write"})
    async def step(self, request: Request[Any, Any, Any], db: Db, principal: Caller, group_id: FromPath[int]) -> Template | Redirect:
        """propose, review, lapse or reactivate, from the group's page."""
        await groups.get_group(db, group_id, principal.scope)  # 404 for another kommun's group, before the form
        data = await request.form()
        try:
            step = form.text(data, "step")
            if step not in PAGE_STEPS:
                raise InvalidInput.at("step", "lifecycle.step_unknown")
            await lifecycle.take_step(
                db,
                principal,
                group_id,
                step,  # type: ignore[arg-type]  # checked above
                today_in_sweden(),
                form.text(data, "note", required=False, max_length=2000) or "",
            )
        except GrannsamverkanError as exc:
            return await group_page(request, db, principal, group_id, failure=exc)
        return redirect(f"/grupper/{group_id}/liv", lc="steg")

    @post("/grupper/{group_id:int}/godkann", opt={"capability": "approve"})
    async def approve(self, request: Request[Any, Any, Any], db: Db, principal: Caller, group_id: FromPath[int]) -> Template | Redirect:
        """The police approve a reviewed group (their one write)."""
        await groups.get_group(db, group_id, principal.scope)
        data = await request.form()
        try:
            await lifecycle.take_step(
                db, principal, group_id, "approve", today_in_sweden(), form.text(data, "note", required=False, max_length=2000) or ""
            )
        except GrannsamverkanError as exc:
            return await group_page(request, db, principal, group_id, failure=exc)
        return redirect(f"/grupper/{group_id}/liv", lc="steg")

    @get("/fornyelse", opt={"capability": "read"})
    async def renewals(self, request: Request[Any, Any, Any], db: Db, principal: Caller, kommun: FromQuery[str | None] = None) -> Template:
        return await renewal_page(request, db, principal, kommun)

    @post("/fornyelse/{group_id:int}", opt={"capability": "write"})
    async def renew(self, request: Request[Any, Any, Any], db: Db, principal: Caller, group_id: FromPath[int]) -> Template | Redirect:
        """The coordinator records that the group confirmed its contact persons (today)."""
        group = await groups.get_group(db, group_id, principal.scope)
        await request.form()
        try:
            again = await lifecycle.renew(db, principal, group_id, today_in_sweden())
        except GrannsamverkanError as exc:
            return await renewal_page(request, db, principal, group.kommun, failure=exc)
        return redirect("/fornyelse", kommun=group.kommun, lc="ateraktiverad" if again else "fornyad", anchor=f"grupp-{group_id}")


async def renewal_page(
    request: Request[Any, Any, Any], db: Any, principal: Any, kommun: str | None, *, failure: GrannsamverkanError | None = None
) -> Template:
    code = kommun or default_kommun(principal)
    context: dict[str, Any] = {"lines": [], "orphans": [], "rules": None}
    if code:
        await visible_kommun(db, principal, code)
        today = today_in_sweden()
        context = {
            "lines": await lifecycle.renewal_list(db, [code], today),
            "orphans": await lifecycle.orphan_signs(db, principal, [code]),
            "rules": await lifecycle.kommun_rules(db, principal, code),
        }
    return page(
        request,
        "lifecycle/renewals.html.j2",
        status_code=failure.status if failure else 200,
        choices=await kommun_choices(db, principal),
        kommun_code=code,
        failure=failure,
        notice=NOTICES.get(request.query_params.get("lc", "")),
        GROUP_STATUSES=GROUP_STATUSES,
        RENEWAL_WORDS=RENEWAL_WORDS,
        **context,
    )
