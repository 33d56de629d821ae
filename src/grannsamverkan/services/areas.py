"""Use cases of areas that the pages share: a new name or kind (the shape is changed elsewhere)."""

from __future__ import annotations

import asyncpg

from grannsamverkan.db import areas
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.area import AREA_KINDS, MAX_TEXT
from grannsamverkan.domain.text import one_line
from grannsamverkan.errors import FieldError, InvalidInput


def _checked(name: str | None, kind: str | None) -> dict[str, str]:
    errors: list[FieldError] = []
    clean = one_line(name or "")
    if not clean:
        errors.append(FieldError.of("name", "area.name_missing"))
    elif len(clean) > MAX_TEXT:
        errors.append(FieldError.of("name", "group.name_too_long", max=MAX_TEXT))
    if kind not in AREA_KINDS:
        errors.append(FieldError.of("kind", "area.kind_choose"))
    if errors:
        raise InvalidInput("area.invalid", errors, problems=" ".join(e.message for e in errors))
    return {"name": clean, "kind": str(kind)}


async def edit_area(conn: asyncpg.Connection, actor: Principal, area_id: int, name: str | None, kind: str | None) -> None:
    """An area's name and kind (checked in Swedish, 422 naming the field); the area's audit event."""
    await areas.update_area(conn, actor, area_id, _checked(name, kind), None)
