"""An area: the polygon of a planned or existing grannsamverkan or byavakt, and its properties."""

from __future__ import annotations

import re
from typing import Any, Final, Literal, get_args

import msgspec

from grannsamverkan import messages
from grannsamverkan.domain import glossary
from grannsamverkan.domain.text import one_line
from grannsamverkan.errors import FieldError, InvalidInput

AreaKind = Literal["villa", "radhus", "flerbostadshus", "by", "fritidshus", "blandat"]
AREA_KINDS: Final[tuple[AreaKind, ...]] = get_args(AreaKind)
KOMMUN_CODE: Final = re.compile(r"[0-9]{4}")  # fullmatch: "$" would let "2283\n" through
MAX_TEXT: Final = 200


class AreaProperties(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    kommun: str
    kind: AreaKind = "blandat"
    external_ref: str | None = None


def area_properties(props: dict[str, Any], *, feature: int | None = None, prefix: str = "properties.") -> AreaProperties:
    """Validate a Feature's properties; errors name the feature index and the field."""
    errors: list[FieldError] = []
    where = messages.text("place.feature", feature=feature) if feature is not None else ""

    def fail(field: str, code: str, **values: object) -> None:
        errors.append(FieldError(field=prefix + field, message=where + messages.text(code, **values), feature=feature, code=code))

    name = props.get("name")
    if isinstance(name, str):
        name = one_line(name)
    if not isinstance(name, str) or not name:
        fail("name", "area.name_required")
    elif len(name) > MAX_TEXT:
        fail("name", "area.name_too_long", max=MAX_TEXT)
    kommun = props.get("kommun")
    if isinstance(kommun, int) and not isinstance(kommun, bool):
        kommun = f"{kommun:04d}"
    if not isinstance(kommun, str) or not KOMMUN_CODE.fullmatch(kommun):
        fail("kommun", "area.kommun_required")
    kind: AreaKind = props.get("kind", "blandat") or "blandat"
    if kind not in AREA_KINDS:
        fail("kind", "area.kind_unknown", kinds=messages.choices(glossary.AREA_KINDS, AREA_KINDS), kind=repr(kind))
    external_ref = props.get("external_ref")
    if external_ref is not None and (not isinstance(external_ref, str | int) or isinstance(external_ref, bool)):
        fail("external_ref", "area.external_ref_text")
    elif external_ref is not None and not (1 <= len(str(external_ref)) <= MAX_TEXT):
        fail("external_ref", "area.external_ref_length", max=MAX_TEXT)
    if errors:
        raise InvalidInput("area.properties_invalid", errors, first=errors[0].message)
    return AreaProperties(
        name=str(name),
        kommun=str(kommun),
        kind=kind,
        external_ref=None if external_ref is None else str(external_ref),
    )
