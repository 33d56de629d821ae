"""What every page shares: the template response with the signed-in caller, the kommun in view,
form fields read with Swedish messages, and the redirect after a form (post/redirect/get)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

import asyncpg
from litestar import Request
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grannsamverkan.db import kommuner
from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import InvalidInput, NotFound
from grannsamverkan.web.wording import FIELD_LABELS

# Messages shown after a form succeeded, by the code in ?klart= (never free text from the URL).
DONE = {
    "grupp": "Gruppen är startad.",
    "anmald": "Hushållet är anmält.",
    "borttagen": "Anmälan är borttagen.",
    "kontakt": "Kontaktpersonen är tillagd.",
    "kontakt-bort": "Kontaktpersonen är borttagen.",
    "bildad": "Gruppen är bildad och räknas nu som aktiv.",
    "mal": "Målet är sparat.",
    "aktivitet": "Aktiviteten är loggad.",
    "status": "Löftets status är sparad.",
    "punkt": "Punkten i protokollet är uppdaterad.",
    "hushall": "Adressen är sparad.",
    "kontakt-andrad": "Kontaktpersonens uppgifter är sparade.",
    "andrad": "Ändringarna är sparade.",
    "upplost": "Gruppen är upplöst.",
}


def page(request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any) -> Template:
    principal: Principal | None = request.scope.get("user")
    done = DONE.get(request.query_params.get("klart", ""))
    nav_kommun = context.get("kommun_code") or (default_kommun(principal) if principal else None)
    return Template(
        template_name=template,
        context={"principal": principal, "done": done, "nav_kommun": nav_kommun, "path": request.url.path, **context},
        status_code=status_code,
    )


def redirect(path: str, *, done: str | None = None, anchor: str | None = None, **query: Any) -> Redirect:
    params = {k: v for k, v in query.items() if v is not None}
    if done:
        params["klart"] = done
    url = path + ("?" + urlencode(params) if params else "") + (f"#{anchor}" if anchor else "")
    return Redirect(url, status_code=HTTP_303_SEE_OTHER)


def default_kommun(principal: Principal) -> str | None:
    return principal.kommuner[0] if principal.kommuner else None


async def visible_kommun(db: asyncpg.Connection, principal: Principal, code: str) -> kommuner.Kommun:
    """The kommun, when the caller may see it: 422 for an unknown code, 404 outside the scope (as the API)."""
    kommun = await kommuner.get_kommun(db, code)
    if not principal.sees(code):
        raise NotFound("kommun.not_yours", kommun=code)
    return kommun


async def kommun_choices(db: asyncpg.Connection, principal: Principal) -> list[kommuner.Kommun]:
    """The kommuner the caller works in (every kommun for an admin)."""
    if principal.scope is None:
        return await kommuner.list_kommuner(db)
    return [await kommuner.get_kommun(db, code) for code in principal.kommuner]


# --- form fields ---------------------------------------------------------------------------------


def _invalid(field: str, code: str, **values: Any) -> InvalidInput:
    """At the form's ``field``, named in the message by the words of its label."""
    return InvalidInput.at(field, code, field=FIELD_LABELS.get(field, field), **values)


def text(form: FormMultiDict, field: str, *, required: bool = True, max_length: int = 200) -> str | None:
    value = form.get(field)
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        if required:
            raise _invalid(field, "form.required")
        return None
    if len(value) > max_length:
        raise _invalid(field, "form.too_long", max=max_length)
    return value


def integer(form: FormMultiDict, field: str) -> int:
    value = text(form, field)
    try:
        number = int(value or "")
    except ValueError:
        raise _invalid(field, "form.integer") from None
    if not 0 <= number <= 2**62:
        raise _invalid(field, "form.out_of_range")
    return number


def day(form: FormMultiDict, field: str, default: date) -> date:
    value = text(form, field, required=False)
    if value is None:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _invalid(field, "form.date") from None


async def upload(form: FormMultiDict, field: str) -> bytes:
    value = form.get(field)
    if not isinstance(value, UploadFile):
        raise _invalid(field, "form.file_missing")
    data = await value.read()
    if not data:
        raise _invalid(field, "form.file_empty")
    return data
